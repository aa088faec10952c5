/**
 * The vswitch port: the virtual switch on a node (OVS `br-int`, H3C S1020V) as netloom sees it. Adapters: ovs
 * (network overlay: OVSDB + OpenFlow), h3c-s1020v (host overlay), hybrid-overlay, fake.
 *
 * Vocabulary (a {@link VSwitchConfig}):
 *
 * | kind | key | what it is |
 * |---|---|---|
 * | `bridge` | `name` | a bridge (`br-int`) |
 * | `qos` | `name` | a named QoS profile endpoint ports may reference |
 * | `securityGroupRule` | `<group>:<name>` | one allow rule of a security group |
 * | `uplink` | `name` | the trunk port towards the leaf (network overlay), with the VLANs it carries |
 * | `tunnel` | `name` | a VXLAN tunnel port to a remote VTEP (host overlay) |
 * | `endpointPort` | `name` | a pod's (or the host's) port: MAC, IPs, VLAN tag or tunnel key, QoS, security groups |
 *
 * Creates run in {@link VSWITCH_KIND_ORDER}, deletes in reverse: an endpoint port is created after the rules of its
 * security groups exist (so it is never briefly open) and deleted before them.
 *
 * **Security groups** are stateful allow-lists, vendor-neutral (an adapter renders them as flows, conntrack
 * zones, ACLs): an endpoint port with a non-empty `securityGroups` is *isolated* — only traffic that some rule of
 * one of its groups allows passes, in the rule's direction, and replies to allowed traffic pass back. A port with
 * no groups is not filtered. A group with no rules allows nothing. Directions are seen from the endpoint:
 * `ingress` towards it, `egress` from it. Rates likewise: `ingressRateKbps` limits traffic to the endpoint.
 *
 * References resolve within the config: `bridge` of uplinks, tunnels and endpoint ports; a QoS referenced by name.
 * Port and bridge names are unique across all kinds (one OVS namespace), MACs unique per bridge.
 *
 * Ownership: adapters mark what they create (`external_ids:netloom-owner`) and observe marked objects only.
 *
 * @example
 * const desired: VSwitchConfigInput = {
 *   bridge: { 'br-int': { key: 'br-int', name: 'br-int', failMode: 'secure' } },
 *   qos: {}, securityGroupRule: {}, tunnel: {},
 *   uplink: { eth1: { key: 'eth1', name: 'eth1', bridge: 'br-int', allowedVlans: [100, 101] } },
 *   endpointPort: { veth3f2a1b: { key: 'veth3f2a1b', name: 'veth3f2a1b', bridge: 'br-int', mac: '0a:58:0a:01:00:05',
 *     ips: ['10.1.0.5'], attachment: { type: 'vlan', vlan: 100 }, endpointId: 'shop/web-0',
 *     pod: { namespace: 'shop', name: 'web-0' } } },
 * };
 *
 * @packageDocumentation
 */
import * as t from 'io-ts';
import { type CheckProblem, discriminated, intInRange, keyedRecord, setOf, struct, withChecks } from './codec';
import type { CapabilityName } from './capabilities';
import type { DeviceDriver, DeviceSession } from './device.port';
import {
  CidrCodec,
  IpAddressCodec,
  KubeNameCodec,
  L4PortCodec,
  MacAddressCodec,
  ObjectIdCodec,
  PROTOCOLS_WITH_PORTS,
  PortNameCodec,
  PortRangeCodec,
  RuleProtocolCodec,
  SafeNameCodec,
  VlanCodec,
  VniCodec,
} from './values';
import { type DeviceVocabulary, type PartialConfig, emptyConfig } from './vocabulary';

// --- shared pieces ------------------------------------------------------------------------------------------------

/** A rate in kbit/s, 1..100000000 (100 Gbit/s). */
export const RateKbpsCodec = intInRange('RateKbps', 1, 100_000_000);
/** A burst in kbit, 1..100000000. */
export const BurstKbCodec = intInRange('BurstKb', 1, 100_000_000);

