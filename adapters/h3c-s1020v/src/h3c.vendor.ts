/**
 * Everything this adapter assumes about the H3C S1020V that is not plain Open vSwitch behaviour, in ONE place.
 *
 * Public facts about the S1020V are thin (PROTOCOLS.md §6.1). What is known, indirectly: H3C host tooling reads
 * the S1020V version with `ovs-vsctl -V` and looks for `S1020V` / `S1000-V` in it, so the S1020V ships the OVS
 * userland (OVSDB, `ovs-vsctl`). That it is the host VTEP programmed over OVSDB (ports, tunnels) and OpenFlow 1.3
 * (flows) by H3C SeerEngine-DC is **UNVERIFIED** (stated in product material, not confirmed in the material
 * available). This adapter therefore models the S1020V as an OVS-compatible switch, and every constant below
 * defaults to what plain Open vSwitch does. Each one is marked **UNVERIFIED** where it has not been seen on a real
 * S1020V; check them on a device (or in H3C's own guide) before relying on them, and change them here only.
 *
 * @packageDocumentation
 */

/** `DeviceFacts.vendor` when the node says it is an S1020V. */
export const H3C_VENDOR = 'H3C';

/** `DeviceFacts.vendor` when the node does not say so: a plain Open vSwitch driven the same way. */
export const COMPATIBLE_VENDOR = 'Open vSwitch (S1020V-compatible mode)';

/**
 * What identifies an S1020V in its version string. Verified indirectly (PROTOCOLS.md §6.1): H3C host tooling
 * checks the `ovs-vsctl -V` output for `S1020V` or `S1000-V`.
 *
 * **UNVERIFIED**: that the same text reaches the OVSDB `Open_vSwitch.ovs_version` column, which is what netloom can
 * read without spawning `ovs-vsctl` (on plain OVS the packaging scripts write `ovs-vswitchd --version` there).
 */
export const S1020V_VERSION_PATTERN = /S1020V|S1000-V/i;

/**
 * The OVSDB remote of the node when the options name none and the target has no address. **UNVERIFIED** for the
 * S1020V (its socket path on H3C CAS hosts is not documented publicly); this is the path of distribution-packaged
 * Open vSwitch.
 */
export const DEFAULT_OVSDB_REMOTE = 'unix:/var/run/openvswitch/db.sock';

/**
 * The OpenFlow versions netloom allows on a bridge it creates (`Bridge.protocols`). OpenFlow 1.3 is what H3C's
 * controller speaks (PROTOCOLS.md §6.1, verified for SeerEngine-DC); 1.0 stays enabled so `ovs-ofctl` without
 * `-O` keeps working, as on plain OVS. **UNVERIFIED** that the S1020V accepts this column as OVS does.
 */
export const BRIDGE_PROTOCOLS: readonly string[] = ['OpenFlow10', 'OpenFlow13'];

/**
 * The `Interface.type` of a VXLAN tunnel port and its `options` keys, as in the Open_vSwitch schema
 * (PROTOCOLS.md §5.2). **UNVERIFIED** that the S1020V names them the same; plain OVS does.
 */
export const TUNNEL_INTERFACE = {
  type: 'vxlan',
  remoteIp: 'remote_ip',
  localIp: 'local_ip',
  key: 'key',
  dstPort: 'dst_port',
} as const;

/**
 * The OpenFlow tables of netloom's pipeline (README "Flow pipeline"). Plain OVS accepts tables 0..253 and starts
 * every packet in table 0. **UNVERIFIED**: whether the S1020V's OpenFlow agent (or a SeerEngine-DC pipeline sharing
 * the bridge) reserves any of these; netloom uses the same numbers as on plain OVS, and its cookie prefix keeps
 * its flows apart from anyone else's.
 */
export const PIPELINE_TABLES = {
  /** Where every packet starts: by in_port (isolated ports, tunnel-world ports, tunnels). */
  classify: 0,
  /** Egress security groups, after conntrack in the sender's zone. */
  egress: 41,
  /** Destination: conntrack for an isolated receiver, else on to forwarding. */
  dispatch: 42,
  /** Ingress security groups, after conntrack in the receiver's zone. */
  ingress: 43,
  /** Forwarding: per VNI (unicast to local endpoints, flooding with split horizon) or NORMAL for VLANs. */
  forward: 50,
} as const;

/**
 * external_ids the S1020V (or SeerEngine-DC) may expect on an endpoint's Interface row beyond the OVN/CNI keys
 * netloom writes on every OVS (`attached-mac`, `iface-id`, `iface-status`). **UNVERIFIED**: none are known from
 * public material, so this is empty and the rows look exactly as on plain OVS.
 */
export const EXTRA_INTERFACE_EXTERNAL_IDS: Readonly<Record<string, string>> = {};

/** What the version string says about the node. */
export interface VendorIdentity {
  /** True when the version string names an S1020V ({@link S1020V_VERSION_PATTERN}). */
  readonly isS1020V: boolean;
  /** `DeviceFacts.vendor`. */
  readonly vendor: string;
  /** The first part of `DeviceFacts.model` (the datapath is appended by the driver). */
  readonly modelPrefix: string;
}

/**
 * Identifies the node from its version string (`Open_vSwitch.ovs_version`, the OVSDB counterpart of
 * `ovs-vsctl -V`). An S1020V is reported as vendor `H3C`, model `S1020V`; anything else (plain Open vSwitch, an
 * unset version) as vendor `Open vSwitch (S1020V-compatible mode)`, model `Open vSwitch`.
 *
 * @example identifyVendor('ovs-vsctl (Open vSwitch) 2.x H3C S1020V E1234').vendor // 'H3C'
 * @example identifyVendor('3.1.0').vendor // 'Open vSwitch (S1020V-compatible mode)'
 */
export function identifyVendor(versionText: string | null | undefined): VendorIdentity {
  const isS1020V = versionText !== null && versionText !== undefined && S1020V_VERSION_PATTERN.test(versionText);
  return isS1020V ? { isS1020V, vendor: H3C_VENDOR, modelPrefix: 'S1020V' } : { isS1020V, vendor: COMPATIBLE_VENDOR, modelPrefix: 'Open vSwitch' };
}
