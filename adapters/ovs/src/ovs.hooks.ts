/**
 * What the Open vSwitch adapter (network overlay) adds to the shared vswitch core of `@netloom/ovs-vswitch`: its
 * ids, its capability manifest (no VXLAN tunnels: those belong to the host-overlay adapters), its options, the
 * VLAN-tag attachment of endpoint ports, and its security-group pipeline (ovs.flows.ts, flow text in the `basic`
 * style of 0.1.0). The model, render, driver and harness functions below are the core's, bound to these hooks.
 *
 * @packageDocumentation
 */
import type { Operation } from '@netloom/ovsdb';
import {
  allocateOfports as allocateOfportsIn,
  ownedConfig as ownedConfigIn,
  readOperations as readOperationsIn,
  renderChanges as renderChangesIn,
  vlanTagAttachment,
  type DeviceState,
  type RenderInput,
  type RenderedChanges,
  type VSwitchHooks,
} from '@netloom/ovs-vswitch';
import type { PortCapabilities, VSwitchConfig } from '@netloom/ports';
import { desiredFlows } from './ovs.flows';
import { OPENFLOW_REGISTRY } from './ovs.openflow';
import { resolveOptions } from './ovs.options';

/** What this adapter supports: everything but VXLAN tunnels (those belong to the host-overlay adapters). */
export const OVS_SUPPORTS = { bridge: true, uplinkTrunk: true, endpointPort: true, vxlanTunnel: false, securityGroup: true, qos: true } as const satisfies PortCapabilities<'vswitch'>;

/** The adapter's hooks into the shared vswitch core. */
export const OVS_HOOKS: VSwitchHooks = {
  adapterId: 'ovs',
  targetLabel: 'Open vSwitch',
  supports: OVS_SUPPORTS,
  resolveOptions,
  identify: () => ({ vendor: 'Open vSwitch', modelPrefix: 'Open vSwitch' }),
  openflowRegistry: OPENFLOW_REGISTRY,
  attachment: vlanTagAttachment,
  // Only isolated ports (with security groups) have flows naming their OpenFlow number.
  flows: { desiredFlows, textStyle: 'basic', numbered: (p) => (p.securityGroups ?? []).length > 0, numberedFlows: 'security-group flows' },
};

/** The selects of one consistent read of the node (one transaction). */
export function readOperations(): Operation[] {
  return readOperationsIn(OVS_HOOKS);
}

/** The vocabulary objects netloom owns on the node, read from the rows. @throws DeviceProtocolError (a marked row that does not read back) */
export function ownedConfig(state: DeviceState): VSwitchConfig {
  return ownedConfigIn(OVS_HOOKS, state);
}

/** Renders `changes` against the device as read: the OVSDB transactions, OpenFlow numbers, flows and conflicts. */
export function renderChanges(input: RenderInput): RenderedChanges {
  return renderChangesIn(OVS_HOOKS, input);
}

/** OpenFlow port numbers (also conntrack zones) for the desired endpoint ports (see `@netloom/ovs-vswitch`). */
export function allocateOfports(desired: VSwitchConfig, s: DeviceState, hints?: ReadonlyMap<string, number>): Map<string, number> {
  return allocateOfportsIn(OVS_HOOKS, desired, s, hints);
}