const rateFields = { ingressRateKbps: RateKbpsCodec, ingressBurstKb: BurstKbCodec, egressRateKbps: RateKbpsCodec, egressBurstKb: BurstKbCodec };

function rateChecks(q: { readonly ingressRateKbps?: number; readonly ingressBurstKb?: number; readonly egressRateKbps?: number; readonly egressBurstKb?: number }): CheckProblem[] {
  const problems: CheckProblem[] = [];
  if (q.ingressRateKbps === undefined && q.egressRateKbps === undefined) problems.push({ path: [], message: 'needs ingressRateKbps or egressRateKbps' });
  if (q.ingressBurstKb !== undefined && q.ingressRateKbps === undefined) problems.push({ path: ['ingressBurstKb'], value: q.ingressBurstKb, message: 'needs ingressRateKbps' });
  if (q.egressBurstKb !== undefined && q.egressRateKbps === undefined) problems.push({ path: ['egressBurstKb'], value: q.egressBurstKb, message: 'needs egressRateKbps' });
  return problems;
}

/**
 * Inline QoS limits of an endpoint port (directions seen from the endpoint). At least one rate; a burst needs its
 * rate. @example { ingressRateKbps: 100000, egressRateKbps: 50000, egressBurstKb: 5000 }
 */
export const QosLimitsCodec = withChecks(struct('QosLimits', {}, rateFields), rateChecks);
/** Inline QoS limits. */
export type QosLimits = t.TypeOf<typeof QosLimitsCodec>;

// --- bridge -------------------------------------------------------------------------------------------------------

/**
 * A bridge. Key: `name`. `failMode` as OVS means it (`secure`: no flows → drop; `standalone`: learning switch);
 * absent: the adapter's default (`secure`).
 * @example { key: 'br-int', name: 'br-int', failMode: 'secure' }
 */
export const BridgeCodec = struct('Bridge', { key: t.string, name: PortNameCodec }, { failMode: t.keyof({ secure: null, standalone: null }, '"secure" | "standalone"') });
/** A bridge. */
export type Bridge = t.TypeOf<typeof BridgeCodec>;

// --- qos ----------------------------------------------------------------------------------------------------------

/**
 * A named QoS profile; endpoint ports reference it by name. Key: `name`.
 * @example { key: 'gold', name: 'gold', ingressRateKbps: 1000000, egressRateKbps: 1000000 }
 */
export const QosCodec = withChecks(struct('Qos', { key: t.string, name: SafeNameCodec }, rateFields), rateChecks);
/** A named QoS profile. */
export type Qos = t.TypeOf<typeof QosCodec>;

// --- security group rule ------------------------------------------------------------------------------------------

/** The remote side of a rule: a CIDR, or the members of a security group. Absent on the rule: anywhere. */
export const RuleRemoteCodec = t.union([struct('RemoteCidr', { cidr: CidrCodec }), struct('RemoteGroup', { group: SafeNameCodec })], 'a remote { cidr } or { group }');
/** The remote side of a rule. */
export type RuleRemote = t.TypeOf<typeof RuleRemoteCodec>;

/**
 * One allow rule of security group `group`. Key: `<group>:<name>`. `ports` only with tcp, udp or sctp (absent: all
 * ports); `remote` absent: any address.
 * @example { key: 'web:https-in', group: 'web', name: 'https-in', direction: 'ingress', protocol: 'tcp',
 *            ports: [{ from: 443, to: 443 }], remote: { cidr: '0.0.0.0/0' } }
 */
export const SecurityGroupRuleCodec = withChecks(
  struct(
    'SecurityGroupRule',
    { key: t.string, group: SafeNameCodec, name: SafeNameCodec, direction: t.keyof({ ingress: null, egress: null }, '"ingress" | "egress"'), protocol: RuleProtocolCodec },
    { ports: setOf(PortRangeCodec, { minItems: 1 }), remote: RuleRemoteCodec },
  ),
  (r): CheckProblem[] =>
    r.ports !== undefined && !PROTOCOLS_WITH_PORTS.includes(r.protocol) ? [{ path: ['ports'], message: `ports need protocol tcp, udp or sctp (not ${r.protocol})` }] : [],
);
/** A security group rule. */
export type SecurityGroupRule = t.TypeOf<typeof SecurityGroupRuleCodec>;
/** The key of a security group rule: `<group>:<name>`. */
export const securityGroupRuleKey = (r: { readonly group: string; readonly name: string }): string => `${r.group}:${r.name}`;

