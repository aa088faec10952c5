/**
 * What the H3C S1020V adapter (host overlay) adds to the shared vswitch core of `@netloom/ovs-vswitch`: its ids,
 * its capability manifest (VXLAN tunnels included), its options, vendor facts (h3c.vendor.ts), VXLAN tunnel ports
 * and tunnel-key attachments (h3c.tunnels.ts), and its host-overlay pipeline (h3c.flows.ts, flow text in the
 * `ofctl` style). The model and render functions below are the core's, bound to these hooks.
 *
 * @packageDocumentation
 */
import type { Operation } from '@netloom/ovsdb';
import {
  allocateOfports as allocateOfportsIn,
  ownedConfig as ownedConfigIn,
  readOperations as readOperationsIn,
  renderChanges as renderChangesIn,
  type DeviceState,
  type RenderInput,
  type RenderedChanges,
  type VSwitchHooks,
} from '@netloom/ovs-vswitch';
import type { PortCapabilities, VSwitchConfig } from '@netloom/ports';
import { desiredFlows, vniOf } from './h3c.flows';
import { OPENFLOW_REGISTRY } from './h3c.openflow';
import { resolveOptions } from './h3c.options';
import { tunnelKeyAttachment, vxlanTunnels } from './h3c.tunnels';
import { BRIDGE_PROTOCOLS, EXTRA_INTERFACE_EXTERNAL_IDS, identifyVendor } from './h3c.vendor';

/**
 * What this adapter supports: the host overlay (VXLAN tunnels, endpoint ports attached by tunnel key) and
 * everything the network overlay has (uplink trunk, VLAN-attached ports), security groups and QoS.
 */
export const H3C_SUPPORTS = { bridge: true, uplinkTrunk: true, endpointPort: true, vxlanTunnel: true, securityGroup: true, qos: true } as const satisfies PortCapabilities<'vswitch'>;

/** The adapter's hooks into the shared vswitch core. */
export const H3C_HOOKS: VSwitchHooks = {
  adapterId: 'h3c-s1020v',
  targetLabel: 'S1020V',
  supports: H3C_SUPPORTS,
  resolveOptions,
  // Vendor `H3C` / model `S1020V, ...` when the version string names an S1020V, else the compatible mode.
  identify: (version) => {
    const who = identifyVendor(version);
    return { vendor: who.vendor, modelPrefix: who.modelPrefix, extra: { s1020v: who.isS1020V } };
  },
  openflowRegistry: OPENFLOW_REGISTRY,
  attachment: tunnelKeyAttachment,
  // Isolated ports, tunnel-world ports (and tunnels) have flows naming their OpenFlow numbers.
  flows: { desiredFlows, textStyle: 'ofctl', numbered: (p) => (p.securityGroups ?? []).length > 0 || vniOf(p) !== 0, numberedFlows: 'flows' },
  bridgeProtocols: BRIDGE_PROTOCOLS,
  extraInterfaceExternalIds: EXTRA_INTERFACE_EXTERNAL_IDS,
  tunnels: vxlanTunnels,
};

/** The selects of one consistent read of the node (one transaction; tunnel `options` included). */
export function readOperations(): Operation[] {
  return readOperationsIn(H3C_HOOKS);
}

/** The vocabulary objects netloom owns on the node (tunnels and tunnel-key attachments included). @throws DeviceProtocolError */
export function ownedConfig(state: DeviceState): VSwitchConfig {
  return ownedConfigIn(H3C_HOOKS, state);
}

/** Renders `changes` against the device as read: the OVSDB transactions (tunnels included), OpenFlow numbers, flows, conflicts. */
export function renderChanges(input: RenderInput): RenderedChanges {
  return renderChangesIn(H3C_HOOKS, input);
}

/** OpenFlow port numbers for the desired endpoint ports (also their conntrack zones) and tunnels. */
export function allocateOfports(desired: VSwitchConfig, s: DeviceState, hints?: ReadonlyMap<string, number>): Map<string, number> {
  return allocateOfportsIn(H3C_HOOKS, desired, s, hints);
}
