/**
 * `netloom lab test`: checks with real packets on the running lab. Each check prints one line
 * `PASS|FAIL <name> — <what was measured>`.
 * @packageDocumentation
 */
import { vsctl, vtepctl } from './lab.ovs';
import { addNode, addPod, deletePod, labControl, removeNode, rootSnapshot, startResponder, type LabCheckLine, type LabOptions } from './lab';
import { tryRun, tryRunIn, waitUntil } from './lab.exec';
import { tcpAnswers, vipAnswers, webEndpointSlice } from './lab.lb';
import { LabState, type LabPod } from './lab.state';
import { EXTRA_SUBNETS, LB_DEVICE, LEAF, OUTSIDE, PEERING, ROUTER, TENANTS, VFW, WEB_SERVICE, labFiles } from './lab.topology';
import { InputError } from '@netloom/ports';
import type { LabControl } from './lab.control';

/** True when `from` gets at least one echo reply from `ip` (three tries). */
export async function pings(from: LabPod, ip: string): Promise<boolean> {
  const r = await tryRunIn(from.netns, 'ping', ['-n', '-q', '-c', '3', '-i', '0.2', '-W', '1', ip]);
  return r.code === 0;
}

/** Pings until it works or `timeoutMs` passed (ovs-vtep and MAC learning need a moment after a change). */
async function reaches(from: LabPod, ip: string, timeoutMs = 30_000): Promise<boolean> {
  try {
    await waitUntil(`${from.name} to reach ${ip}`, () => pings(from, ip), timeoutMs, 500);
    return true;
  } catch {
    return false;
  }
}

function pod(state: LabState, namespace: string, name: string): LabPod & { ip: string } {
  const p = state.pods.find((x) => x.namespace === namespace && x.name === name);
  if (p?.ip === undefined) throw new InputError(`lab: pod ${namespace}/${name} is not in the lab (was lab up complete?)`);
  return p as LabPod & { ip: string };
}

/** The VLAN tag of a pod's CNI port, read back from its node's OVSDB. */
async function podTag(state: LabState, p: LabPod): Promise<number | undefined> {
  const node = state.nodes.find((n) => n.name === p.node);
  if (node === undefined) return undefined;
  const out = await vsctl(node.dir, '--format=json', '--columns=tag', 'find', 'Port', 'external_ids:netloom-kind=cni-port', `external_ids:netloom-pod-namespace=${p.namespace}`, `external_ids:netloom-pod-name=${p.name}`);
  const rows = (JSON.parse(out) as { data?: unknown[][] }).data ?? [];
  const tag = rows[0]?.[0];
  return typeof tag === 'number' ? tag : undefined;
}

/** The (vlan, logical switch) bindings of a leaf port, read from the emulator's hardware_vtep database. */
async function leafBindings(state: LabState, port: string): Promise<string[]> {
  const dir = labFiles(state.dir).leafDir;
  const r = await vtepctl(dir, 'list-bindings', LEAF, port).catch(() => '');
  return r.split('\n').filter((l) => l.trim() !== '');
}

type Check = (state: LabState, control: LabControl, o: LabOptions) => Promise<LabCheckLine>;

const sameSubnetAcrossNodes: Check = async (state) => {
  const a1 = pod(state, 'red', 'a1');
  const a2 = pod(state, 'red', 'a2');
  const there = await reaches(a1, a2.ip);
  const back = there && (await pings(a2, a1.ip));
  return {
    status: there && back ? 'PASS' : 'FAIL',
    name: 'same subnet, different nodes',
    detail: `red/a1 (${a1.ip}, ${a1.node}) ${there ? 'reaches' : 'does NOT reach'} red/a2 (${a2.ip}, ${a2.node}) through ${LEAF}; back ${back ? 'too' : 'NOT'}`,
  };
};

const perHostVlans: Check = async (state) => {
  const a1 = pod(state, 'red', 'a1');
  const a2 = pod(state, 'red', 'a2');
  const t1 = await podTag(state, a1);
  const t2 = await podTag(state, a2);
  const n1 = state.nodes.find((n) => n.name === a1.node)!;
  const n2 = state.nodes.find((n) => n.name === a2.node)!;
  const b1 = (await leafBindings(state, n1.leafPort)).join('; ');
  const b2 = (await leafBindings(state, n2.leafPort)).join('; ');
  const ok = t1 !== undefined && t2 !== undefined && t1 !== t2;
  return {
    status: ok ? 'PASS' : 'FAIL',
    name: 'per-host VLANs of one LS differ',
    detail: `LS red-web: tag ${String(t1)} on ${a1.node}, tag ${String(t2)} on ${a2.node} (ovs-vsctl in each node); leaf bindings ${n1.leafPort}: [${b1}], ${n2.leafPort}: [${b2}]`,
  };
};