// --- uplink -------------------------------------------------------------------------------------------------------

/**
 * The trunk port towards the leaf (network overlay). Key: `name` (the physical interface or bond). `allowedVlans`
 * absent: every VLAN; present: exactly these (a set).
 * @example { key: 'eth1', name: 'eth1', bridge: 'br-int', allowedVlans: [100, 101] }
 */
export const UplinkCodec = struct('Uplink', { key: t.string, name: PortNameCodec, bridge: PortNameCodec }, { allowedVlans: setOf(VlanCodec, { minItems: 1 }) });
/** An uplink trunk. */
export type Uplink = t.TypeOf<typeof UplinkCodec>;

// --- tunnel -------------------------------------------------------------------------------------------------------

/** A tunnel key: a VNI, or `flow` (the key is set per flow). */
export const TunnelKeyCodec = t.union([VniCodec, t.literal('flow')], 'a VNI or "flow"');
/** A tunnel key. */
export type TunnelKey = t.TypeOf<typeof TunnelKeyCodec>;

/**
 * A VXLAN tunnel port to a remote VTEP (host overlay). Key: `name`. `dstPort` absent: 4789.
 * @example { key: 'vx-10-0-0-2', name: 'vx-10-0-0-2', bridge: 'br-int', remoteIp: '10.0.0.2', tunnelKey: 'flow' }
 */
export const TunnelCodec = struct(
  'Tunnel',
  { key: t.string, name: PortNameCodec, bridge: PortNameCodec, remoteIp: IpAddressCodec, tunnelKey: TunnelKeyCodec },
  { localIp: IpAddressCodec, dstPort: L4PortCodec },
);
/** A VXLAN tunnel port. */
export type Tunnel = t.TypeOf<typeof TunnelCodec>;

// --- endpoint port ------------------------------------------------------------------------------------------------

/** How an endpoint port is attached: a VLAN tag (network overlay) or a tunnel key (host overlay). */
export const AttachmentCodec = discriminated('Attachment', 'type', {
  vlan: struct('VlanAttachment', { type: t.literal('vlan'), vlan: VlanCodec }),
  tunnel: struct('TunnelAttachment', { type: t.literal('tunnel'), tunnelKey: VniCodec }),
});
/** How an endpoint port is attached. */
export type Attachment = t.TypeOf<typeof AttachmentCodec>;

/** The pod an endpoint belongs to. */
export const PodRefCodec = struct('PodRef', { namespace: KubeNameCodec, name: KubeNameCodec });
/** The pod an endpoint belongs to. */
export type PodRef = t.TypeOf<typeof PodRefCodec>;

/** QoS of an endpoint port: the name of a `qos` object, or inline limits. */
export const EndpointQosCodec = t.union([SafeNameCodec, QosLimitsCodec], 'a QoS name or QoS limits');
/** QoS of an endpoint port. */
export type EndpointQos = t.TypeOf<typeof EndpointQosCodec>;

/**
 * An endpoint's port (a pod's veth, the host's probe port). Key: `name`. `ips` is a set (may be empty while the
 * port is plumbed before addressing). `endpointId` is netloom's endpoint id, written as data (external_ids).
 * @example { key: 'veth3f2a1b', name: 'veth3f2a1b', bridge: 'br-int', mac: '0a:58:0a:01:00:05', ips: ['10.1.0.5'],
 *            attachment: { type: 'vlan', vlan: 100 }, endpointId: 'shop/web-0', pod: { namespace: 'shop', name: 'web-0' },
 *            qos: 'gold', securityGroups: ['web'] }
 */
