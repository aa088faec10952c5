/**
 * Capability manifests. An adapter declares, per port it provides, which capabilities it supports. The
 * conformance suite holds it to that: a declared capability must work; using an undeclared one must throw
 * `NotSupportedError`. The names below are the whole vocabulary of port API 1.x; adding one is a minor bump.
 *
 * @packageDocumentation
 */
import type { PortKind } from './device.port';

/** Every capability name, per port. */
export const CAPABILITY_NAMES = {
  fabric: [
    /** L2 segments (LS: bridge domain / MAC-VRF with an L2 VNI). */
    'l2Segment',
    /** VRFs (LR: IP-VRF with an L3 VNI). */
    'vrf',
    /** Anycast gateway addresses on L2 segments (Vbdif / SVI with a virtual address). */
    'anycastGateway',
    /** Access bindings: (port, VLAN) → L2 segment. */
    'accessBinding',
    /** Interconnects (VRB: route targets towards other fabrics / sites). */
    'interconnect',
    /** The device reverts by itself unless a commit is confirmed in time (commit trial / commit timer). */
    'confirmedCommit',
    /**
     * Flood VTEPs: static remote VTEPs in a segment's flood list (ingress / head-end replication), for host-overlay
     * nodes in a hybrid overlay. Since port API 1.1.
     */
    'floodVtep',
    /**
     * Static routes in a VRF (`vrf.staticRoutes`): peer prefixes routed to the VFW's leg. Since port API 1.2.
     */
    'staticRoute',
  ],
  vswitch: [
    /** Bridges (br-int). */
    'bridge',
    /** The uplink trunk towards the leaf (network overlay). */
    'uplinkTrunk',
    /** Endpoint ports with VLAN tag or tunnel key and ownership external_ids. */
    'endpointPort',
    /** VXLAN tunnel ports to other VTEPs (host overlay). */
    'vxlanTunnel',
    /** Security-group flows per endpoint. */
    'securityGroup',
    /** QoS per endpoint (ingress policing, egress shaping). */
    'qos',
  ],
  firewall: [
    /** Zones (one per VPC). */
    'zones',
    /** Named address sets. */
    'addressSets',
    /** Policies between zones. */
    'policies',
    /**
     * Legs (`zone.legs`): the firewall's own interfaces in a zone's segments, a VLAN of its uplink trunk each, with an
     * address; it routes between them. Since port API 1.2.
     */
    'legs',
  ],
  loadBalancer: [
    /** Partitions (one per VPC). */
    'partitions',
    /** Virtual servers (VIP, port, protocol). */
    'virtualServers',
    /** Pools and members. */
    'pools',
    /** Members can be disabled for draining before removal. */
    'memberDrain',
    /** Health monitors. */
    'monitors',
  ],
  kubernetes: [
    /** List and watch of the resource kinds netloom reads. */
    'watch',
    /** Writes of status subresources (CR conditions, Service load-balancer ingress). */
    'statusWrite',
    /** Writes of pod annotations. */
    'annotationWrite',
    /** Kubernetes events on objects. */
    'events',
    /** Lease objects for leader election. */
    'leases',
  ],
  store: ['watch', 'multiProcess', 'leases'],
  discovery: [
    /** sysDescr / sysObjectID / sysName. */
    'identity',
    /** LLDP neighbours (LLDP-MIB remote table). */
    'lldp',
  ],
} as const satisfies Record<PortKind, readonly string[]>;

/** The capability names of one port. */
export type CapabilityName<P extends PortKind> = (typeof CAPABILITY_NAMES)[P][number];

/**
 * Capabilities added by a minor version of port API 1.x. An adapter written before a name existed does not declare
 * it; a manifest may therefore leave these out, and a missing one counts as not supported (`false`). Every other
 * name must be declared.
 *
 * @example ADDED_CAPABILITIES.fabric // ['floodVtep', 'staticRoute'] (port API 1.1, 1.2)
 */
export const ADDED_CAPABILITIES = {
  fabric: ['floodVtep', 'staticRoute'],
  vswitch: [],
  firewall: ['legs'],
  loadBalancer: [],
  kubernetes: [],
  store: [],
  discovery: [],
} as const satisfies { readonly [P in PortKind]: readonly CapabilityName<P>[] };

/** The capability names of one port a manifest may leave out (see {@link ADDED_CAPABILITIES}). */
export type AddedCapabilityName<P extends PortKind> = (typeof ADDED_CAPABILITIES)[P][number] & CapabilityName<P>;

/**
 * Per capability of one port: supported or not. Every name of the port must be present, except those of
 * {@link ADDED_CAPABILITIES} (absent = not supported).
 */
export type PortCapabilities<P extends PortKind> = { readonly [K in Exclude<CapabilityName<P>, AddedCapabilityName<P>>]: boolean } & {
  readonly [K in AddedCapabilityName<P>]?: boolean;
};

/** A capability manifest: for each port the adapter provides, its capabilities. */
export type CapabilityManifest = { readonly [P in PortKind]?: PortCapabilities<P> };
