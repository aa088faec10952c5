/**
 * The inventory `options` of an S1020V node (`H3cOptionsCodec`) and how they resolve against the `DeviceTarget`.
 * The same options as on plain Open vSwitch (`@netloom/ovs-vswitch`): the S1020V is driven as an OVS-compatible
 * switch (see `h3c.vendor.ts`); only the default OVSDB remote comes from `h3c.vendor.ts`.
 *
 * @packageDocumentation
 */
import type * as t from 'io-ts';
import { resolveVSwitchOptions, vswitchOptionsCodec, type ResolvedVSwitchOptions } from '@netloom/ovs-vswitch';
import type { DeviceTarget } from '@netloom/ports';
import { DEFAULT_OVSDB_REMOTE } from './h3c.vendor';

export { DEFAULT_OPENFLOW_LISTEN, OpenFlowConnectCodec, OpenFlowListenCodec, controllerTarget, type OpenFlowMode } from '@netloom/ovs-vswitch';

/** The adapter's options (strict: unknown fields are refused). See `vswitchOptionsCodec` of `@netloom/ovs-vswitch`. */
export const H3cOptionsCodec = vswitchOptionsCodec('H3cOptions');
/** The adapter's options as written in a profile. */
export type H3cOptions = t.TypeOf<typeof H3cOptionsCodec>;

/** The options with every default filled in. */
export type ResolvedH3cOptions = ResolvedVSwitchOptions;

/**
 * Validates `options` and fills in the defaults ({@link DEFAULT_OVSDB_REMOTE} when neither the options nor the
 * target name a remote).
 *
 * @throws InputError listing every problem (path: reason).
 * @example resolveOptions({ name: 'node-1' }, { openflow: { connect: { host: '127.0.0.1', port: 6654 } } }).openflow // { mode: 'connect', host: '127.0.0.1', port: 6654 }
 */
export function resolveOptions(target: DeviceTarget, options: unknown): ResolvedH3cOptions {
  return resolveVSwitchOptions(target, options, { codec: H3cOptionsCodec, deviceLabel: 'S1020V node', defaultOvsdbRemote: DEFAULT_OVSDB_REMOTE });
}
