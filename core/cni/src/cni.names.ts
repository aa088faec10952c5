/**
 * Names and marks netloom-cni gives what it creates: the host end of the veth, and the `external_ids` of the
 * `br-int` Port and Interface rows (ADR 0007).
 *
 * The ownership keys are those of the OVS adapter (`adapters/protocols/ovs-vswitch/src/rows.ts`: `netloom-owner=netloom`,
 * `netloom-kind`, `netloom-key`, `netloom-pod-namespace`, `netloom-pod-name`, `netloom-mac`, `netloom-ips`,
 * `netloom-vlan`; `attached-mac`, `iface-id`, `iface-status` on the Interface as OVN and the OVS CNI plugins write
 * them). They are repeated here on purpose: the CNI may not import an adapter (`cni-is-a-node-agent`). The kinds
 * differ (`cni-port`, `cni-iface`), so the controller's OVS adapter, which reads only the kinds it writes, never
 * observes, diffs or deletes a CNI row.
 *
 * @packageDocumentation
 */
import { createHash } from 'node:crypto';

/** Prefix of every host-side veth netloom-cni creates. `nl` + hex is the controller's endpoint ports; `v` is no hex digit, so the two never collide. */
export const HOST_VETH_PREFIX = 'nlv';

/**
 * The host-side veth name of an attachment: `nlv` + the first 12 hex characters of SHA-256 of
 * `<container id>/<ifname>` (15 characters, the Linux limit). Deterministic, so ADD, CHECK and DEL find it again
 * from the runtime's parameters alone; the interface name is part of it so one container may have several
 * attachments.
 *
 * @example hostVethName('4c1ae9', 'eth0') // 'nlvcf81b3da1211'
 */
export function hostVethName(containerId: string, ifname: string): string {
  return `${HOST_VETH_PREFIX}${createHash('sha256').update(`${containerId}/${ifname}`).digest('hex').slice(0, 12)}`;
}

/** The external_ids key every netloom row carries (value {@link OWNER}). */
export const OWNER_KEY = 'netloom-owner';
/** The value of {@link OWNER_KEY}. */
export const OWNER = 'netloom';
/** The external_ids key naming the row's role. */
export const KIND_KEY = 'netloom-kind';
/** The external_ids key holding the row's key (the host veth name). */
export const KEY_KEY = 'netloom-key';

/** The roles of CNI rows: never one the OVS adapter manages. */
export const CniRowKind = {
  port: 'cni-port',
  iface: 'cni-iface',
} as const;

/** The further external_ids keys of CNI rows. */
export const CniExt = {
  podNamespace: 'netloom-pod-namespace',
  podName: 'netloom-pod-name',
  containerId: 'netloom-container-id',
  ifname: 'netloom-ifname',
  mac: 'netloom-mac',
  /** The pod's addresses, comma-separated (as the OVS adapter writes them). */
  ips: 'netloom-ips',
  vlan: 'netloom-vlan',
  tunnelKey: 'netloom-tunnel-key',
  subnet: 'netloom-subnet',
  attachedMac: 'attached-mac',
  ifaceId: 'iface-id',
  ifaceStatus: 'iface-status',
} as const;
