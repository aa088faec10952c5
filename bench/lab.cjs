'use strict';
// The lab under load: brings `netloom lab up` up (library API of @netloom/runtime/dist/lab), adds BENCH_PODS pods
// spread over the three nodes and both VPC subnets (red-web, blue-web), and measures per pod
//   pod-add (the Pod object is in the API) -> reachable (a ping from an existing pod of the same subnet on another
//   node answers),
// split into what the pod waited for: netloom-cni starting, the controller's allocation (cni.log), plumbing, and the
// first answered ping; and from the lab daemon's status, the reconcile passes the pods caused with their device
// transactions (per pass and per device). The lab is torn down at the end, also on failure or Ctrl-C.
// Prints figures and ratios; asserts nothing.
//
//   sudo npm run bench -- lab                              100 pods, one at a time
//   BENCH_PODS=30 BENCH_CONCURRENCY=5 npm run bench -- lab  30 pods, 5 in flight at a time
//   BENCH_LAB_DIR=/tmp/l npm run bench -- lab               the lab directory (default: a new temporary one)
//   BENCH_KEEP=1 ...                                        keep the lab directory's logs after down
//
// Needs root and the lab's packages (docs/lab.md); otherwise it says why and exits 0. Not run by a bare
// `npm run bench` (it takes minutes and builds network namespaces): name it.
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { execFile } = require('node:child_process');
const { setTimeout: sleep } = require('node:timers/promises');

const int = (name, dflt, min) => {
  const v = Number(process.env[name] ?? dflt);
  if (!(Number.isInteger(v) && v >= min)) throw new Error(`${name} must be an integer >= ${min}, got ${process.env[name]}`);
  return v;
};
const PODS = int('BENCH_PODS', 100, 1);
const CONCURRENCY = int('BENCH_CONCURRENCY', 1, 1);
// Each subnet is a /24 with the gateway and the lab's own pods in it: keep well inside it.
if (PODS > 400) throw new Error(`BENCH_PODS ${PODS}: at most 400 (two /24 subnets)`);
// How long one pod may take from creation to its first answered ping before it counts as unreachable.
const REACH_TIMEOUT_MS = 90_000;

const lab = require('@netloom/runtime/dist/lab');

const reason = lab.labUnavailableReason();
if (reason !== undefined) {
  console.log(`lab benchmark skipped: ${reason}`);
  process.exit(0);
}

const now = () => Number(process.hrtime.bigint()) / 1e6;
const fmt = (x) => (x === undefined || Number.isNaN(x) ? '-' : x >= 1000 ? `${(x / 1000).toFixed(2)} s` : `${x.toFixed(0)} ms`);
const quantile = (sorted, q) => (sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]);

function summary(values) {
  const s = [...values].sort((a, b) => a - b);
  const mean = s.length === 0 ? NaN : s.reduce((a, b) => a + b, 0) / s.length;
  return { n: s.length, p50: quantile(s, 0.5), p90: quantile(s, 0.9), p99: quantile(s, 0.99), max: s[s.length - 1], mean };
}

function row(label, values) {
  const x = summary(values);
  return `${label.padEnd(44)} p50 ${fmt(x.p50).padStart(8)}  p90 ${fmt(x.p90).padStart(8)}  p99 ${fmt(x.p99).padStart(8)}  max ${fmt(x.max).padStart(8)}  mean ${fmt(x.mean).padStart(8)}  (n=${x.n})`;
}

/**
 * Pings `ip` from a pod's namespace until one echo reply comes (10 probes a second) or `timeoutMs` passes.
 * Resolves true on a reply.
 */
function pingUntilAnswer(fromNetns, ip, timeoutMs) {
  const seconds = Math.max(1, Math.ceil(timeoutMs / 1000));
  return new Promise((resolve) => {
    execFile('ip', ['netns', 'exec', fromNetns, 'ping', '-n', '-q', '-c', '1', '-i', '0.1', '-W', '1', '-w', String(seconds), ip], { timeout: (seconds + 5) * 1000 }, (err) => resolve(err === null));
  });
}

/** The pod of the same subnet on another node that probes a new pod (one of the pods `lab up` creates). */
function prober(state, namespace, node) {
  const p = state.pods.find((x) => x.namespace === namespace && x.node !== node && !x.name.startsWith('bench-') && x.ip !== undefined);
  if (p === undefined) throw new Error(`no pod of ${namespace} outside ${node} to ping from`);
  return p;
}

