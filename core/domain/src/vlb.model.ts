/**
 * VLB (virtual load balancer): north-south load balancing in a VPC. A Kubernetes `LoadBalancer` Service becomes a
 * virtual server (VIP, port, protocol) whose pool follows the Service's ready endpoints in real time: ready
 * endpoints are `enabled` members, terminating ones `draining`.
 * @packageDocumentation
 */
import { Invariant } from './errors';
import { PORT_MAX, PORT_MIN } from './traffic-match';
import { checkArray, checkEnum, checkInteger, checkIp, checkName, checkObject, sealModel, violation, type Where } from './validation.helpers';

/** Transport protocols a virtual server listens on. */
export type VlbProtocol = 'tcp' | 'udp';

/**
 * A pool member's state: `enabled` takes new connections; `draining` keeps its existing connections but takes no
 * new ones (a terminating endpoint); `disabled` takes no traffic.
 */
export type VlbMemberState = 'enabled' | 'draining' | 'disabled';

/** A real server in a pool. */
export interface VlbMember {
  /** Member address, canonical text. */
  readonly ip: string;
  /** Member port, 1..65535. */
  readonly port: number;
  /** `enabled`, `draining` or `disabled`. */
  readonly state: VlbMemberState;
}

/** A pool of real servers. */
export interface VlbPool {
  /** Pool name (safe name; reaches the load balancer). */
  readonly name: string;
  /** Members; each (ip, port) once. May be empty (a Service with no ready endpoints). */
  readonly members: readonly VlbMember[];
}

/** A virtual server: what clients connect to. */
export interface VlbVirtualServer {
  /** Virtual server name, unique within the VLB (safe name). */
  readonly name: string;
  /** Virtual IP, canonical text. */
  readonly vip: string;
  /** Listening port, 1..65535. */
  readonly port: number;
  /** `tcp` or `udp`. */
  readonly protocol: VlbProtocol;
  /** The pool traffic is balanced over. */
  readonly pool: VlbPool;
}

/** A virtual load balancer of one VPC (one partition on the device). */
export interface Vlb {
  /** Unique VLB name (safe name). */
  readonly name: string;
  /** The VPC it serves. */
  readonly vpc: string;
  /** Virtual servers; names unique, and each (vip, port, protocol) once. */
  readonly virtualServers: readonly VlbVirtualServer[];
}

/** Input of {@link createVlb}; addresses in any valid text form, member state defaults to `enabled`. */
export interface VlbInput {
  readonly name: string;
  readonly vpc: string;
  readonly virtualServers?: readonly {
    readonly name: string;
    readonly vip: string;
    readonly port: number;
    readonly protocol: VlbProtocol;
    readonly pool: {
      readonly name: string;
      readonly members?: readonly { readonly ip: string; readonly port: number; readonly state?: VlbMemberState }[];
    };
  }[];
}

/**
 * Validates a VLB's own invariants and returns a frozen VLB with canonical addresses.
 * @throws InvariantError `name-invalid`, `ip-invalid` (VIP or member), `port-range` (a port outside 1..65535),
 *   `value-invalid` (protocol, state), `duplicate` (virtual server name, (vip, port, protocol), member (ip, port)).
 * @example createVlb({ name: 'shop-lb', vpc: 'shop', virtualServers: [{ name: 'web', vip: '192.0.2.10', port: 443,
 *   protocol: 'tcp', pool: { name: 'web', members: [{ ip: '10.0.0.5', port: 8443 }] } }] })
 */
export function createVlb(input: VlbInput): Vlb {
  const raw = checkObject(input, { kind: 'VLB' });
  const name = checkName(raw['name'], { kind: 'VLB' }, 'name');
  const where: Where = { kind: 'VLB', name };
  const vpc = checkName(raw['vpc'], where, 'vpc');
  const vsNames = new Set<string>();
  const listeners = new Map<string, string>();
  const virtualServers = checkArray(raw['virtualServers'], where, 'virtualServers').map((v, i): VlbVirtualServer => {
    const field = `virtualServers[${i}]`;
    const vs = checkObject(v, { kind: `VLB "${name}" ${field}` });
    const vsName = checkName(vs['name'], where, `${field}.name`);
    if (vsNames.has(vsName)) throw violation(Invariant.DUPLICATE, where, `has two virtual servers named ${JSON.stringify(vsName)}`, { field, value: vsName });
    vsNames.add(vsName);
    const vip = checkIp(vs['vip'], where, `${field}.vip`).text;
    const port = checkInteger(vs['port'], where, `${field}.port`, PORT_MIN, PORT_MAX, Invariant.PORT_RANGE);
    const protocol = checkEnum<VlbProtocol>(vs['protocol'], ['tcp', 'udp'], where, `${field}.protocol`);
    const key = `${protocol} ${vip.includes(':') ? `[${vip}]` : vip}:${port}`;
    const other = listeners.get(key);
    if (other !== undefined) {
      throw violation(Invariant.DUPLICATE, where, `virtual servers ${JSON.stringify(other)} and ${JSON.stringify(vsName)} both listen on ${key}`, {
        field,
        value: key,
      });
    }
    listeners.set(key, vsName);
    const rawPool = checkObject(vs['pool'], { kind: `VLB "${name}" ${field}.pool` });
    const poolName = checkName(rawPool['name'], where, `${field}.pool.name`);
    const seen = new Set<string>();
    const members = checkArray(rawPool['members'], where, `${field}.pool.members`).map((m, j): VlbMember => {
      const mField = `${field}.pool.members[${j}]`;
      const member = checkObject(m, { kind: `VLB "${name}" ${mField}` });
      const ip = checkIp(member['ip'], where, `${mField}.ip`).text;
      const mPort = checkInteger(member['port'], where, `${mField}.port`, PORT_MIN, PORT_MAX, Invariant.PORT_RANGE);
      const mKey = `${ip.includes(':') ? `[${ip}]` : ip}:${mPort}`;
      if (seen.has(mKey)) throw violation(Invariant.DUPLICATE, where, `pool ${JSON.stringify(poolName)} lists member ${mKey} twice`, { field: mField, value: mKey });
      seen.add(mKey);
      const state = member['state'] === undefined ? 'enabled' : checkEnum<VlbMemberState>(member['state'], ['enabled', 'draining', 'disabled'], where, `${mField}.state`);
      return { ip, port: mPort, state };
    });
    return { name: vsName, vip, port, protocol, pool: { name: poolName, members } };
  });
  return sealModel({ name, vpc, virtualServers });
}