const otherVpcIsolated: Check = async (state) => {
  const a1 = pod(state, 'red', 'a1');
  const a2 = pod(state, 'red', 'a2');
  const b1 = pod(state, 'blue', 'b1');
  const b2 = pod(state, 'blue', 'b2');
  // The control: blue's own pods reach each other, so the silence towards red is isolation, not a broken pod.
  const own = await reaches(b1, b2.ip);
  const leaks = [(await pings(b1, a1.ip)) ? `b1->a1 ${a1.ip}` : '', (await pings(b1, a2.ip)) ? `b1->a2 ${a2.ip}` : '', (await pings(a1, b1.ip)) ? `a1->b1 ${b1.ip}` : ''].filter((x) => x !== '');
  return {
    status: own && leaks.length === 0 ? 'PASS' : 'FAIL',
    name: 'other VPC unreachable (overlapping CIDR)',
    detail: `VPC blue (blue-web 10.60.1.0/24, same CIDR as red-web): b1 ${own ? 'reaches' : 'does NOT reach'} b2; ${leaks.length === 0 ? 'no ping between blue and red pods answered' : `answered: ${leaks.join(', ')}`}`,
  };
};

const fixedIpKept: Check = async (state, control, o) => {
  const before = pod(state, 'red', 'fixed-0');
  const a1 = pod(state, 'red', 'a1');
  await deletePod(state, control, 'red', 'fixed-0');
  const gone = !(await pings(a1, before.ip));
  const again = await addPod({ dir: o.dir }, state, control, { namespace: 'red', name: 'fixed-0', node: before.node, fixedIp: '10.60.1.150' });
  const annotated = (await control.list('Pod', 'red')).find((p) => (p['metadata'] as { name?: string } | undefined)?.name === 'fixed-0');
  const annotation = (annotated?.['metadata'] as { annotations?: Record<string, string> } | undefined)?.annotations?.['netloom.io/allocated-ips'];
  const back = await reaches(a1, again.ip);
  const ok = again.ip === before.ip && annotation === before.ip && back && gone;
  return {
    status: ok ? 'PASS' : 'FAIL',
    name: 'fixed IP kept across delete and re-create',
    detail: `red/fixed-0 ${before.ip} deleted (${gone ? 'unreachable' : 'STILL reachable'} after DEL), re-created with ${again.ip} (annotation ${String(annotation)}), ${back ? 'reachable' : 'NOT reachable'} from red/a1`,
  };
};

const nodeAddRemove: Check = async (state, control, o) => {
  const index = Math.max(...state.nodes.map((n) => n.index)) + 1;
  const node = await addNode({ dir: o.dir }, state, control, index);
  const d1 = await addPod({ dir: o.dir }, state, control, { namespace: 'red', name: 'd1', node: node.name });
  let appeared: string[] = [];
  await waitUntil(`a binding on ${node.leafPort}`, async () => (appeared = await leafBindings(state, node.leafPort)).length > 0, 30_000).catch(() => undefined);
  const a1 = pod(state, 'red', 'a1');
  const reach = appeared.length > 0 && (await reaches(a1, d1.ip));
  await removeNode({ dir: o.dir }, state, control, node.name);
  let left: string[] = appeared;
  await waitUntil(`the bindings on ${node.leafPort} to go`, async () => (left = await leafBindings(state, node.leafPort)).length === 0, 30_000).catch(() => undefined);
  const ok = appeared.length > 0 && reach && left.length === 0;
  return {
    status: ok ? 'PASS' : 'FAIL',
    name: 'leaf bindings follow nodes',
    detail: `${node.name} added: binding on ${LEAF}:${node.leafPort} [${appeared.join('; ')}], red/d1 ${reach ? 'reachable' : 'NOT reachable'} from red/a1; removed: bindings left [${left.join('; ')}]`,
  };
};

