/**
 * The OpenFlow side: the pipeline netloom installs on each of its bridges — VXLAN host-overlay forwarding per VNI,
 * conntrack security groups in front of it, and NORMAL switching for VLAN-attached ports — derived
 * deterministically from the config, its cookies, the diff against what a bridge holds, and the ovs-ofctl-like
 * text the plan shows.
 *
 * Two worlds share a bridge and never meet:
 *
 * - the **tunnel world**: endpoint ports attached by tunnel key (VNI `v`) and VXLAN tunnel ports. Their packets
 *   carry the VNI in `tun_id` from table 0 on (set for local ports, set by the VXLAN header for tunnels) and are
 *   forwarded by netloom's flows only (table 50). Their Port rows carry the parking VLAN {@link PARKING_VLAN} as
 *   `tag`, so OVS's NORMAL action never floods VLAN traffic to them.
 * - the **VLAN world**: endpoint ports attached by VLAN, uplinks, ports netloom does not own. `tun_id` stays 0 and
 *   NORMAL switches them per VLAN, as on the network overlay.
 *
 * Pipeline (`N`: an endpoint port's OpenFlow number, also its conntrack zone `Z`; `M`: its MAC; `v`: its VNI, 0 in
 * the VLAN world; `T`: a tunnel's OpenFlow number). Tables from `PIPELINE_TABLES` (h3c.vendor.ts):
 *
 * | table | priority | match | actions |
 * |---|---|---|---|
 * | 0 | 120 | `vlan_vid=0x1fff` (VLAN 4095) | drop: nothing enters the parking VLAN |
 * | 0 | 110 | `in_port=T,tun_id=0` | drop (a tunnel packet without a VNI) |
 * | 0 | 100 | `in_port=T` | `set_field:0x1->reg6,goto_table:42` (reg6=1: came from a tunnel) |
 * | 0 | 110 | isolated: `in_port=N,dl_src=M,icmp6,icmp_type=133..136` | [`set_field:v->tun_id`,] `goto_table:42` |
 * | 0 | 100 | isolated: `in_port=N,dl_src=M,ip` / `ipv6` | [`set_field:v->tun_id`,] `ct(zone=Z,table=41)` |
 * | 0 | 100 | isolated: `in_port=N,dl_src=M,arp` | [`set_field:v->tun_id`,] `goto_table:42` |
 * | 0 | 90 | isolated: `in_port=N` | drop (another source MAC, other protocols) |
 * | 0 | 100 | tunnel world, not isolated: `in_port=N` | `set_field:v->tun_id,goto_table:42` |
 * | 0 | 1 | any | `goto_table:42` (the VLAN world) |
 * | 41 | 300 | `ct_state=+inv+trk` | drop |
 * | 41 | 200 | `ct_state=+est-inv+trk` / `+rel-inv+trk` | `goto_table:42` |
 * | 41 | 100 | `in_port=N,ct_state=+new+trk,<egress rule>` | `ct(commit,zone=Z),goto_table:42` |
 * | 41 | 0 | any | drop |
 * | 42 | 110 | isolated: `tun_id=v,dl_dst=M,icmp6,icmp_type=135/136` | `goto_table:50` |
 * | 42 | 100 | isolated: `tun_id=v,dl_dst=M,ip` / `ipv6` | `ct(zone=Z,table=43)` |
 * | 42 | 0 | any | `goto_table:50` |
 * | 43 | 300 | `ct_state=+inv+trk` | drop |
 * | 43 | 200 | `ct_state=+est-inv+trk` / `+rel-inv+trk` | `goto_table:50` |
 * | 43 | 100 | `dl_dst=M,ct_state=+new+trk,<ingress rule>` | `ct(commit,zone=Z),goto_table:50` |
 * | 43 | 0 | any | drop |
 * | 50 | 100 | `tun_id=v,dl_dst=M` (every tunnel-world endpoint) | `output:N` |
 * | 50 | 20 | `reg6=0x1,tun_id=v` (from a tunnel) | `output:` every local port of `v` (split horizon) |
 * | 50 | 10 | `tun_id=v` (from a local port) | `output:` every local port of `v`, then every tunnel carrying `v` |
 * | 50 | 1 | `tun_id=0` | `NORMAL` (the VLAN world) |
 * | 50 | 0 | any | drop (a VNI with no local port) |
 *
 * A tunnel carries `v` when its key is `flow` (OVS takes the key from `tun_id`) or `v`. Unicast to a MAC that is
 * not a local endpoint of `v` is flooded like broadcast (netloom knows the MACs of its own endpoints only; it
 * learns none). OVS never sends a packet back out of its `in_port`, so flooding from a local port skips the
 * sender.
 *
 * Security groups: an egress rule matches the protocol, the destination port range (as masks) and the remote as
 * destination address; an ingress rule the same with the remote as source address. A remote group stands for the
 * IPs of the endpoint ports of this config that are members of the group.
 *
 * Cookies: the high 16 bits are `0x4e4c` ("NL"); bits 32..47 say what the flow belongs to (1 the bridge's
 * pipeline, 2 an endpoint port, 3 a tunnel, 4 a VNI), the low 32 bits which one (0, the port's OpenFlow number, or
 * the VNI). Every delete netloom sends carries the prefix with a mask, so another controller's flows are never
 * touched.
 *
 * @packageDocumentation
 */