export const EndpointPortCodec = struct(
  'EndpointPort',
  { key: t.string, name: PortNameCodec, bridge: PortNameCodec, mac: MacAddressCodec, ips: setOf(IpAddressCodec), attachment: AttachmentCodec, endpointId: ObjectIdCodec },
  { pod: PodRefCodec, qos: EndpointQosCodec, securityGroups: setOf(SafeNameCodec) },
);
/** An endpoint port. */
export type EndpointPort = t.TypeOf<typeof EndpointPortCodec>;

// --- config -------------------------------------------------------------------------------------------------------

const nameKey = (o: { readonly name: string }): string => o.name;

interface VSwitchShape {
  readonly bridge: Readonly<Record<string, Bridge>>;
  readonly qos: Readonly<Record<string, Qos>>;
  readonly securityGroupRule: Readonly<Record<string, SecurityGroupRule>>;
  readonly uplink: Readonly<Record<string, Uplink>>;
  readonly tunnel: Readonly<Record<string, Tunnel>>;
  readonly endpointPort: Readonly<Record<string, EndpointPort>>;
}

function vswitchReferences(c: VSwitchShape): CheckProblem[] {
  const problems: CheckProblem[] = [];
  const names = new Map<string, string>();
  for (const k of Object.keys(c.bridge)) names.set(k, 'bridge');
  for (const kind of ['uplink', 'tunnel', 'endpointPort'] as const) {
    for (const [k, p] of Object.entries(c[kind])) {
      if (c.bridge[p.bridge] === undefined) problems.push({ path: [kind, { key: k }, 'bridge'], value: p.bridge, message: `no bridge ${JSON.stringify(p.bridge)} in this config` });
      const other = names.get(k);
      if (other !== undefined) problems.push({ path: [kind, { key: k }, 'name'], value: k, message: `${JSON.stringify(k)} is also the name of a ${other}` });
      else names.set(k, kind);
    }
  }
  const macs = new Map<string, string>();
  for (const [k, p] of Object.entries(c.endpointPort)) {
    if (typeof p.qos === 'string' && c.qos[p.qos] === undefined) problems.push({ path: ['endpointPort', { key: k }, 'qos'], value: p.qos, message: `no qos ${JSON.stringify(p.qos)} in this config` });
    const id = `${p.bridge} ${p.mac}`;
    const other = macs.get(id);
    if (other !== undefined) problems.push({ path: ['endpointPort', { key: k }, 'mac'], value: p.mac, message: `${p.mac} is also the MAC of port ${JSON.stringify(other)} on ${p.bridge}` });
    else macs.set(id, k);
  }
  return problems;
}

/**
 * A vswitch config: every kind present (possibly empty), keys derived from the objects, references resolved within
 * the config, unknown fields rejected, sets sorted.
 */
export const VSwitchConfigCodec = withChecks(
  struct('VSwitchConfig', {
    bridge: keyedRecord('bridge', BridgeCodec, nameKey, 'its name'),
    qos: keyedRecord('qos', QosCodec, nameKey, 'its name'),
    securityGroupRule: keyedRecord('securityGroupRule', SecurityGroupRuleCodec, securityGroupRuleKey, 'group:name'),
    uplink: keyedRecord('uplink', UplinkCodec, nameKey, 'its name'),
    tunnel: keyedRecord('tunnel', TunnelCodec, nameKey, 'its name'),
    endpointPort: keyedRecord('endpointPort', EndpointPortCodec, nameKey, 'its name'),
  }),
  vswitchReferences,
);
/** A validated vswitch config. */
export type VSwitchConfig = t.TypeOf<typeof VSwitchConfigCodec>;
/** A vswitch config before validation. */
export type VSwitchConfigInput = t.OutputOf<typeof VSwitchConfigCodec>;
/** A vswitch object kind. */
export type VSwitchKind = keyof VSwitchConfig & string;