/** The TTL of `from`'s echo reply from `ip` (one answer), or undefined when none came. */
async function replyTtl(from: LabPod, ip: string): Promise<number | undefined> {
  const r = await tryRunIn(from.netns, 'ping', ['-n', '-c', '1', '-W', '2', ip]);
  const m = /ttl=(\d+)/.exec(r.stdout);
  return m === null ? undefined : Number(m[1]);
}

/** The router's VRF namespace that holds `gateway` (an address of one of its segment bridges), if any. */
async function vrfHolding(vrfs: readonly string[], gateway: string): Promise<string | undefined> {
  for (const ns of vrfs) {
    const r = await tryRun('ip', ['-n', ns, '-o', '-4', 'addr', 'show']);
    if (r.code === 0 && r.stdout.includes(` ${gateway}/`)) return ns;
  }
  return undefined;
}

const routedSubnets: Check = async (state) => {
  const a1 = pod(state, 'red', 'a1');
  const c1 = pod(state, 'red', 'c1');
  const b1 = pod(state, 'blue', 'b1');
  const api = EXTRA_SUBNETS[0];
  // The router's VRFs and legs come with a reconcile pass, and ovs-vtep needs a moment for the new bindings.
  const there = await reaches(a1, c1.ip, 60_000);
  const back = there && (await pings(c1, a1.ip));
  // Linux starts at TTL 64: an answer with 63 crossed exactly one router.
  const ttl = there ? await replyTtl(a1, c1.ip) : undefined;
  const vrfs = (await rootSnapshot()).netns.filter((n) => n.startsWith(ROUTER.vrfPrefix));
  const redVrf = await vrfHolding(vrfs, api.gateway);
  // The control: blue's own gateway answers (blue's VRF, the same address as red-web's gateway), so the silence
  // towards red/c1 is the separation of the VRFs, not a broken blue pod.
  const blueGw = await reaches(b1, TENANTS.blue.gateway, 30_000);
  const leak = await pings(b1, c1.ip);
  const ok = there && back && ttl === 63 && redVrf !== undefined && vrfs.length >= 2 && blueGw && !leak;
  return {
    status: ok ? 'PASS' : 'FAIL',
    name: 'subnets of one VPC route through its router',
    detail:
      `red/a1 (${a1.ip}, ${TENANTS.red.subnet}, ${a1.node}) ${there ? 'reaches' : 'does NOT reach'} red/c1 (${c1.ip}, ${api.subnet}, ${c1.node}) through ${ROUTER.device} ` +
      `(VRF namespace ${redVrf ?? 'NOT found'} holds gateway ${api.gateway}; reply TTL ${String(ttl)}); back ${back ? 'too' : 'NOT'}; ` +
      `VRF namespaces [${vrfs.join(', ')}]; blue/b1 ${blueGw ? 'reaches' : 'does NOT reach'} its own gateway ${TENANTS.blue.gateway} and ${leak ? 'REACHES' : 'does not reach'} red/c1`,
  };
};

/** Polls rounds of `count` connections to the VIP until `good` holds for a round; returns the last round. */
async function vipRounds(count: number, good: (answers: readonly string[]) => boolean, timeoutMs = 90_000): Promise<{ ok: boolean; answers: string[]; rounds: number }> {
  let answers: string[] = [];
  let rounds = 0;
  try {
    await waitUntil(`the VIP ${OUTSIDE.vip}:${WEB_SERVICE.port} to answer as expected`, async () => {
      rounds++;
      answers = await vipAnswers(count);
      return good(answers);
    }, timeoutMs, 1000);
    return { ok: true, answers, rounds };
  } catch {
    return { ok: false, answers, rounds };
  }
}

/** True when every answer is one of `allowed` and each of `seen` answered at least once. */
function onlyAndAll(answers: readonly string[], allowed: readonly string[], seen: readonly string[]): boolean {
  return answers.length > 0 && answers.every((a) => allowed.includes(a)) && seen.every((n) => answers.includes(n));
}

/** The Service's `status.loadBalancer.ingress` IPs. */
async function serviceIngress(control: LabControl): Promise<string[]> {
  const svc = (await control.list('Service', WEB_SERVICE.namespace)).find((x) => (x['metadata'] as { name?: string } | undefined)?.name === WEB_SERVICE.name);
  const ingress = (svc?.['status'] as { loadBalancer?: { ingress?: Array<{ ip?: string }> } } | undefined)?.loadBalancer?.ingress ?? [];
  return ingress.flatMap((i) => (i.ip !== undefined ? [i.ip] : []));
}

