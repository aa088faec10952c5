'use strict';
// Planner figures at data-center scale: compileIntent → project → decode + diffConfig per device, on a synthetic
// cluster (default 5,000 nodes, 150,000 pods, 1,000 namespaces each its own VPC, 10,000 LoadBalancer Services with
// EndpointSlices), on the in-memory store. Three passes: the first on an empty store (every allocation made), a
// steady-state pass (every allocation held, diff against the first pass: expect no changes), and a one-pod change
// (add one pod, then delete it again). Prints times, peak heap and the targets; asserts nothing about time.
//
//   npm run bench -- planner                        default scale 0.2 (about a minute on 2 cores)
//   BENCH_SCALE=1 npm run bench -- planner           full scale (over 20 minutes today: the first pass alone took
//                                                    ~7 minutes on 2 cores, the store's list scans are quadratic)
//   BENCH_SCALE=0.05 npm run bench -- planner        nodes, pods, namespaces and Services x 0.05
//   BENCH_CPU_PROF=1 npm run bench -- planner        also write a CPU profile and print the top self-time functions
//                                                    (BENCH_CPU_PROF=<dir> keeps the .cpuprofile there)
//
// The figures are taken in a child process `node --expose-gc --max-old-space-size=4096` (the parent only spawns it,
// so every run uses the same heap limit). There is no incremental path in the engine yet: the one-pod change is a
// full recompute, and is measured as such.
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const v8 = require('node:v8');
const { spawnSync } = require('node:child_process');
const { setInterval, clearInterval } = require('node:timers');

const HEAP_LIMIT_MB = 4096;
const TARGETS = { fullMs: 2000, onePodMs: 10, peakHeapBytes: 2 * 1024 ** 3 };

// --- parent: spawn the measuring child --------------------------------------------------------------------------

if (process.env.NETLOOM_PLANNER_BENCH_CHILD !== '1') {
  const prof = process.env.BENCH_CPU_PROF;
  const profDir = prof === undefined || prof === '' || prof === '0' ? undefined : prof === '1' ? fs.mkdtempSync(path.join(os.tmpdir(), 'netloom-prof-')) : path.resolve(prof);
  const args = ['--expose-gc', `--max-old-space-size=${HEAP_LIMIT_MB}`];
  if (profDir !== undefined) {
    fs.mkdirSync(profDir, { recursive: true });
    args.push('--cpu-prof', `--cpu-prof-dir=${profDir}`);
  }
  const r = spawnSync(process.execPath, [...args, module.filename], { stdio: 'inherit', env: { ...process.env, NETLOOM_PLANNER_BENCH_CHILD: '1' } });
  if (profDir !== undefined && r.status === 0) {
    summariseProfile(profDir);
    if (prof === '1') fs.rmSync(profDir, { recursive: true, force: true });
  }
  process.exit(r.status ?? 1);
}

/** Prints the functions with the most self time, from the newest .cpuprofile in `dir`. */
function summariseProfile(dir) {
  const files = fs.readdirSync(dir).filter((f) => f.endsWith('.cpuprofile')).map((f) => path.join(dir, f));
  const file = files.sort((a, b) => fs.statSync(b).mtimeMs - fs.statSync(a).mtimeMs)[0];
  if (file === undefined) return;
  const p = JSON.parse(fs.readFileSync(file, 'utf8'));
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const self = new Map();
  let total = 0;
  for (let i = 0; i < p.samples.length; i++) {
    const n = byId.get(p.samples[i]);
    const dt = (p.timeDeltas[i] ?? 0) / 1000;
    total += dt;
    const cf = n.callFrame;
    const where = cf.url === '' ? '' : ` ${cf.url.replace(/^file:\/\//, '').replace(process.cwd() + path.sep, '').replace(/.*node_modules\//, '')}:${cf.lineNumber + 1}`;
    const key = `${cf.functionName || '(anonymous)'}${where}`;
    self.set(key, (self.get(key) ?? 0) + dt);
  }
  console.log(`\nCPU profile (${(total / 1000).toFixed(1)} s sampled, whole child run incl. cluster build), top self time:`);
  for (const [k, ms] of [...self].sort((a, b) => b[1] - a[1]).slice(0, 25)) console.log(`  ${ms.toFixed(0).padStart(8)} ms ${((100 * ms) / total).toFixed(1).padStart(5)}%  ${k}`);
  if (process.env.BENCH_CPU_PROF !== '1') console.log(`profile: ${file}`);
}