/** The vswitch kinds in create order; deletes run in reverse. */
export const VSWITCH_KIND_ORDER = ['bridge', 'qos', 'securityGroupRule', 'uplink', 'tunnel', 'endpointPort'] as const satisfies readonly VSwitchKind[];

/** The capability each vswitch kind needs. */
export const VSWITCH_KIND_CAPABILITY = {
  bridge: 'bridge',
  qos: 'qos',
  securityGroupRule: 'securityGroup',
  uplink: 'uplinkTrunk',
  tunnel: 'vxlanTunnel',
  endpointPort: 'endpointPort',
} as const satisfies { readonly [K in VSwitchKind]: CapabilityName<'vswitch'> };

/** A vswitch config with every kind empty. */
export function emptyVSwitchConfig(): VSwitchConfig {
  return emptyConfig<VSwitchConfig>(VSWITCH_KIND_ORDER);
}

/**
 * Every vswitch capability a config uses: kinds present, plus `securityGroup` / `qos` for endpoint ports that use
 * them and `vxlanTunnel` for ports attached by tunnel key. Sorted.
 */
export function vswitchCapabilitiesUsed(config: PartialConfig<VSwitchConfig>): CapabilityName<'vswitch'>[] {
  const used = new Set<CapabilityName<'vswitch'>>();
  for (const kind of VSWITCH_KIND_ORDER) if (Object.keys(config[kind] ?? {}).length > 0) used.add(VSWITCH_KIND_CAPABILITY[kind]);
  for (const p of Object.values(config.endpointPort ?? {})) {
    if ((p.securityGroups?.length ?? 0) > 0) used.add('securityGroup');
    if (p.qos !== undefined) used.add('qos');
    if (p.attachment.type === 'tunnel') used.add('vxlanTunnel');
  }
  return [...used].sort();
}

/** The vswitch vocabulary as data. */
export const vswitchVocabulary: DeviceVocabulary<'vswitch', VSwitchConfig, VSwitchConfigInput> = {
  port: 'vswitch',
  order: VSWITCH_KIND_ORDER,
  configCodec: VSwitchConfigCodec,
  kindCapability: VSWITCH_KIND_CAPABILITY,
  capabilitiesUsed: vswitchCapabilitiesUsed,
  empty: emptyVSwitchConfig,
};

/** A session with one node's virtual switch. */
export type VSwitchSession = DeviceSession<VSwitchConfig>;
/** A vswitch port implementation for one node (what an adapter's `ports.vswitch` factory returns). */
export type VSwitchDriver = DeviceDriver<VSwitchConfig>;

// --- keys by kind (additive: generic tools recompute keys for every kind) -------------------------------------------

/**
 * How each vswitch kind derives its key from an object's identity fields: the functions the config codec checks keys
 * with. Typed over every kind, so a new kind does not compile without its key function.
 */
export const VSWITCH_KIND_KEY: { readonly [K in VSwitchKind]: (object: VSwitchConfig[K][string]) => string } = {
  bridge: nameKey,
  qos: nameKey,
  securityGroupRule: securityGroupRuleKey,
  uplink: nameKey,
  tunnel: nameKey,
  endpointPort: nameKey,
};

/**
 * The key of a vswitch object of `kind`, derived from its identity fields as the config codec derives it, or
 * undefined when `kind` is not a vswitch kind. It reads the identity fields only and validates nothing, so it
 * recomputes the key of an edited object before the object is decoded (a fuzzer, an editor, a migration).
 *
 * @example vswitchKeyOf('securityGroupRule', { group: 'sg-web', name: 'allow-http' }) // 'sg-web:allow-http'
 */
export function vswitchKeyOf(kind: string, object: Readonly<Record<string, unknown>>): string | undefined {
  if (!Object.prototype.hasOwnProperty.call(VSWITCH_KIND_KEY, kind)) return undefined;
  // The caller vouches for nothing but the kind: the key functions only read the identity fields.
  const derive = (VSWITCH_KIND_KEY as unknown as Readonly<Record<string, (o: Readonly<Record<string, unknown>>) => string>>)[kind];
  return derive?.(object);
}
