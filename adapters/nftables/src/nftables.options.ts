/**
 * Options of the nftables adapter (an inventory entry's `options` in the profile, or
 * `PortFactoryOptions.options`), validated by {@link NftablesOptionsCodec}: strict, unknown keys are refused.
 *
 * @packageDocumentation
 */
import * as t from 'io-ts';
import { NetnsNameCodec, OvsLegsCodec } from '@netloom/local-device';

import { describeValue, refined, struct } from '@netloom/ports';

/** Brand of {@link NftTableName}. */
export interface NftTableNameBrand {
  readonly NftTableName: unique symbol;
}
/** The name of the one table netloom owns: a letter, then up to 31 letters, digits or `_`. */
export type NftTableName = t.Branded<string, NftTableNameBrand>;
// NOTE: a table name that is an nft keyword (`fwd`, `meta`, ...) passes this pattern but nft refuses it in a script
// (nftables 1.0.6): the first apply then fails with CommitError naming it. Object names inside the table are always
// prefixed (`zone_`, `as_`, `pol_`), so they never collide with a keyword.
/** The pattern of {@link NftTableName}. */
export const NFT_TABLE_NAME = /^[A-Za-z][A-Za-z0-9_]{0,31}$/;
/** io-ts codec for {@link NftTableName}. @example NftTableNameCodec.decode('netloom') */
export const NftTableNameCodec = refined<string, string, NftTableNameBrand>('NftTableName', t.string, (s) =>
  NFT_TABLE_NAME.test(s) ? undefined : `${describeValue(s)} is not a table name: use a letter, then up to 31 letters, digits or '_'`,
);

// The namespace name and OVS legs codecs are shared with the other local Linux adapter (@netloom/local-device).
export {
  LINUX_IFNAME,
  LinuxIfNameCodec,
  NETNS_NAME,
  NetnsNameCodec,
  OVSDB_REMOTE,
  OvsLegsCodec,
  OvsdbRemoteCodec,
  type LinuxIfName,
  type NetnsName,
  type NetnsNameBrand,
  type OvsLegs,
  type OvsdbRemote,
} from '@netloom/local-device';

/** Brand of {@link ExecutablePath}. */
export interface ExecutablePathBrand {
  readonly ExecutablePath: unique symbol;
}
/** The `nft` program: a bare name looked up on PATH or an absolute path, without spaces or shell characters. */
export type ExecutablePath = t.Branded<string, ExecutablePathBrand>;
/** The pattern of {@link ExecutablePath}. */
export const EXECUTABLE_PATH = /^(\/[A-Za-z0-9._+-]+)+$|^[A-Za-z0-9._+-]+$/;
/** io-ts codec for {@link ExecutablePath}. @example ExecutablePathCodec.decode('/usr/sbin/nft') */
export const ExecutablePathCodec = refined<string, string, ExecutablePathBrand>('ExecutablePath', t.string, (s) =>
  EXECUTABLE_PATH.test(s) && s.length <= 255 ? undefined : `${describeValue(s)} is not a program path: give a bare name or an absolute path of letters, digits, '.', '_', '+', '-' and '/'`,
);

/**
 * The nftables adapter's OVS legs: `bridge` and `db` exactly as the shared `OvsLegsCodec` of
 * `@netloom/local-device`, plus `netns`, the network namespace where that Open vSwitch runs (its ovs-vswitchd opens
 * the outer ends of the legs' veth pairs there; absent: the machine's own namespace).
 * @example { bridge: 'br-fw', db: 'unix:/run/vfw1/db.sock', netns: 'vfw1' }
 */
export const NftablesOvsLegsCodec = struct('NftablesOvsLegs', OvsLegsCodec.required, { ...OvsLegsCodec.optional, netns: NetnsNameCodec });
/** The nftables adapter's OVS legs options. See {@link NftablesOvsLegsCodec}. */
export type NftablesOvsLegs = t.TypeOf<typeof NftablesOvsLegsCodec>;

/**
 * - `mode`: `local` runs `nft` on this machine (as a child process, never through a shell); `ssh` runs it on
 *   `target.address` over SSH (host key verified as `target.hostKey` says; credentials from `target.credentials`).
 * - `netns`: run `nft` inside this network namespace (`ip netns exec <netns> nft ...`), locally or on the SSH host.
 * - `nftPath`: the `nft` program (default `nft`, looked up on PATH).
 * - `table`: the one table netloom owns (default `netloom`).
 * - `family`: the table's family; only `inet` (IPv4 and IPv6 in one table).
 * - `ovs`: make the zones' legs (port API 1.2) as Open vSwitch access ports of `ovs.bridge` (a veth pair each, the
 *   outer end tagged with the leg's VLAN, the inner end in the firewall's namespace) instead of 802.1Q
 *   sub-interfaces of the leg's uplink. `bridge` and `db` as `OvsLegsCodec` of `@netloom/local-device`; here also
 *   `ovs.netns`: the namespace where that Open vSwitch runs, which gets the outer ends (absent: the machine's own
 *   namespace). It may be the firewall's own `netns`: a VNF whose switch runs beside its firewall. See
 *   {@link NftablesOvsLegsCodec}.
 *
 * @example { mode: 'local', netns: 'vfw1' }
 * @example { mode: 'ssh', table: 'netloom' }
 * @example { mode: 'local', netns: 'vfw1', ovs: { bridge: 'br-fw', db: 'unix:/run/openvswitch/db.sock' } }
 * @example { mode: 'local', netns: 'vfw1', ovs: { bridge: 'br-fw', db: 'unix:/run/vfw1/db.sock', netns: 'vfw1' } }
 */
export const NftablesOptionsCodec = struct(
  'NftablesOptions',
  { mode: t.keyof({ local: null, ssh: null }, '"local" | "ssh"') },
  {
    netns: NetnsNameCodec,
    nftPath: ExecutablePathCodec,
    table: NftTableNameCodec,
    family: t.keyof({ inet: null }, '"inet"'),
    ovs: NftablesOvsLegsCodec,
  },
);

/** Options of the nftables adapter. */
export type NftablesOptions = t.TypeOf<typeof NftablesOptionsCodec>;

/** The default table name. */
export const DEFAULT_TABLE = 'netloom';
/** The default (and only) table family. */
export const DEFAULT_FAMILY = 'inet';
