/**
 * The service-lb plugin (ARCHITECTURE §2 VLB, §6): `type: LoadBalancer` Services and their EndpointSlices → one VLB
 * per VPC with a virtual server (and pool) per TCP/UDP port of each Service.
 *
 * - **VIP**: `spec.loadBalancerIP` when it lies in a VIP pool of the profile (`addressPlan.vipPools`), else the one
 *   the Service already holds, else the next free address of the first pool that has one. VIPs are persisted per
 *   Service (owner `svc/<namespace>/<name>`) and released when the Service is gone or no longer a LoadBalancer.
 * - **Members** follow the Service's EndpointSlices: ready endpoints are `enabled`, terminating ones `draining`,
 *   others are left out.
 * - **Status**: each LoadBalancer Service in a VPC should show its VIP in `status.loadBalancer.ingress` (an empty
 *   list when it has no VIP or no port that can be load-balanced); the runtime writes it back.
 *
 * Runs after `kubernetes` (it reads the VPC of each namespace from it).
 * @packageDocumentation
 */
import { cidrContains, createVlb, ErrorCode, formatIp, isNetloomError, parseCidr, parseIp, tryParseIp, type VlbMemberState, type VlbProtocol } from '@netloom/domain';
import { compareNames as cmp, defineIntentPlugin, type IntentContext, type IntentObjectRef, type IntentPlugin, type KubeEndpointSlice, type KubeService } from '@netloom/ports';
import { LABEL_SERVICE_NAME, serviceOwnerKey, virtualServerNameOf, vlbNameOf } from './service-lb.names';

const nsName = (m: { readonly namespace?: string; readonly name: string }): string => `${m.namespace ?? ''}/${m.name}`;

interface Pool {
  readonly name: string;
  readonly cidr: string;
}

interface Member {
  ip: string;
  port: number;
  state: VlbMemberState;
}

interface VirtualServerDraft {
  name: string;
  vip: string;
  port: number;
  protocol: VlbProtocol;
  pool: { name: string; members: Member[] };
  /** The Service it belongs to (`namespace/name`). */
  service: string;
}

/**
 * The service-lb intent plugin (id `service-lb`, after `kubernetes`).
 * @example await compileIntent({ cluster, settings, store, plugins: [kubernetesPlugin, serviceLbPlugin] })
 */
export const serviceLbPlugin: IntentPlugin = defineIntentPlugin({ id: 'service-lb', after: ['kubernetes'], compile: compileServiceLb });

async function compileServiceLb(ctx: IntentContext): Promise<void> {
  const { cluster, settings, allocators, problems, network } = ctx;
  const pools: Pool[] = [];
  for (const p of settings.addressPlan.vipPools) {
    try {
      const info = await allocators.ensureVipPool({ pool: p.name, cidr: p.cidr, exclude: p.exclude ?? [] });
      pools.push({ name: p.name, cidr: info.cidr });
    } catch (e) {
      problems.reportError({ kind: 'VipPool', name: p.name }, e);
    }
  }
  const services = cluster.services.filter((s) => s.spec.type === 'LoadBalancer').sort((a, b) => cmp(nsName(a.metadata), nsName(b.metadata)));
  const wanted = new Set(services.map((s) => serviceOwnerKey(s.metadata.namespace ?? '', s.metadata.name)));
  // Release the VIPs of Services that are gone (or no longer of type LoadBalancer) first, so they can be reused.
  for (const pool of pools) {
    for (const b of await allocators.listVips({ pool: pool.name })) if (!wanted.has(b.owner)) await allocators.releaseVip({ pool: pool.name, owner: b.owner });
  }
  const byVpc = new Map<string, VirtualServerDraft[]>();
  const vipOf = new Map<string, { vip: string; vpc: string }>();
  const slicesOf = slicesByService(cluster.endpointSlices);
  for (const svc of services) {
    const ns = svc.metadata.namespace ?? '';
    const ref: IntentObjectRef = { kind: 'Service', namespace: ns, name: svc.metadata.name };
    const vpc = network.vpcOfNamespace(ns);
    if (vpc === undefined) {
      problems.report(ref, ErrorCode.NOT_FOUND, `namespace ${JSON.stringify(ns)} is unknown or in no VPC; the Service gets no VIP`);
      network.setServiceStatus({ namespace: ns, name: svc.metadata.name, status: { loadBalancer: { ingress: [] } } });
      continue;
    }
    if (problems.isVpcFailed(vpc)) continue;
    let vip: string | undefined;
    try {
      vip = await allocateVip(svc, pools, ctx, ref);
    } catch (e) {
      problems.reportError(ref, e);
    }
    if (vip === undefined) {
      network.setServiceStatus({ namespace: ns, name: svc.metadata.name, vpc, status: { loadBalancer: { ingress: [] } } });
      continue;
    }
    vipOf.set(nsName(svc.metadata), { vip, vpc });
    const list = byVpc.get(vpc) ?? [];
    for (const sp of svc.spec.ports ?? []) {
      const protocol = (sp.protocol ?? 'TCP').toLowerCase();
      if (protocol !== 'tcp' && protocol !== 'udp') {
        problems.report(ref, ErrorCode.INPUT_INVALID, `port ${sp.port}/${sp.protocol ?? ''}: only TCP and UDP ports can be load-balanced; the port is left out`);
        continue;
      }
      const name = virtualServerNameOf(ns, svc.metadata.name, protocol, sp.port);
      list.push({ name, vip, port: sp.port, protocol, pool: { name, members: membersOf(slicesOf(svc), sp, protocol) }, service: nsName(svc.metadata) });
    }
    byVpc.set(vpc, list);
  }
  /** Services with at least one virtual server on a VLB that was built. */
  const served = new Set<string>();
  for (const [vpc, drafts] of [...byVpc].sort((a, b) => cmp(a[0], b[0]))) {
    if (drafts.length === 0) continue;
    try {
      const virtualServers = drafts.sort((a, b) => cmp(a.name, b.name)).map(({ name, vip, port, protocol, pool }) => ({ name, vip, port, protocol, pool }));
      network.addVlb(createVlb({ name: vlbNameOf(vpc), vpc, virtualServers }));
      for (const d of drafts) served.add(d.service);
    } catch (e) {
      problems.reportError({ kind: 'VPC', name: vpc }, e, 'load balancer: ');
    }
  }
  for (const svc of services) {
    const key = nsName(svc.metadata);
    const got = vipOf.get(key);
    if (got === undefined) continue;
    network.setServiceStatus({ namespace: svc.metadata.namespace ?? '', name: svc.metadata.name, vpc: got.vpc, status: { loadBalancer: { ingress: served.has(key) ? [{ ip: got.vip }] : [] } } });
  }
}