// --- child: the measurements -------------------------------------------------------------------------------------

const { compileIntent, project, vocabularyOf, MemoryStore } = require('@netloom/engine');
const { decodeOrThrow, diffConfig } = require('@netloom/ports');
// The intent mapping lives in the plugins (ADR 0009); the bench runs all three, as the default profiles do.
const PLUGINS = [require('@netloom/plugin-kubernetes').plugin, require('@netloom/plugin-service-lb').plugin, require('@netloom/plugin-vpc-peering').plugin];

/** Full scale takes over 20 minutes today (quadratic store scans), so the default is what finishes in about a minute. */
const DEFAULT_SCALE = 0.2;
const SCALE = Number(process.env.BENCH_SCALE ?? DEFAULT_SCALE);
if (!(SCALE > 0)) throw new Error(`BENCH_SCALE must be a positive number, got ${process.env.BENCH_SCALE}`);
const NODES = Math.max(1, Math.round(5000 * SCALE));
const NAMESPACES = Math.max(1, Math.round(1000 * SCALE));
const PODS_PER_NS = 150;
const SERVICES_PER_NS = 10;
const NODES_PER_LEAF = 50;
const LEAFS = Math.ceil(NODES / NODES_PER_LEAF);
const SUBNET_PREFIX = 22; // 1,021 assignable addresses per namespace: room for 150 pods and churn
const CONTAINER_BLOCK = '10.0.0.0/8';

const pad = (n, w) => String(n).padStart(w, '0');
const nsNameOf = (j) => `ns-${pad(j, 4)}`;
const podNameOf = (k) => `p-${pad(k, 4)}`;
const nodeNameOf = (i) => `node-${pad(i, 4)}`;

// --- heap sampling ---------------------------------------------------------------------------------------------------
// The compiler's store round trips are promise chains that never yield to the timer phase, so a timer alone would
// only see the gaps between phases: the heap is also sampled every SAMPLE_EVERY store operations (the store's
// methods are wrapped without an extra await) and after every device in projection and diff.

const SAMPLE_EVERY = 2000;
let peakHeap = 0;
let samples = 0;
function sampleHeap() {
  const used = v8.getHeapStatistics().used_heap_size;
  samples++;
  if (used > peakHeap) peakHeap = used;
  return used;
}

const ops = { get: 0, list: 0, commit: 0, listScanned: 0 };
function instrumentedStore() {
  const store = new MemoryStore();
  let n = 0;
  for (const op of ['get', 'list', 'commit']) {
    const orig = store[op].bind(store);
    store[op] = (o) => {
      ops[op]++;
      if (++n % SAMPLE_EVERY === 0) sampleHeap();
      if (op !== 'list') return orig(o);
      // The entries a list returned (the store answers a prefix from its sorted key index).
      return orig(o).then((entries) => {
        ops.listScanned += entries.length;
        return entries;
      });
    };
  }
  return store;
}

// --- the synthetic cluster -------------------------------------------------------------------------------------------

let uid = 0;
const meta = (name, extra = {}) => ({ name, uid: `uid-${++uid}`, resourceVersion: '1', ...extra });

/** The address the k-th pod (by name) of the j-th namespace gets on an empty store, predicted (checked after the first pass). */
function predictedPodIp(vpcRank, k) {
  const base = (10 << 24) + vpcRank * 2 ** (32 - SUBNET_PREFIX) + 2 + k; // .0 network, .1 gateway
  return [base >>> 24, (base >>> 16) & 255, (base >>> 8) & 255, base & 255].join('.');
}