import type { Action, Instruction, Match } from '@netloom/openflow';
import { DROP, NORMAL, apply, cookieFor, goto, mergeFlows, securityGroupPipelineFlows, securityGroupPortFlows, type FlowEntry, type SecurityGroupStage } from '@netloom/ovs-vswitch';
import type { EndpointPort, Tunnel, VSwitchConfig } from '@netloom/ports';
import { PIPELINE_TABLES } from './h3c.vendor';

export {
  COOKIE_PREFIX,
  COOKIE_PREFIX_MASK,
  cookieFor,
  diffFlows,
  flowIdentity,
  formatFlowMod,
  formatInstructions,
  formatMatch,
  isNetloomCookie,
  rangeToMasks,
  type FlowDiff,
  type FlowEntry,
} from '@netloom/ovs-vswitch';

/** The tables of the pipeline (from {@link PIPELINE_TABLES}). */
export const Table = PIPELINE_TABLES;

/**
 * The VLAN tag of tunnel-world ports (tunnel ports and endpoint ports attached by tunnel key): a VLAN no VLAN-world
 * port uses (the vocabulary's VLANs are 1..4094) and that table 0 drops on input, so NORMAL never floods a VLAN
 * packet to them. The tag only matters to NORMAL; netloom's own `output:` actions ignore it.
 */
export const PARKING_VLAN = 4095;

/** The register bit that says "this packet came from a tunnel" (split horizon in the forwarding table). */
export const FROM_TUNNEL_REG = 'reg6' as const;

/** What a flow belongs to (bits 32..47 of the cookie). */
export const CookieKind = { pipeline: 1n, endpoint: 2n, tunnel: 3n, vni: 4n } as const;

/** `vlan_vid` of a frame tagged with the parking VLAN (OFPVID_PRESENT | 4095). */
const PARKING_VID = 0x1000 | PARKING_VLAN;
const setVni = (vni: number): Action => ({ type: 'setField', field: 'tunnelId', value: BigInt(vni) });

/** The VNI of an endpoint port attached by tunnel key, 0 for a VLAN-attached one. */
export function vniOf(port: EndpointPort): number {
  return port.attachment.type === 'tunnel' ? port.attachment.tunnelKey : 0;
}

/** True when a tunnel carries VNI `vni`: its key is `flow` (set per packet from `tun_id`) or that VNI. */
export function tunnelCarries(tunnel: Tunnel, vni: number): boolean {
  return tunnel.tunnelKey === 'flow' || tunnel.tunnelKey === vni;
}

/** The shared security-group stage, delivering to the forwarding table. */
const STAGE: SecurityGroupStage = { tables: Table, deliver: { actions: [], goto: Table.forward } };

/** The bridge pipeline's fixed flows: the parking VLAN drop, the security-group stage, the forwarding defaults. */
function pipelineFlows(): FlowEntry[] {
  const cookie = cookieFor(CookieKind.pipeline, 0);
  const f = (tableId: number, priority: number, match: Match, instructions: readonly Instruction[]): FlowEntry => ({ tableId, priority, cookie, match, instructions });
  return [
    f(Table.classify, 120, { vlanVid: PARKING_VID }, DROP),
    ...securityGroupPipelineFlows(STAGE, cookie),
    f(Table.forward, 1, { tunnelId: 0n }, [NORMAL]),
    f(Table.forward, 0, {}, DROP),
  ];
}

/** The classification flows of one tunnel port (OpenFlow number `ofport`). */
function tunnelFlows(ofport: number): FlowEntry[] {
  const cookie = cookieFor(CookieKind.tunnel, ofport);
  return [
    // VNI 0 would enter the VLAN world (tun_id 0): no tunnel packet may.
    { tableId: Table.classify, priority: 110, cookie, match: { inPort: ofport, tunnelId: 0n }, instructions: DROP },
    { tableId: Table.classify, priority: 100, cookie, match: { inPort: ofport }, instructions: [apply({ type: 'setField', field: FROM_TUNNEL_REG, value: 1 }), goto(Table.dispatch)] },
  ];
}

/**
 * The flows of one endpoint port (OpenFlow port and conntrack zone `ofport`): the VNI classification of a
 * tunnel-world port, the security-group stages of an isolated port, and the unicast delivery of a tunnel-world port.
 * A VLAN-world port without groups has none (NORMAL handles it).
 */