/** Per pod, from netloom-cni's log: when ADD started, and how long and how many reads the allocation wait took. */
function cniLog(file) {
  const byPod = new Map();
  let text = '';
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    return byPod;
  }
  for (const line of text.split('\n')) {
    if (line === '') continue;
    let e;
    try {
      e = JSON.parse(line);
    } catch {
      continue;
    }
    if (e.command !== 'ADD' || typeof e.pod !== 'string') continue;
    const rec = byPod.get(e.pod) ?? {};
    if (e.msg === 'start') rec.start = Date.parse(e.time);
    if (e.msg === 'allocation found') {
      rec.allocMs = e.ms;
      rec.attempts = e.attempt;
    }
    byPod.set(e.pod, rec);
  }
  return byPod;
}

function deviceWrites(outcomes) {
  const out = {};
  for (const [device, counts] of Object.entries(outcomes)) {
    out[device] = { tx: (counts.applied ?? 0) + (counts.failed ?? 0) + (counts.compensated ?? 0), failed: (counts.failed ?? 0) + (counts.compensated ?? 0), skipped: counts.skipped ?? 0 };
  }
  return out;
}

/** Waits until the daemon has run no pass for `quietMs` (the write-backs after the last pod settle), at most 60 s. */
async function quiesce(control, quietMs) {
  const deadline = Date.now() + 60_000;
  let last = await control.status();
  let since = Date.now();
  while (Date.now() < deadline) {
    await sleep(250);
    const s = await control.status();
    if (s.passes !== last.passes) {
      last = s;
      since = Date.now();
    } else if (Date.now() - since >= quietMs) return s;
  }
  return last;
}

let teardown;