function buildCluster() {
  const namespaces = [{ kind: 'Namespace', metadata: meta('kube-system') }];
  for (let j = 0; j < NAMESPACES; j++) namespaces.push({ kind: 'Namespace', metadata: meta(nsNameOf(j)) });
  // VPCs carve their default subnets in name order: kube-system first, then ns-0000, ...
  const vpcRank = new Map(namespaces.map((n) => n.metadata.name).sort().map((name, i) => [name, i]));
  const nodes = [];
  const topology = [];
  for (let i = 0; i < NODES; i++) {
    const name = nodeNameOf(i);
    nodes.push({ kind: 'Node', metadata: meta(name), status: { addresses: [{ type: 'InternalIP', address: `172.16.${i >> 8}.${i & 255}` }] } });
    topology.push({ name, leaf: `leaf-${pad(Math.floor(i / NODES_PER_LEAF), 3)}`, port: `Eth1/${(i % NODES_PER_LEAF) + 1}`, vswitch: `vs-${name}` });
  }
  const pods = [];
  const services = [];
  const endpointSlices = [];
  for (let j = 0; j < NAMESPACES; j++) {
    const ns = nsNameOf(j);
    for (let k = 0; k < PODS_PER_NS; k++) {
      const g = j * PODS_PER_NS + k;
      pods.push({ kind: 'Pod', metadata: meta(podNameOf(k), { namespace: ns }), spec: { nodeName: nodeNameOf((g * 7) % NODES) }, status: { phase: 'Running' } });
    }
    for (let s = 0; s < SERVICES_PER_NS; s++) {
      const svc = `svc-${pad(s, 2)}`;
      services.push({ kind: 'Service', metadata: meta(svc, { namespace: ns }), spec: { type: 'LoadBalancer', ports: [{ port: 80, protocol: 'TCP', targetPort: 8080 }] } });
      const endpoints = [];
      for (let k = s; k < PODS_PER_NS; k += SERVICES_PER_NS) endpoints.push({ addresses: [predictedPodIp(vpcRank.get(ns), k)], conditions: { ready: true } });
      endpointSlices.push({
        kind: 'EndpointSlice',
        metadata: meta(`${svc}-x7k2p`, { namespace: ns, labels: { 'kubernetes.io/service-name': svc } }),
        addressType: 'IPv4',
        endpoints,
        ports: [{ port: 8080, protocol: 'TCP' }],
      });
    }
  }
  const cluster = { namespaces, nodes, pods, services, endpointSlices, subnets: [], peerings: [] };
  const settings = {
    vpcPolicy: 'per-namespace',
    overlay: 'network',
    addressPlan: {
      vni: { l2: [{ from: 100000, to: 199999 }], l3: [{ from: 200000, to: 209999 }] },
      vlan: { from: 100, to: 3999 },
      containerBlocks: [CONTAINER_BLOCK],
      defaultSubnetPrefix: { ipv4: SUBNET_PREFIX, ipv6: 64 },
      vipPools: [{ name: 'public', cidr: '100.64.0.0/16' }],
    },
    topology: { nodes: topology },
    devices: [
      ...Array.from({ length: LEAFS }, (_, l) => ({ name: `leaf-${pad(l, 3)}`, role: 'leaf' })),
      ...topology.map((t) => ({ name: t.vswitch, role: 'vswitch' })),
      { name: 'fw1', role: 'firewall' },
      { name: 'lb1', role: 'loadBalancer' },
    ],
  };
  return { cluster, settings };
}

// --- one pass ----------------------------------------------------------------------------------------------------------

const now = () => process.hrtime.bigint();
const msSince = (t0) => Number(process.hrtime.bigint() - t0) / 1e6;

/**
 * compile → project → decode → diff, each timed. `observed` maps a device to its decoded observed config (absent:
 * the vocabulary's empty config, a fresh device).
 */
