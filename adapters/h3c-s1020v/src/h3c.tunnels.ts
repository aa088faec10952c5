/**
 * The host overlay's additions to the shared vswitch core: VXLAN tunnel ports and endpoint ports attached by tunnel
 * key, as hooks of `@netloom/ovs-vswitch` (`TunnelHooks`, `AttachmentHooks`).
 *
 * A VXLAN tunnel is a Port (`tag` = the parking VLAN, `vlan_mode=access`) with one Interface of type `vxlan` whose
 * `options` hold `remote_ip`, `key` (`flow` or the VNI), and `local_ip` / `dst_port` when given (names from
 * `TUNNEL_INTERFACE`, h3c.vendor.ts). netloom changes only those option keys (by mutation), so options another tool
 * added stay. An endpoint port attached by tunnel key keeps its VNI in `external_ids:netloom-vni`; its `tag` is the
 * parking VLAN (see h3c.flows.ts), never read as a VLAN.
 *
 * @packageDocumentation
 */
import { namedUuid, op } from '@netloom/ovsdb';
import { Ext, RowKind, decimalOf, isOwnedAs, marks, vlanTagAttachment, type AttachmentHooks, type TunnelHooks, type TunnelRenderContext } from '@netloom/ovs-vswitch';
import type { InputProblem, Tunnel, VSwitchConfig } from '@netloom/ports';
import { PARKING_VLAN } from './h3c.flows';
import { TUNNEL_INTERFACE } from './h3c.vendor';

/** The `options` keys netloom manages on a tunnel's Interface row (others are left alone). */
export const TUNNEL_OPTION_KEYS: readonly string[] = [TUNNEL_INTERFACE.remoteIp, TUNNEL_INTERFACE.localIp, TUNNEL_INTERFACE.key, TUNNEL_INTERFACE.dstPort];

/** A tunnel's Interface `options` (strings, as the schema wants them). */
export function tunnelOptions(t: Tunnel): Record<string, string> {
  return {
    [TUNNEL_INTERFACE.remoteIp]: t.remoteIp,
    [TUNNEL_INTERFACE.key]: String(t.tunnelKey),
    ...(t.localIp !== undefined ? { [TUNNEL_INTERFACE.localIp]: t.localIp } : {}),
    ...(t.dstPort !== undefined ? { [TUNNEL_INTERFACE.dstPort]: String(t.dstPort) } : {}),
  };
}

/**
 * Endpoint ports attached by VLAN (as on the network overlay) or by tunnel key: a tunnel-world port parks in the
 * parking VLAN (NORMAL never floods VLAN traffic to it) and records its VNI in `netloom-vni`.
 */
export const tunnelKeyAttachment: AttachmentHooks = {
  tag: (p) => (p.attachment.type === 'vlan' ? p.attachment.vlan : PARKING_VLAN),
  externalIds: (p): Record<string, string> => (p.attachment.type === 'vlan' ? { [Ext.vlan]: String(p.attachment.vlan) } : { [Ext.vni]: String(p.attachment.tunnelKey) }),
  externalIdKeys: [Ext.vlan, Ext.vni],
  read: (p) => {
    const vni = decimalOf(p.external_ids.get(Ext.vni));
    return vni !== undefined ? { type: 'tunnel', tunnelKey: vni } : vlanTagAttachment.read(p);
  },
};

function renderTunnels({ state: s, changes, ofports, main, conflicts, name, move, removePort }: TunnelRenderContext): void {
  const whereName = (n: string) => [['name', '==', n] as const];
  for (const c of changes) {
    const t = (c.after ?? c.before) as Tunnel;
    const row = s.portByName.get(t.name);
    const ofport = ofports.get(t.name);
    if (c.op === 'create') {
      if (row !== undefined || s.ifaceByName.has(t.name)) {
        conflicts.push(`a port or interface named ${t.name} already exists and is not netloom's tunnel`);
        continue;
      }
      const i = name('iface');
      const p = name('port');
      main.push(op.insert('Interface', { name: t.name, type: TUNNEL_INTERFACE.type, options: tunnelOptions(t), ...(ofport !== undefined ? { ofport_request: ofport } : {}), external_ids: marks(RowKind.tunnelIface, t.name) }, i));
      main.push(op.insert('Port', { name: t.name, interfaces: [namedUuid(i)], tag: PARKING_VLAN, vlan_mode: 'access', external_ids: marks(RowKind.tunnel, t.name) }, p));
      main.push(op.mutate('Bridge', whereName(t.bridge), [['ports', 'insert', [namedUuid(p)]]]));
    } else if (c.op === 'update') {
      if (row === undefined || !isOwnedAs(row.external_ids, RowKind.tunnel)) {
        conflicts.push(`tunnel ${t.name} is not on the device (observe again and plan again)`);
        continue;
      }
      const ifaceName = s.interfacesOf(row)[0]?.name ?? t.name;
      main.push(op.update('Port', whereName(t.name), { tag: PARKING_VLAN, vlan_mode: 'access' }));
      main.push(op.update('Interface', whereName(ifaceName), { type: TUNNEL_INTERFACE.type, ...(ofport !== undefined ? { ofport_request: ofport } : {}) }));
      main.push(op.mutate('Interface', whereName(ifaceName), [['options', 'delete', [...TUNNEL_OPTION_KEYS]], ['options', 'insert', tunnelOptions(t)]]));
      move(row._uuid, s.bridgeOfPort.get(row._uuid)?.name, t.bridge);
    } else if (row !== undefined) {
      const bridge = s.bridgeOfPort.get(row._uuid);
      if (bridge !== undefined) main.push(...removePort(bridge.name, row));
    }
  }
}

/** OVS refuses a second tunnel port with the same remote, local address, key and UDP port (per node): say so at plan time. */
function duplicateTunnels(desired: VSwitchConfig): InputProblem[] {
  const problems: InputProblem[] = [];
  const seen = new Map<string, string>();
  for (const name of Object.keys(desired.tunnel).sort()) {
    const t = desired.tunnel[name]!;
    const id = `${t.remoteIp}|${t.localIp ?? ''}|${String(t.tunnelKey)}|${t.dstPort ?? 4789}`;
    const other = seen.get(id);
    if (other !== undefined) problems.push({ path: `tunnel[${JSON.stringify(name)}]`, reason: `same remoteIp, localIp, tunnelKey and dstPort as tunnel ${other}; Open vSwitch keeps only one such port` });
    else seen.set(id, name);
  }
  return problems;
}

/** VXLAN tunnel ports: read from (and written to) the Interface's `options`. */
export const vxlanTunnels: TunnelHooks = {
  interfaceColumns: ['options'],
  read: (state, p, bridge) => {
    const o = state.interfacesOf(p)[0]?.options ?? new Map<string, string>();
    const key = o.get(TUNNEL_INTERFACE.key);
    const localIp = o.get(TUNNEL_INTERFACE.localIp);
    const dstPort = decimalOf(o.get(TUNNEL_INTERFACE.dstPort));
    return {
      key: p.name,
      name: p.name,
      bridge: bridge.name,
      remoteIp: o.get(TUNNEL_INTERFACE.remoteIp) ?? '',
      // An absent or non-numeric key other than "flow" reads back as itself and fails the codec: drift to repair.
      tunnelKey: key === 'flow' ? 'flow' : (decimalOf(key) ?? key ?? ''),
      ...(localIp !== undefined ? { localIp } : {}),
      ...(dstPort !== undefined ? { dstPort } : {}),
    };
  },
  render: renderTunnels,
  shapeProblems: duplicateTunnels,
};