const vipReadyOnly: Check = async (state, control) => {
  const ready = ['web-1', 'web-2'];
  // The pool as `up` made it, also when `lab test` runs again (the scaling check adds web-3 and takes web-1 out).
  if (state.pods.some((p) => p.namespace === 'red' && p.name === 'web-3')) await deletePod(state, control, 'red', 'web-3');
  await control.put([webEndpointSlice(ready.map((n) => ({ pod: pod(state, 'red', n), ready: true })))]);
  const round = await vipRounds(6, (a) => onlyAndAll(a, ready, ready));
  let ingress: string[] = [];
  await waitUntil('the Service ingress', async () => (ingress = await serviceIngress(control)).includes(OUTSIDE.vip), 30_000).catch(() => undefined);
  const shown = ingress.includes(OUTSIDE.vip);
  return {
    status: round.ok && shown ? 'PASS' : 'FAIL',
    name: 'LoadBalancer VIP answers from ready pods only',
    detail: `${OUTSIDE.clientNs} -> ${OUTSIDE.vip}:${WEB_SERVICE.port} (${LB_DEVICE}, F5 simulator): 6 connections answered [${round.answers.join(', ')}] (ready: ${ready.join(', ')}; ${round.rounds} round(s)); Service ${WEB_SERVICE.namespace}/${WEB_SERVICE.name} ingress [${ingress.join(', ')}]`,
  };
};

const vipScaling: Check = async (state, control, o) => {
  const web1 = pod(state, 'red', 'web-1');
  const web2 = pod(state, 'red', 'web-2');
  const web3 = await addPod({ dir: o.dir }, state, control, { namespace: 'red', name: 'web-3', node: 'node-3', tcp: true });
  await startResponder(state, web3, WEB_SERVICE.port);
  await control.put([webEndpointSlice([web1, web2, web3].map((p) => ({ pod: p, ready: true })))]);
  const all = ['web-1', 'web-2', 'web-3'];
  const up = await vipRounds(9, (a) => onlyAndAll(a, all, all));
  // web-1 stops being ready: the endpoint stays in the slice with conditions.ready false, as a failing readiness
  // probe would leave it.
  await control.put([webEndpointSlice([{ pod: web1, ready: false }, { pod: web2, ready: true }, { pod: web3, ready: true }])]);
  const rest = ['web-2', 'web-3'];
  const down = await vipRounds(6, (a) => onlyAndAll(a, rest, rest));
  return {
    status: up.ok && down.ok ? 'PASS' : 'FAIL',
    name: 'scaling changes the pool',
    detail: `web-3 (${web3.ip}, ${web3.node}) added ready: 9 connections answered [${up.answers.join(', ')}]; web-1 marked not ready: 6 connections answered [${down.answers.join(', ')}]${down.answers.includes('web-1') ? ' (web-1 STILL answers)' : ''}`,
  };
};

/** A leg of the VFW as read from its namespace: interface, IPv4 address, packets received. */
interface VfwLeg {
  readonly name: string;
  readonly address: string;
  readonly rxPackets: number;
}

interface IpLinkStats {
  readonly ifname?: string;
  readonly ifalias?: string;
  readonly stats64?: { readonly rx?: { readonly packets?: number } };
}
interface IpAddrInfo {
  readonly ifname?: string;
  readonly addr_info?: ReadonlyArray<{ readonly family?: string; readonly local?: string; readonly prefixlen?: number }>;
}

/** The legs the nftables adapter made in the VFW's namespace (interfaces with its leg marker). */
async function vfwLegs(): Promise<VfwLeg[]> {
  const links = await tryRun('ip', ['-n', VFW.ns, '-j', '-s', 'link', 'show']);
  const addrs = await tryRun('ip', ['-n', VFW.ns, '-j', '-4', 'addr', 'show']);
  if (links.code !== 0 || addrs.code !== 0) return [];
  const byName = new Map((JSON.parse(addrs.stdout) as IpAddrInfo[]).map((a) => [a.ifname ?? '', a.addr_info?.find((i) => i.family === 'inet')]));
  return (JSON.parse(links.stdout) as IpLinkStats[])
    .filter((l) => l.ifalias?.startsWith('netloom:leg:') === true && l.ifname !== undefined)
    .map((l) => {
      const a = byName.get(l.ifname!);
      return { name: l.ifname!, address: a?.local !== undefined ? `${a.local}/${String(a.prefixlen)}` : '-', rxPackets: l.stats64?.rx?.packets ?? 0 };
    })
    .sort((x, y) => x.name.localeCompare(y.name));
}

