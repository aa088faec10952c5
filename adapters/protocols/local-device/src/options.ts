/**
 * Option codecs shared by the local Linux adapters (strict io-ts codecs with a reason per refusal).
 *
 * @packageDocumentation
 */
import * as t from 'io-ts';
import { describeValue, refined, struct } from '@netloom/ports';

/** Brand of {@link NetnsName}. */
export interface NetnsNameBrand {
  readonly NetnsName: unique symbol;
}
/** A network namespace name as `ip netns` knows it: 1-64 of `[A-Za-z0-9._-]`, first alnum. */
export type NetnsName = t.Branded<string, NetnsNameBrand>;
/** The pattern of {@link NetnsName}. */
export const NETNS_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
/** io-ts codec for {@link NetnsName}. @example NetnsNameCodec.decode('vfw1') */
export const NetnsNameCodec = refined<string, string, NetnsNameBrand>('NetnsName', t.string, (s) =>
  NETNS_NAME.test(s) ? undefined : `${describeValue(s)} is not a network namespace name: use 1-64 letters, digits, '.', '_' or '-', starting with a letter or digit`,
);

/** Brand of {@link LinuxIfName}. */
export interface LinuxIfNameBrand {
  readonly LinuxIfName: unique symbol;
}
/** A Linux interface name: 1-15 of `[A-Za-z0-9._-]`, first alnum (IFNAMSIZ is 16 with the NUL). */
export type LinuxIfName = t.Branded<string, LinuxIfNameBrand>;
/** The pattern of {@link LinuxIfName}. */
export const LINUX_IFNAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,14}$/;
/** io-ts codec for {@link LinuxIfName}. @example LinuxIfNameCodec.decode('eth1') */
export const LinuxIfNameCodec = refined<string, string, LinuxIfNameBrand>('LinuxIfName', t.string, (s) =>
  LINUX_IFNAME.test(s) ? undefined : `${describeValue(s)} is not a Linux interface name: use 1-15 letters, digits, '.', '_' or '-', starting with a letter or digit`,
);

/** Brand of {@link OvsdbRemote}. */
export interface OvsdbRemoteBrand {
  readonly OvsdbRemote: unique symbol;
}
/** Where `ovs-vsctl` finds ovsdb-server: `unix:<absolute path>` or `tcp:<IPv4>:<port>`. */
export type OvsdbRemote = t.Branded<string, OvsdbRemoteBrand>;
/** The pattern of {@link OvsdbRemote}. */
export const OVSDB_REMOTE = /^unix:(\/[A-Za-z0-9._+-]+)+$|^tcp:[0-9]{1,3}(\.[0-9]{1,3}){3}:[0-9]{1,5}$/;
/** io-ts codec for {@link OvsdbRemote}. @example OvsdbRemoteCodec.decode('unix:/run/openvswitch/db.sock') */
export const OvsdbRemoteCodec = refined<string, string, OvsdbRemoteBrand>('OvsdbRemote', t.string, (s) =>
  OVSDB_REMOTE.test(s) && s.length <= 1024 ? undefined : `${describeValue(s)} is not an OVSDB remote: use unix:<absolute path> or tcp:<IPv4>:<port>`,
);

/**
 * Legs as Open vSwitch access ports instead of 802.1Q sub-interfaces of the uplink: each leg is a veth pair whose
 * outer end is an access port of the OVS bridge `bridge` with `tag=<vlan>` (the bridge and its trunk towards the leaf
 * are prerequisites the adapter does not create). For hosts whose kernel has no 802.1Q support (CONFIG_VLAN_8021Q)
 * but run Open vSwitch, and for the lab. The same shape in every local Linux adapter that makes legs.
 *
 * - `bridge`: the OVS bridge.
 * - `db`: the ovsdb-server of that bridge (default: `ovs-vsctl`'s own default).
 *
 * @example { bridge: 'br-fw', db: 'unix:/run/openvswitch/db.sock' }
 */
export const OvsLegsCodec = struct('OvsLegs', { bridge: LinuxIfNameCodec }, { db: OvsdbRemoteCodec });
/** OVS legs options. See {@link OvsLegsCodec}. */
export type OvsLegs = t.TypeOf<typeof OvsLegsCodec>;
