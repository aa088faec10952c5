/**
 * Options of the Linux router adapter (an inventory entry's `options` in the profile, or
 * `PortFactoryOptions.options`), validated by {@link LinuxRouterOptionsCodec}: strict, unknown keys are refused.
 *
 * @packageDocumentation
 */
import * as t from 'io-ts';
import { describeValue, refined, struct } from '@netloom/ports';


// Namespace and interface names, OVSDB remotes and the OVS legs option are shared with the other local Linux adapter
// (@netloom/local-device): the same checks and messages in both.
export {
  LINUX_IFNAME,
  LinuxIfNameCodec,
  NETNS_NAME,
  NetnsNameCodec,
  OVSDB_REMOTE,
  OvsdbRemoteCodec,
  OvsLegsCodec,
  type LinuxIfName,
  type LinuxIfNameBrand,
  type NetnsName,
  type NetnsNameBrand,
  type OvsdbRemote,
  type OvsdbRemoteBrand,
} from '@netloom/local-device';
import { LinuxIfNameCodec, NetnsNameCodec, OvsLegsCodec } from '@netloom/local-device';

/** Brand of {@link NetnsPrefix}. */
export interface NetnsPrefixBrand {
  readonly NetnsPrefix: unique symbol;
}
/** The prefix of the VRF namespaces netloom owns: 1-16 of `[A-Za-z0-9._-]`, first alnum. */
export type NetnsPrefix = t.Branded<string, NetnsPrefixBrand>;
/** The pattern of {@link NetnsPrefix}. */
export const NETNS_PREFIX = /^[A-Za-z0-9][A-Za-z0-9._-]{0,15}$/;
/** io-ts codec for {@link NetnsPrefix}. @example NetnsPrefixCodec.decode('nlr-') */
export const NetnsPrefixCodec = refined<string, string, NetnsPrefixBrand>('NetnsPrefix', t.string, (s) =>
  NETNS_PREFIX.test(s) ? undefined : `${describeValue(s)} is not a namespace prefix: use 1-16 letters, digits, '.', '_' or '-', starting with a letter or digit`,
);

/** Brand of {@link AbsolutePath}. */
export interface AbsolutePathBrand {
  readonly AbsolutePath: unique symbol;
}
/** An absolute directory path without spaces or shell characters. */
export type AbsolutePath = t.Branded<string, AbsolutePathBrand>;
/** The pattern of {@link AbsolutePath}. */
export const ABSOLUTE_PATH = /^(\/[A-Za-z0-9._+-]+)+\/?$|^\/$/;
/** io-ts codec for {@link AbsolutePath}. @example AbsolutePathCodec.decode('/var/lib/netloom') */
export const AbsolutePathCodec = refined<string, string, AbsolutePathBrand>('AbsolutePath', t.string, (s) =>
  ABSOLUTE_PATH.test(s) && s.length <= 1024 ? undefined : `${describeValue(s)} is not an absolute path of letters, digits, '.', '_', '+', '-' and '/'`,
);


/**
 * - `uplink` (required): the interface towards the leaf port, a trunk carrying one VLAN per binding; every
 *   binding's `interface` must name it.
 * - `runAs`: `local` (the only one): `ip`, `sysctl` and `ovs-vsctl` run on this machine as child processes (argument
 *   vectors, never a shell). SSH is not needed yet: the router runs where the controller or the lab runs.
 * - `netns`: the namespace of the router host, where the uplink lives (absent: this process's own namespace).
 * - `netnsPrefix`: the prefix of the VRF namespaces netloom owns (default `nlr-`): VRF `vpc-shop` lives in namespace
 *   `nlr-vpc-shop`; namespaces without the prefix are never read or touched.
 * - `stateDir`: where the lock file of the device lives (default: the OS temp directory).
 * - `ovs`: bindings as Open vSwitch access ports instead of 802.1Q sub-interfaces, see {@link OvsLegsCodec}.
 *
 * @example { uplink: 'eth1' }
 * @example { uplink: 'eth1', netns: 'router-host', netnsPrefix: 'lab-', stateDir: '/var/lib/netloom' }
 * @example { uplink: 'up0', ovs: { bridge: 'br-router' } }
 */
export const LinuxRouterOptionsCodec = struct(
  'LinuxRouterOptions',
  { uplink: LinuxIfNameCodec },
  {
    runAs: t.keyof({ local: null }, '"local"'),
    netns: NetnsNameCodec,
    netnsPrefix: NetnsPrefixCodec,
    stateDir: AbsolutePathCodec,
    ovs: OvsLegsCodec,
  },
);

/** Options of the Linux router adapter. */
export type LinuxRouterOptions = t.TypeOf<typeof LinuxRouterOptionsCodec>;

/** The default prefix of VRF namespaces. */
export const DEFAULT_NETNS_PREFIX = 'nlr-';
