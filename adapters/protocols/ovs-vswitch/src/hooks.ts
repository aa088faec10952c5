/**
 * What differs between the OVS-compatible vswitch adapters, as one hooks object per adapter ({@link VSwitchHooks}):
 * ids and labels, the capability manifest, options, vendor facts, how an endpoint's attachment is stored on its Port
 * row, the OpenFlow pipeline, and — for adapters that have them — tunnel ports (their Interface columns, rows and
 * checks). The shared core (model, render, driver, conformance harnesses of this package) runs everything else.
 *
 * @packageDocumentation
 */
import type { Operation } from '@netloom/ovsdb';
import type { Change, DeviceTarget, EndpointPort, InputProblem, PortCapabilities, VSwitchConfig } from '@netloom/ports';
import type { FlowEntry, FlowTextStyle } from './flows';
import type { OpenFlowListenerRegistry } from './openflow-access';
import type { ResolvedVSwitchOptions } from './options';
import { Ext, decimalOf, type BridgeRow, type DeviceState, type PortRow } from './rows';

/** How an endpoint port's attachment (VLAN tag or tunnel key) is stored on its Port row. */
export interface AttachmentHooks {
  /** The Port row's `tag`. */
  tag(port: EndpointPort): number;
  /** The Port external_ids that record the attachment (placed after `netloom-ips`). */
  externalIds(port: EndpointPort): Record<string, string>;
  /** The Port external_ids keys netloom manages for the attachment (deleted before a rewrite), in order. */
  readonly externalIdKeys: readonly string[];
  /** Reads the attachment back from the Port row (the vocabulary's shape; the core checks it with the codec). */
  read(port: PortRow): Record<string, unknown>;
}

/**
 * The network overlay's attachment: the VLAN is the Port's `tag` and `external_ids:netloom-vlan` (0 for anything
 * that is not a VLAN attachment); read back from `tag`, else from `netloom-vlan`.
 *
 * @example vlanTagAttachment.tag({ ...port, attachment: { type: 'vlan', vlan: 100 } }) // 100
 */
export const vlanTagAttachment: AttachmentHooks = {
  tag: (p) => (p.attachment.type === 'vlan' ? p.attachment.vlan : 0),
  externalIds: (p) => ({ [Ext.vlan]: String(p.attachment.type === 'vlan' ? p.attachment.vlan : 0) }),
  externalIdKeys: [Ext.vlan],
  read: (p) => ({ type: 'vlan', vlan: p.tag ?? decimalOf(p.external_ids.get(Ext.vlan)) ?? 0 }),
};

/** The adapter's OpenFlow pipeline. */
export interface FlowHooks {
  /** Every flow netloom wants, per bridge of `config`, with the OpenFlow numbers of endpoint ports (and tunnels). */
  desiredFlows(config: VSwitchConfig, ofports: ReadonlyMap<string, number>): Map<string, FlowEntry[]>;
  /** How plans print flow_mods and how flows are compared (`diffFlows`). */
  readonly textStyle: FlowTextStyle;
  /** True when the endpoint port's flows name its OpenFlow number (apply checks OVS gave it the requested one). */
  numbered(port: EndpointPort): boolean;
  /** What a port with another OpenFlow number breaks, in apply's error (`its <this> would not apply`). */
  readonly numberedFlows: string;
}

/** What a tunnel hook's render gets: the device as read, the tunnel changes and the transaction to fill. */
export interface TunnelRenderContext {
  readonly state: DeviceState;
  /** The `tunnel` changes, in change-set order. */
  readonly changes: readonly Change[];
  /** OpenFlow numbers of the desired endpoint ports and tunnels. */
  readonly ofports: ReadonlyMap<string, number>;
  /** The main transaction (append only). */
  readonly main: Operation[];
  /** Why the change set cannot be applied (append only). */
  readonly conflicts: string[];
  /** A fresh uuid-name (`iface3`) for an inserted row. */
  name(prefix: string): string;
  /** Moves a port row between bridges (no-op when `from === to`). */
  move(uuid: string, from: string | undefined, to: string): void;
  /** The operations that take a port off its bridge and delete its Port and Interface rows. */
  removePort(bridge: string, row: PortRow): Operation[];
}

/** Tunnel ports (`tunnel` objects), for adapters whose manifest declares `vxlanTunnel`. */
export interface TunnelHooks {
  /** Interface columns read beyond the shared ones (`options`). */
  readonly interfaceColumns: readonly string[];
  /** Reads an owned tunnel Port row back into the vocabulary (the core checks it with the codec). */
  read(state: DeviceState, port: PortRow, bridge: BridgeRow): Record<string, unknown>;
  /** Renders the tunnel changes into the main transaction (after uplinks, before endpoint ports). */
  render(ctx: TunnelRenderContext): void;
  /** Problems of a desired config the device would refuse (checked by plan and apply before anything is written). */
  shapeProblems(desired: VSwitchConfig): InputProblem[];
}

/** What `facts()` reports about the node, from its version string. */
export interface VSwitchIdentity {
  /** `DeviceFacts.vendor`. */
  readonly vendor: string;
  /** The first part of `DeviceFacts.model` (the datapath is appended: `Open vSwitch, kernel datapath (system)`). */
  readonly modelPrefix: string;
  /** Facts put first in `DeviceFacts.extra`. */
  readonly extra?: Readonly<Record<string, string | number | boolean>>;
}

/**
 * Everything one OVS-compatible adapter adds to the shared vswitch core.
 *
 * @example
 * const HOOKS: VSwitchHooks = {
 *   adapterId: 'ovs', targetLabel: 'Open vSwitch', supports: OVS_SUPPORTS, resolveOptions,
 *   identify: () => ({ vendor: 'Open vSwitch', modelPrefix: 'Open vSwitch' }),
 *   openflowRegistry: new OpenFlowListenerRegistry(), attachment: vlanTagAttachment,
 *   flows: { desiredFlows, textStyle: 'basic', numbered: (p) => (p.securityGroups ?? []).length > 0, numberedFlows: 'security-group flows' },
 * };
 */
export interface VSwitchHooks {
  /** The `adapter` field of the driver's log lines. */
  readonly adapterId: string;
  /** How errors name the device kind (`<label> target name "x y" is not a safe name`). */
  readonly targetLabel: string;
  /** The capability manifest (the `vswitch` entry of the adapter's `supports`). */
  readonly supports: PortCapabilities<'vswitch'>;
  /** Validates the inventory options and fills in the defaults (`InputError` listing every problem). */
  resolveOptions(target: DeviceTarget, options: unknown): ResolvedVSwitchOptions;
  /** Vendor and model from `Open_vSwitch.ovs_version`. */
  identify(ovsVersion: string | null): VSwitchIdentity;
  /** The adapter's own OpenFlow listener registry (sessions of one adapter share a `listen` port). */
  readonly openflowRegistry: OpenFlowListenerRegistry;
  /** How an endpoint's attachment is stored ({@link vlanTagAttachment} on the network overlay). */
  readonly attachment: AttachmentHooks;
  /** The OpenFlow pipeline. */
  readonly flows: FlowHooks;
  /** `Bridge.protocols` of a bridge netloom creates (default `OpenFlow10`, `OpenFlow13`). */
  readonly bridgeProtocols?: readonly string[];
  /** external_ids put first on every endpoint Interface row, and managed with it (default none). */
  readonly extraInterfaceExternalIds?: Readonly<Record<string, string>>;
  /** Tunnel ports; absent: the adapter has none (tunnel rows are not read, `tunnel` objects never rendered). */
  readonly tunnels?: TunnelHooks;
}