async function pass(cluster, settings, store, observed) {
  const before = { ...ops };
  let t = now();
  const desired = await compileIntent({ cluster, settings, store, plugins: PLUGINS });
  const compileMs = msSince(t);
  sampleHeap();
  t = now();
  const configs = project({ desired, settings });
  const projectMs = msSince(t);
  sampleHeap();
  let decodeMs = 0;
  let diffMs = 0;
  let changes = 0;
  let changedDevices = 0;
  const decoded = new Map();
  let i = 0;
  for (const [name, d] of configs.devices) {
    const vocabulary = vocabularyOf(d.port);
    t = now();
    const want = decodeOrThrow(vocabulary.configCodec, d.config, `desired ${d.port} config of ${name}`);
    decodeMs += msSince(t);
    t = now();
    const list = diffConfig({ desired: want, observed: observed?.get(name) ?? vocabulary.empty(), order: vocabulary.order });
    diffMs += msSince(t);
    decoded.set(name, want);
    changes += list.length;
    if (list.length > 0) changedDevices++;
    if (++i % 500 === 0) sampleHeap();
  }
  sampleHeap();
  globalThis.gc?.();
  const liveHeap = v8.getHeapStatistics().used_heap_size;
  const storeOps = { get: ops.get - before.get, list: ops.list - before.list, commit: ops.commit - before.commit, listScanned: ops.listScanned - before.listScanned };
  return { desired, configs, decoded, compileMs, projectMs, decodeMs, diffMs, totalMs: compileMs + projectMs + decodeMs + diffMs, liveHeap, changes, changedDevices, storeOps };
}

// --- reporting -------------------------------------------------------------------------------------------------------

const fmtMs = (ms) => (ms >= 10000 ? `${(ms / 1000).toFixed(1)} s` : ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(ms < 10 ? 2 : 0)} ms`);
const fmtBytes = (b) => (b >= 1024 ** 3 ? `${(b / 1024 ** 3).toFixed(2)} GiB` : `${(b / 1024 ** 2).toFixed(0)} MiB`);
const kilo = (n) => (n >= 1e6 ? `${(n / 1e6).toFixed(2)}M` : n >= 1e4 ? `${(n / 1e3).toFixed(0)}k` : String(n));

function printPass(label, r) {
  const o = r.storeOps;
  console.log(
    `${label.padEnd(22)} compile ${fmtMs(r.compileMs).padStart(9)} | project ${fmtMs(r.projectMs).padStart(8)} | decode ${fmtMs(r.decodeMs).padStart(8)} | diff ${fmtMs(r.diffMs).padStart(8)} | total ${fmtMs(r.totalMs).padStart(9)}` +
      ` | ${kilo(r.changes)} changes on ${r.changedDevices} devices`,
  );
  console.log(`${''.padEnd(22)} heap live after the pass (gc, this and the previous pass's configs held): ${fmtBytes(r.liveHeap)}`);
  console.log(`${''.padEnd(22)} store ops: ${kilo(o.get)} get, ${kilo(o.commit)} commit, ${kilo(o.list)} list (${kilo(o.listScanned)} entries returned by list)`);
}

function verdict(label, value, target, fmt) {
  const met = value <= target;
  console.log(`${label.padEnd(26)} ${fmt(value).padStart(10)}  target ≤ ${fmt(target).padEnd(9)} ratio ${(value / target).toFixed(value / target < 10 ? 2 : 0).padStart(7)}x  ${met ? 'MET' : 'NOT MET'}`);
  return met;
}

