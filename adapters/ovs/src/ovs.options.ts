/**
 * The inventory `options` of an Open vSwitch node (`OvsOptionsCodec`) and how they resolve against the
 * `DeviceTarget`. The options and their defaults are those of every OVS-compatible node
 * (`@netloom/ovs-vswitch`): OVSDB remote, OpenFlow reach, datapath type of new bridges, adoptable bridges.
 *
 * @packageDocumentation
 */
import type * as t from 'io-ts';
import { OVS_DEFAULT_OVSDB_REMOTE, resolveVSwitchOptions, vswitchOptionsCodec, type ResolvedVSwitchOptions } from '@netloom/ovs-vswitch';
import type { DeviceTarget } from '@netloom/ports';

export { DEFAULT_OPENFLOW_LISTEN, OpenFlowConnectCodec, OpenFlowListenCodec, controllerTarget, type OpenFlowMode } from '@netloom/ovs-vswitch';

/** The OVSDB remote of a distribution-packaged Open vSwitch. */
export const DEFAULT_OVSDB_REMOTE = OVS_DEFAULT_OVSDB_REMOTE;

/** The adapter's options (strict: unknown fields are refused). See `vswitchOptionsCodec` of `@netloom/ovs-vswitch`. */
export const OvsOptionsCodec = vswitchOptionsCodec('OvsOptions');
/** The adapter's options as written in a profile. */
export type OvsOptions = t.TypeOf<typeof OvsOptionsCodec>;

/** The options with every default filled in. */
export type ResolvedOvsOptions = ResolvedVSwitchOptions;

/**
 * Validates `options` and fills in the defaults.
 *
 * @throws InputError listing every problem (path: reason).
 * @example resolveOptions({ name: 'node-1' }, { openflow: { connect: { host: '127.0.0.1', port: 6654 } } }).openflow // { mode: 'connect', host: '127.0.0.1', port: 6654 }
 */
export function resolveOptions(target: DeviceTarget, options: unknown): ResolvedOvsOptions {
  return resolveVSwitchOptions(target, options, { codec: OvsOptionsCodec, deviceLabel: 'Open vSwitch', defaultOvsdbRemote: DEFAULT_OVSDB_REMOTE });
}