/** The Service's VIP: `spec.loadBalancerIP` (inside a pool) or the one it holds, else a new one from the pools. */
async function allocateVip(svc: KubeService, pools: readonly Pool[], ctx: IntentContext, ref: IntentObjectRef): Promise<string | undefined> {
  const { allocators, problems } = ctx;
  const owner = serviceOwnerKey(svc.metadata.namespace ?? '', svc.metadata.name);
  const held: { pool: string; ip: string }[] = [];
  for (const p of pools) {
    const ip = await allocators.lookupVip({ pool: p.name, owner });
    if (ip !== undefined) held.push({ pool: p.name, ip });
  }
  const asked = svc.spec.loadBalancerIP;
  if (asked !== undefined && asked !== '') {
    const ip = tryParseIp(asked);
    const pool = ip === undefined ? undefined : pools.find((p) => cidrContains(parseCidr(p.cidr), ip));
    if (ip === undefined || pool === undefined) {
      problems.report(ref, ErrorCode.INPUT_INVALID, `spec.loadBalancerIP ${JSON.stringify(asked)} is not inside a VIP pool (${pools.map((p) => `${p.name} ${p.cidr}`).join(', ') || 'none defined'})`);
      return undefined;
    }
    const text = formatIp(ip);
    for (const h of held) if (h.pool !== pool.name || h.ip !== text) await allocators.releaseVip({ pool: h.pool, owner });
    return allocators.allocateVip({ pool: pool.name, owner, ip: text });
  }
  const mine = held[0];
  if (mine !== undefined) return allocators.allocateVip({ pool: mine.pool, owner });
  let last: unknown;
  for (const p of pools) {
    try {
      return await allocators.allocateVip({ pool: p.name, owner });
    } catch (e) {
      if (!isNetloomError(e) || e.code !== ErrorCode.EXHAUSTED) throw e;
      last = e;
    }
  }
  if (last !== undefined) throw last;
  problems.report(ref, ErrorCode.NOT_FOUND, 'no VIP pool is defined (addressPlan.vipPools); the Service gets no VIP');
  return undefined;
}

/**
 * The EndpointSlices of each Service (same namespace, label `kubernetes.io/service-name` = the Service's name), in
 * the snapshot's order; indexed once.
 */
function slicesByService(slices: readonly KubeEndpointSlice[]): (svc: KubeService) => readonly KubeEndpointSlice[] {
  const index = new Map<string | undefined, Map<string, KubeEndpointSlice[]>>();
  for (const slice of slices) {
    const service = slice.metadata.labels?.[LABEL_SERVICE_NAME];
    if (service === undefined) continue;
    let byName = index.get(slice.metadata.namespace);
    if (byName === undefined) index.set(slice.metadata.namespace, (byName = new Map()));
    const list = byName.get(service);
    if (list === undefined) byName.set(service, [slice]);
    else list.push(slice);
  }
  return (svc) => index.get(svc.metadata.namespace)?.get(svc.metadata.name) ?? [];
}

/** Pool members of one Service port: ready endpoints `enabled`, terminating ones `draining`, others left out. */
function membersOf(slices: readonly KubeEndpointSlice[], sp: NonNullable<KubeService['spec']['ports']>[number], protocol: 'tcp' | 'udp'): Member[] {
  const members = new Map<string, Member>();
  for (const slice of slices) {
    const slicePort = (slice.ports ?? []).find((p) => (p.name ?? '') === (sp.name ?? '') && (p.protocol ?? 'TCP').toLowerCase() === protocol);
    const port = slicePort?.port ?? (typeof sp.targetPort === 'number' ? sp.targetPort : sp.targetPort === undefined ? sp.port : undefined);
    if (port === undefined) continue;
    for (const ep of slice.endpoints ?? []) {
      const c = ep.conditions ?? {};
      const state: VlbMemberState | undefined = c.terminating === true ? 'draining' : c.ready !== false ? 'enabled' : undefined;
      if (state === undefined) continue;
      for (const addr of ep.addresses) {
        const ip = tryParseIp(addr);
        if (ip === undefined) continue;
        const text = formatIp(ip);
        const key = `${text} ${port}`;
        const other = members.get(key);
        if (other === undefined || (other.state !== 'enabled' && state === 'enabled')) members.set(key, { ip: text, port, state });
      }
    }
  }
  return [...members.values()].sort((a, b) => {
    const x = parseIp(a.ip);
    const y = parseIp(b.ip);
    return x.family - y.family || (x.value < y.value ? -1 : x.value > y.value ? 1 : 0) || a.port - b.port;
  });
}