async function main() {
  const gc = globalThis.gc ?? (() => {});
  const timer = setInterval(sampleHeap, 20);
  const t0 = now();
  const { cluster, settings } = buildCluster();
  const buildMs = msSince(t0);
  gc();
  const baseline = sampleHeap();
  peakHeap = baseline;

  const banner = `SCALE ${SCALE}${SCALE === 1 ? ' (full)' : process.env.BENCH_SCALE === undefined ? ' (default; BENCH_SCALE=1 for full scale)' : ''}: ${kilo(NODES)} nodes, ${kilo(cluster.pods.length)} pods, ${kilo(NAMESPACES)} namespaces (+ kube-system, one VPC each), ${kilo(cluster.services.length)} LoadBalancer Services`;
  console.log('='.repeat(banner.length));
  console.log(banner);
  console.log('='.repeat(banner.length));
  console.log(
    `${LEAFS} leafs x ${NODES_PER_LEAF} nodes, ${settings.devices.length} devices (incl. 1 firewall, 1 load balancer); default subnets /${SUBNET_PREFIX} from ${CONTAINER_BLOCK}; VIP pool /16`,
  );
  console.log(`node ${process.version}, --max-old-space-size=${HEAP_LIMIT_MB}, ${os.cpus().length} CPUs; cluster built in ${fmtMs(buildMs)}; heap after build (gc) ${fmtBytes(baseline)}\n`);

  // 1. First pass on an empty store: every allocation is made.
  const store = instrumentedStore();
  const first = await pass(cluster, settings, store, undefined);
  const firstPeak = peakHeap;
  printPass('1. full (empty store)', first);
  const net = first.desired.network;
  const eps = net.endpoints ?? [];
  const epIps = new Set(eps.flatMap((e) => e.ips));
  const members = (net.vlbs ?? []).flatMap((v) => v.virtualServers.flatMap((vs) => vs.pool.members));
  const matching = members.filter((m) => epIps.has(m.ip)).length;
  console.log(
    `${''.padEnd(22)} ${kilo(eps.length)} endpoints, ${kilo((net.vlbs ?? []).reduce((n, v) => n + v.virtualServers.length, 0))} virtual servers, ${kilo(members.length)} members ` +
      `(${kilo(matching)} are pod addresses), ${first.desired.problems.length} problems, ${first.desired.failedVpcs.length} failed VPCs; store holds ${kilo(store.size)} keys`,
  );
  for (const p of first.desired.problems.slice(0, 3)) console.log(`${''.padEnd(22)} problem: ${p.kind} ${p.namespace ?? ''}/${p.name}: ${p.message}`);

  // 2. Steady state: the same cluster again, every allocation held; diff against the first pass.
  gc();
  const steady = await pass(cluster, settings, store, first.decoded);
  printPass('2. steady state', steady);
  if (steady.changes !== 0) console.log(`${''.padEnd(22)} NOTE: expected no changes, got ${steady.changes}`);

  // 3. One pod added (on a node that already carries its LS), then deleted again; diff against the pass before.
  const extra = { kind: 'Pod', metadata: meta('p-extra', { namespace: nsNameOf(0) }), spec: { nodeName: nodeNameOf(0) }, status: { phase: 'Running' } };
  const withPod = { ...cluster, pods: [...cluster.pods, extra] };
  gc();
  const added = await pass(withPod, settings, store, steady.decoded);
  printPass('3a. one pod added', added);
  gc();
  const removed = await pass(cluster, settings, store, added.decoded);
  printPass('3b. one pod deleted', removed);
  console.log(`${''.padEnd(22)} (no incremental path in the engine yet: each one-pod change is a full compile + project + diff of every device)`);

  clearInterval(timer);
  sampleHeap();
  console.log(`\npeak heap (used_heap_size incl. garbage not yet collected, ${kilo(samples)} samples): ${fmtBytes(peakHeap)} overall, ${fmtBytes(firstPeak)} up to the end of pass 1; baseline (cluster objects) ${fmtBytes(baseline)}`);

  console.log(`\nTargets (at scale ${SCALE}${SCALE === 1 ? '' : '; the targets are for full scale'}):`);
  const onePod = Math.max(added.totalMs, removed.totalMs);
  const met = [
    verdict('full pass (empty store)', first.totalMs, TARGETS.fullMs, fmtMs),
    verdict('steady-state full pass', steady.totalMs, TARGETS.fullMs, fmtMs),
    verdict('one-pod change (worst)', onePod, TARGETS.onePodMs, fmtMs),
    verdict('peak heap', peakHeap, TARGETS.peakHeapBytes, fmtBytes),
  ];
  console.log(`${met.filter(Boolean).length} of ${met.length} targets met${SCALE === 1 ? '' : ` (at scale ${SCALE}, not full scale)`}`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