const rxSum = (legs: readonly VfwLeg[]): number => legs.reduce((n, l) => n + l.rxPackets, 0);

/** The route of `prefix` in a VRF namespace of the router (`10.61.1.0/24 via 10.60.1.3 dev ... proto static`), or ''. */
async function vrfRoute(ns: string | undefined, prefix: string): Promise<string> {
  if (ns === undefined) return '';
  const r = await tryRun('ip', ['-n', ns, '-4', 'route', 'show', prefix]);
  return r.code === 0 ? r.stdout.trim().replace(/\s+/g, ' ') : '';
}

/** Waits until `from` -> `host:port` answers with `want` (`!` for anything but an answer) or `timeoutMs` passed. */
async function tcpUntil(from: LabPod, host: string, port: number, want: 'answer' | 'none', timeoutMs: number): Promise<string> {
  let last = '';
  await waitUntil(
    `${from.name} -> ${host}:${port} to ${want === 'answer' ? 'answer' : 'stop answering'}`,
    async () => {
      last = (await tcpAnswers(from.netns, host, port, 1))[0] ?? '!no result';
      return want === 'answer' ? !last.startsWith('!') : last.startsWith('!');
    },
    timeoutMs,
    1000,
  ).catch(() => undefined);
  return last;
}

/** The `Ready` condition of the lab's VpcPeering (`True/Programmed`), or '' when it has none yet. */
async function peeringReady(control: LabControl): Promise<string> {
  const cr = (await control.list('VpcPeering')).find((x) => (x['metadata'] as { name?: string } | undefined)?.name === PEERING.name);
  const ready = ((cr?.['status'] as { conditions?: Array<{ type?: string; status?: string; reason?: string }> } | undefined)?.conditions ?? []).find((c) => c.type === 'Ready');
  return ready === undefined ? '' : `${ready.status ?? '?'}/${ready.reason ?? '?'}`;
}

const PEERING_REF = { apiVersion: 'netloom.io/v1alpha1', kind: 'VpcPeering', name: PEERING.name } as const;

const peeringOpensOnlyItsPort: Check = async (state, control) => {
  const a1 = pod(state, 'red', 'a1');
  const g1 = pod(state, 'green', 'g1');
  const { port, closedPort } = PEERING;
  // A peering left by an interrupted run goes first.
  await control.remove([PEERING_REF]);
  // The control: green's pod reaches its own gateway (green's VRF on the router), so silence towards it is policy.
  const alive = await reaches(g1, TENANTS.green.gateway, 60_000);
  const before = await tcpUntil(a1, g1.ip, port, 'none', 60_000);

  await control.put([{ apiVersion: PEERING_REF.apiVersion, kind: PEERING_REF.kind, metadata: { name: PEERING.name }, spec: { vpcs: [...PEERING.vpcs], allow: [{ protocol: 'tcp', ports: [port] }] } }]);
  // Legs (VLAN + address per peered LS), leaf bindings, VRF routes and the nft policy come with a reconcile pass;
  // ovs-vtep and MAC learning need a moment after them.
  const opened = await tcpUntil(a1, g1.ip, port, 'answer', 120_000);
  const legsBefore = await vfwLegs();
  const answers = await tcpAnswers(a1.netns, g1.ip, port, 3);
  const legsAfter = await vfwLegs();
  const through = rxSum(legsAfter) - rxSum(legsBefore);
  const closed = (await tcpAnswers(a1.netns, g1.ip, closedPort, 1))[0] ?? '';
  const icmp = await pings(a1, g1.ip);
  const vrfs = (await rootSnapshot()).netns.filter((n) => n.startsWith(ROUTER.vrfPrefix));
  const redVrf = await vrfHolding(vrfs, EXTRA_SUBNETS[0].gateway);
  const route = await vrfRoute(redVrf, TENANTS.green.cidr);
  const nextHop = /via (\S+)/.exec(route)?.[1];
  const viaLeg = nextHop !== undefined && legsAfter.some((l) => l.address.startsWith(`${nextHop}/`));
  let ready = '';
  await waitUntil('the VpcPeering to be Ready', async () => (ready = await peeringReady(control)).startsWith('True'), 30_000).catch(() => undefined);

  await control.remove([PEERING_REF]);
  const after = await tcpUntil(a1, g1.ip, port, 'none', 90_000);
  let legsLeft: VfwLeg[] = legsAfter;
  await waitUntil('the VFW legs to go', async () => (legsLeft = await vfwLegs()).length === 0, 60_000).catch(() => undefined);
  const routeLeft = await vrfRoute(redVrf, TENANTS.green.cidr);

  const ok =
    alive && before.startsWith('!') && !opened.startsWith('!') && answers.every((a) => a === g1.name) && through > 0 && closed.startsWith('!') && !icmp && viaLeg && ready.startsWith('True') && after.startsWith('!') && legsLeft.length === 0 && routeLeft === '';
  return {
    status: ok ? 'PASS' : 'FAIL',
    name: 'VpcPeering opens only the allowed port',
    detail:
      `red/a1 (${a1.ip}) -> green/g1 (${g1.ip}):${port} before the peering: ${before} (g1 ${alive ? 'reaches' : 'does NOT reach'} its gateway ${TENANTS.green.gateway}); ` +
      `VpcPeering ${PEERING.name} (tcp/${port}, Ready ${ready || 'not set'}): ${port} answers [${answers.join(', ')}], ${closedPort} ${closed}, ping ${icmp ? 'ANSWERED' : 'unanswered'}; ` +
      `red VRF ${redVrf ?? 'NOT found'}: ${route || 'no route'}${viaLeg ? '' : ' (NOT via a VFW leg)'}; ${VFW.device} legs [${legsAfter.map((l) => `${l.name} ${l.address}`).join(', ')}] received ${through} packets during the 3 connections; ` +
      `deleted: ${port} ${after}, legs left [${legsLeft.map((l) => l.name).join(', ')}], red VRF route ${routeLeft === '' ? 'gone' : `LEFT: ${routeLeft}`}`,
  };
};