async function main() {
  const left = (await lab.rootSnapshot()).netns.filter((n) => n.startsWith(lab.LAB_PREFIX));
  if (left.length > 0) {
    console.error(`lab benchmark: a lab is already up on this host (${left.join(', ')}); netloom lab down first`);
    process.exitCode = 1;
    return;
  }
  const dir = process.env.BENCH_LAB_DIR ?? fs.mkdtempSync(path.join(os.tmpdir(), 'netloom-lab-bench-'));
  if (fs.existsSync(lab.stateFile(dir))) {
    console.error(`lab benchmark: ${lab.stateFile(dir)} exists (a lab, or the leftovers of one): netloom lab down --dir ${dir} first`);
    process.exitCode = 1;
    return;
  }
  const keep = process.env.BENCH_KEEP === '1';
  let down;
  teardown = () =>
    (down ??= lab.labDown({ dir, ...(keep ? { keep: true } : {}) }).then(
      (lines) => {
        for (const l of lines) if (l.status !== 'PASS') console.error(`teardown: ${lab.formatCheck(l)}`);
        if (!keep) fs.rmSync(dir, { recursive: true, force: true });
        return lines;
      },
      (e) => console.error(`teardown failed: ${e.message} (run: netloom lab down --dir ${dir})`),
    ));

  const results = [];
  let s0;
  let s1;
  let upMs;
  let wallMs;
  let cni = new Map();
  try {
    let t = now();
    const state = await lab.labUp({ dir });
    upMs = now() - t;
    const control = lab.labControl(dir);
    // Start from a quiet controller: the passes counted below are the bench pods' only.
    s0 = await quiesce(control, 1500);

    const specs = Array.from({ length: PODS }, (_, i) => ({
      namespace: i % 2 === 0 ? 'red' : 'blue',
      name: `bench-${i}`,
      node: `node-${(i % 3) + 1}`,
    }));
    let next = 0;
    const worker = async () => {
      while (next < specs.length) {
        const spec = specs[next++];
        const from = prober(state, spec.namespace, spec.node);
        let created;
        const r = { pod: `${spec.namespace}/${spec.name}`, node: spec.node, from: from.name };
        try {
          const p = await lab.addPod({ dir }, state, control, spec, {
            onCreated: () => {
              created = now();
              // Wall clock too: netloom-cni's log has ISO times.
              r.createdAt = Date.now();
            },
          });
          r.plumbedMs = now() - created;
          r.ip = p.ip;
          r.reachable = await pingUntilAnswer(from.netns, p.ip, REACH_TIMEOUT_MS - r.plumbedMs);
          r.reachMs = now() - created;
        } catch (e) {
          r.error = e.message;
        }
        results.push(r);
        if (results.length % 10 === 0 || results.length === PODS) process.stdout.write(`  ${results.length}/${PODS} pods\n`);
      }
    };
    t = now();
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));
    wallMs = now() - t;
    s1 = await quiesce(control, 1500);
    // Read before down removes the lab directory.
    cni = cniLog(path.join(dir, 'mgmt', 'cni.log'));
  } finally {
    await teardown();
  }

  // Figures.
  const ok = results.filter((r) => r.reachable === true);
  const failed = results.filter((r) => r.reachable !== true);
  console.log(`\nlab: 3 nodes (userspace OVS), ovs-vtep leaf, ${PODS} pods added ${CONCURRENCY === 1 ? 'one at a time' : `${CONCURRENCY} at a time`} over 3 nodes x 2 VPC subnets; ${os.cpus().length} CPUs`);
  console.log(`lab up ${fmt(upMs)}; ${PODS} pods in ${fmt(wallMs)} (${(PODS / (wallMs / 1000)).toFixed(2)} pods/s); reachable ${ok.length}/${PODS}`);
  for (const r of failed.slice(0, 5)) console.log(`  NOT reachable: ${r.pod} on ${r.node} from ${r.from}: ${r.error ?? `no answer from ${r.ip}`}`);
  console.log(row('pod-add -> reachable', ok.map((r) => r.reachMs)));
  console.log(row('  pod-add -> netloom-cni ADD returned', ok.map((r) => r.plumbedMs)));
  console.log(row('  ADD returned -> first ping answer', ok.map((r) => r.reachMs - r.plumbedMs)));
  const slowest = [...ok].sort((a, b) => b.reachMs - a.reachMs)[0];
  if (slowest !== undefined) console.log(`  slowest: ${slowest.pod} on ${slowest.node} (${fmt(slowest.reachMs)}: ADD ${fmt(slowest.plumbedMs)}, ping ${fmt(slowest.reachMs - slowest.plumbedMs)})`);
  const withLog = ok.map((r) => ({ r, c: cni.get(r.pod) })).filter((x) => x.c?.allocMs !== undefined && x.c.start !== undefined);
  if (withLog.length > 0) {
    console.log(row('  pod-add -> netloom-cni started', withLog.map((x) => x.c.start - x.r.createdAt)));
    console.log(row('  allocation wait in netloom-cni', withLog.map((x) => x.c.allocMs)));
    console.log(row('  allocation -> ADD returned (plumbing)', withLog.map((x) => x.r.plumbedMs - (x.c.start - x.r.createdAt) - x.c.allocMs)));
    const attempts = summary(withLog.map((x) => x.c.attempts));
    console.log(`  annotation reads per pod (backoff 100 ms doubling, jittered)  p50 ${attempts.p50}  max ${attempts.max}`);
  }

  if (s0 !== undefined && s1 !== undefined) {
    const passes = s1.passes - s0.passes;
    const tx = passes > 0 && passes <= s1.transactions.length ? s1.transactions.slice(-passes) : [];
    const passMs = passes > 0 && passes <= s1.passMs.length ? s1.passMs.slice(-passes) : [];
    const total = tx.reduce((a, b) => a + b, 0);
    const writing = tx.filter((x) => x > 0);
    const w0 = deviceWrites(s0.deviceOutcomes);
    const w1 = deviceWrites(s1.deviceOutcomes);
    console.log(`\nreconcile passes during the pods: ${passes} (${writing.length} wrote to a device, ${passes - writing.length} wrote nothing: status write-backs, resyncs); ${(passes / PODS).toFixed(2)} passes per pod`);
    console.log(`device transactions: ${total} in all, ${(total / PODS).toFixed(2)} per pod; per pass mean ${(total / Math.max(1, passes)).toFixed(2)}, mean over writing passes ${(total / Math.max(1, writing.length)).toFixed(2)}, max ${Math.max(0, ...tx)}`);
    console.log(row('reconcile pass wall time', passMs));
    console.log(row('  passes that wrote to a device', passMs.filter((_, i) => (tx[i] ?? 0) > 0)));
    console.log('transactions per device:');
    for (const device of Object.keys(w1).sort()) {
      const d = { tx: w1[device].tx - (w0[device]?.tx ?? 0), failed: w1[device].failed - (w0[device]?.failed ?? 0), skipped: w1[device].skipped - (w0[device]?.skipped ?? 0) };
      console.log(`  ${device.padEnd(12)} ${String(d.tx).padStart(5)}  (${(d.tx / PODS).toFixed(2)} per pod${d.failed > 0 ? `, ${d.failed} failed or compensated` : ''}${d.skipped > 0 ? `, ${d.skipped} passes skipped` : ''})`);
    }
    if (s1.failingDevices.length > 0 || s1.lastError !== null) console.log(`controller: failing devices [${s1.failingDevices.join(', ')}], last error ${String(s1.lastError)}`);
  }
  if (ok.length < PODS) process.exitCode = 1;
}

process.once('SIGINT', () => {
  console.error('interrupted: tearing the lab down');
  Promise.resolve(teardown?.()).finally(() => process.exit(130));
});
process.once('SIGTERM', () => {
  Promise.resolve(teardown?.()).finally(() => process.exit(143));
});

main().catch(async (e) => {
  console.error(e);
  await teardown?.();
  process.exit(1);
});