function endpointFlows(port: EndpointPort, ofport: number, config: VSwitchConfig): FlowEntry[] {
  const cookie = cookieFor(CookieKind.endpoint, ofport);
  const mac = port.mac;
  const vni = vniOf(port);
  const tunnelWorld = vni !== 0;
  const f = (tableId: number, priority: number, match: Match, instructions: readonly Instruction[]): FlowEntry => ({ tableId, priority, cookie, match, instructions });
  // In the tunnel world the VNI is written before anything else, so conntrack recirculation keeps it.
  const mark: Action[] = tunnelWorld ? [setVni(vni)] : [];
  const then = (tableId: number): Instruction[] => (tunnelWorld ? [apply(...mark), goto(tableId)] : [goto(tableId)]);
  const unicast = (): FlowEntry[] => (tunnelWorld ? [f(Table.forward, 100, { tunnelId: BigInt(vni), ethDst: mac }, [apply({ type: 'output', port: ofport })])] : []);
  if ((port.securityGroups ?? []).length === 0) return [...(tunnelWorld ? [f(Table.classify, 100, { inPort: ofport }, then(Table.dispatch))] : []), ...unicast()];
  const isolated = securityGroupPortFlows(STAGE, { port, ofport, config, cookie, mark, dst: { tunnelId: BigInt(vni), ethDst: mac } });
  return [...isolated, ...unicast()];
}

/** The flooding flows of VNI `vni` on one bridge: local ports first, then the tunnels that carry it. */
function vniFlows(vni: number, locals: readonly number[], tunnels: readonly number[]): FlowEntry[] {
  const cookie = cookieFor(CookieKind.vni, vni);
  const outputs = (ports: readonly number[]): Action[] => ports.map((port) => ({ type: 'output', port }));
  return [
    // From a tunnel: to local ports only (split horizon: the other VTEPs got their copy from the sender).
    { tableId: Table.forward, priority: 20, cookie, match: { tunnelId: BigInt(vni), [FROM_TUNNEL_REG]: 1 }, instructions: [apply(...outputs(locals))] },
    { tableId: Table.forward, priority: 10, cookie, match: { tunnelId: BigInt(vni) }, instructions: [apply(...outputs(locals), ...outputs(tunnels))] },
  ];
}

const byNumber = (a: number, b: number): number => a - b;

/**
 * Every flow netloom wants, per bridge of `config`: the pipeline, the flows of each tunnel, of each endpoint port
 * that needs some (tunnel-world or isolated), and the flooding flows of each VNI with a local port, using the
 * OpenFlow port numbers in `ofports` (endpoint ports and tunnels by name; an object without a number gets no
 * flows). Deterministic: the same config and numbers give the same flows in the same order. Duplicates (two rules
 * giving one match) are merged.
 *
 * @example desiredFlows(config, new Map([['veth3f2a1b', 1000], ['vx-node2', 1001]])).get('br-int')!.length
 */
export function desiredFlows(config: VSwitchConfig, ofports: ReadonlyMap<string, number>): Map<string, FlowEntry[]> {
  const out = new Map<string, FlowEntry[]>();
  for (const name of Object.keys(config.bridge).sort()) out.set(name, pipelineFlows());
  const tunnelsOf = new Map<string, { tunnel: Tunnel; ofport: number }[]>();
  for (const name of Object.keys(config.tunnel).sort()) {
    const t = config.tunnel[name]!;
    const ofport = ofports.get(name);
    const list = out.get(t.bridge);
    if (ofport === undefined || list === undefined) continue;
    list.push(...tunnelFlows(ofport));
    tunnelsOf.set(t.bridge, [...(tunnelsOf.get(t.bridge) ?? []), { tunnel: t, ofport }]);
  }
  const localsOf = new Map<string, Map<number, number[]>>();
  for (const name of Object.keys(config.endpointPort).sort()) {
    const p = config.endpointPort[name]!;
    const ofport = ofports.get(name);
    const list = out.get(p.bridge);
    if (ofport === undefined || list === undefined) continue;
    list.push(...endpointFlows(p, ofport, config));
    const vni = vniOf(p);
    if (vni === 0) continue;
    const perVni = localsOf.get(p.bridge) ?? new Map<number, number[]>();
    perVni.set(vni, [...(perVni.get(vni) ?? []), ofport]);
    localsOf.set(p.bridge, perVni);
  }
  for (const [bridge, perVni] of localsOf) {
    const list = out.get(bridge)!;
    for (const vni of [...perVni.keys()].sort(byNumber)) {
      const tunnels = (tunnelsOf.get(bridge) ?? []).filter((x) => tunnelCarries(x.tunnel, vni)).map((x) => x.ofport);
      list.push(...vniFlows(vni, [...perVni.get(vni)!].sort(byNumber), [...tunnels].sort(byNumber)));
    }
  }
  for (const [bridge, list] of out) out.set(bridge, mergeFlows(list));
  return out;
}