/** The checks of this milestone, in order. */
export const LAB_CHECKS: ReadonlyArray<readonly [string, Check]> = [
  ['same subnet, different nodes', sameSubnetAcrossNodes],
  ['per-host VLANs of one LS differ', perHostVlans],
  ['other VPC unreachable (overlapping CIDR)', otherVpcIsolated],
  ['fixed IP kept across delete and re-create', fixedIpKept],
  ['leaf bindings follow nodes', nodeAddRemove],
  ['subnets of one VPC route through its router', routedSubnets],
  ['LoadBalancer VIP answers from ready pods only', vipReadyOnly],
  ['scaling changes the pool', vipScaling],
  ['VpcPeering opens only the allowed port', peeringOpensOnlyItsPort],
];

/**
 * Runs every check on the lab in `o.dir`; a check that throws is a FAIL with the error. Prints each line as it comes.
 * @example const lines = await labTest({ dir: '/run/netloom-lab', print: console.log });
 */
export async function labTest(o: LabOptions): Promise<LabCheckLine[]> {
  const state = LabState.load(o.dir);
  if (state === undefined) throw new InputError(`no lab in ${o.dir} (no state file): run netloom lab up first`);
  const control = labControl(state.dir);
  await control.status();
  const lines: LabCheckLine[] = [];
  const emit = (l: LabCheckLine): void => {
    lines.push(l);
    o.print?.(formatCheck(l));
  };
  for (const [name, check] of LAB_CHECKS) {
    try {
      emit(await check(state, control, o));
    } catch (e) {
      emit({ status: 'FAIL', name, detail: `error: ${e instanceof Error ? e.message : String(e)}` });
    }
  }
  const status = await control.status();
  emit({
    status: status.loopError === null && (status.lastError === null || status.failingDevices.length === 0) ? 'PASS' : 'FAIL',
    name: 'controller healthy',
    detail: `${status.passes} reconcile passes, failing devices [${status.failingDevices.join(', ')}]${
      status.loopError !== null
        ? `, the controller loop FAILED: ${status.loopError}`
        : status.lastError === null
          ? ''
          : status.failingDevices.length === 0
            ? `; an earlier pass failed on a device and a later one recovered (last error: ${status.lastError.replace(/\s*\n\s*/g, ' ')})`
            : `, last device error: ${status.lastError}`
    }`,
  });
  return lines;
}

/** `PASS name — detail`. */
export function formatCheck(l: LabCheckLine): string {
  return `${l.status} ${l.name} — ${l.detail}`;
}
