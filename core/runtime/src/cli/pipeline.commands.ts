/**
 * The commands that run the reconcile pipeline: `plan`, `apply`, `run`, `drift` and the embedded `demo`.
 * Output is for people by default and JSON with `--output json`.
 * @packageDocumentation
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as readline from 'node:readline/promises';
import type { DeviceReport, DriftReport, ObjectProblem, ProgressEvent, ReconcileReport } from '@netloom/engine';
import type { KubernetesPort } from '@netloom/ports';
import { ScenarioSource, formatStepSummary } from '@netloom/adapter-scenario';
import type { Container } from 'inversify';
import type { AdapterRegistry } from '../adapters/registry';
import { startSimulators, type SimulatorSet } from '../adapters/simulators';
import { createContainer, disposeContainer } from '../container';
import { Controller } from '../controller/controller';
import { openKubernetesSource } from '../controller/source';
import { displayPath, type LoadedProfile } from '../profile/profile.loader';
import { table } from './format';
import { EXIT, findEmbeddedProfile, loadAll, plural, printWarnings, type Ctx } from './context';
import { changedHighlights, highlightsOf, type DemoHighlights } from './demo.report';

/** `--output`. */
export type OutputFormat = 'text' | 'json';

interface Session {
  readonly controller: Controller;
  readonly source: KubernetesPort;
  /** The simulators of the profile's `simulator: true` devices, running for this session. */
  readonly simulators: SimulatorSet;
  /** Closes the source and the store, then stops the simulators. */
  close(): Promise<void>;
}

/**
 * Opens one session on a profile: the simulators of its simulated devices first (so the drivers connect to them),
 * then the container, the Kubernetes source and the controller. Whatever was opened is closed again on failure.
 */
async function openSession(ctx: Ctx, loaded: LoadedProfile, registry: AdapterRegistry, play: 'all' | 'none' = 'all'): Promise<Session> {
  const simulators = await startSimulators(registry, { logger: ctx.logger() });
  let container: Container | undefined;
  let source: KubernetesPort | undefined;
  try {
    const opened = createContainer({ loaded, adapters: simulators.registry, logger: ctx.logger(), secrets: ctx.secrets });
    container = opened;
    source = await openKubernetesSource(loaded.profile, ctx.logger(), { play });
    const controller = await Controller.create({ container: opened, source });
    const kube = source;
    return {
      controller,
      source: kube,
      simulators,
      close: async () => {
        try {
          await kube.close();
          await disposeContainer(opened);
        } finally {
          await simulators.dispose();
        }
      },
    };
  } catch (e) {
    try {
      await source?.close();
      if (container !== undefined) await disposeContainer(container);
    } finally {
      await simulators.dispose();
    }
    throw e;
  }
}

function progressPrinter(ctx: Ctx): (e: ProgressEvent) => void {
  return (e) => {
    switch (e.phase) {
      case 'planned':
        if (e.changes > 0) ctx.out(`  ${e.device}: ${e.changes} change${e.changes === 1 ? '' : 's'} planned`);
        break;
      case 'applying':
        ctx.out(`  ${e.device}: applying ${e.changes} change${e.changes === 1 ? '' : 's'}`);
        break;
      case 'verified':
      case 'confirmed':
        ctx.out(`  ${e.device}: ${e.phase}`);
        break;
      case 'rolled-back':
        ctx.out(`  ${e.device}: rolled back (${e.reason})`);
        break;
      case 'skipped':
        ctx.out(`  ${e.device}: skipped (${e.reason})`);
        break;
      case 'failed':
        ctx.out(`  ${e.device}: FAILED ${e.message} [${e.code}]`);
        break;
      default:
        break;
    }
  };
}

function printProblemsOfObjects(ctx: Ctx, problems: readonly ObjectProblem[]): void {
  if (problems.length === 0) return;
  ctx.out(`Problems with ${problems.length} object${problems.length === 1 ? '' : 's'} (reported on each object; the rest proceeds):`);
  for (const p of problems) ctx.out(`  ${p.kind} ${p.namespace !== undefined ? `${p.namespace}/` : ''}${p.name}: ${p.message} [${p.code}]`);
}

/** Prints each device's change set with its exact operations. */
function printChanges(ctx: Ctx, devices: readonly DeviceReport[], indent = ''): void {
  for (const d of devices) {
    const ops = d.changeSet?.operations ?? [];
    if (ops.length === 0 && d.outcome !== 'failed' && d.outcome !== 'skipped') continue;
    ctx.out(`${indent}${d.device} (${d.port}): ${d.outcome}${d.vpcs.length > 0 ? `, VPCs ${d.vpcs.join(', ')}` : ''}${d.error !== undefined ? ` — ${d.error.message} [${d.error.code}]` : ''}`);
    for (const op of ops) ctx.out(`${indent}  ${op.medium}: ${op.text}`);
  }
}

function summaryRows(report: ReconcileReport): string[][] {
  return report.devices.map((d) => [d.device, d.port, d.outcome, String(d.changeSet?.changes.length ?? 0), d.error?.code ?? '']);
}

function failedOf(report: ReconcileReport): DeviceReport[] {
  return report.devices.filter((d) => d.outcome === 'failed' || d.outcome === 'compensated' || d.outcome === 'skipped');
}

function jsonOf(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) => (v instanceof Map ? Object.fromEntries(v) : typeof v === 'bigint' ? v.toString() : v), 2);
}

async function withProfile(ctx: Ctx, file: string, fn: (loaded: LoadedProfile, registry: AdapterRegistry) => Promise<number>): Promise<number> {
  const r = await loadAll(ctx, file, true);
  if (r?.registry === undefined) return EXIT.FAILED;
  return fn(r.loaded, r.registry);
}

/** `netloom plan --profile <file>`: per-device changes with the exact operations; nothing written. */
export async function planCommand(ctx: Ctx, opts: { profile: string; output: OutputFormat }): Promise<number> {
  return withProfile(ctx, opts.profile, async (loaded, registry) => {
    const session = await openSession(ctx, loaded, registry);
    try {
      const { compiled, report } = await session.controller.plan();
      if (opts.output === 'json') {
        ctx.out(jsonOf({ devices: report.devices, problems: compiled.desired.problems, failedVpcs: compiled.desired.failedVpcs }));
      } else {
        printWarnings(ctx, loaded.warnings);
        const changed = report.devices.filter((d) => (d.changeSet?.changes.length ?? 0) > 0);
        ctx.out(`Plan for ${displayPath(loaded.file)}: ${changed.length} of ${report.devices.length} devices would change (nothing was written).`);
        printChanges(ctx, report.devices, '  ');
        printProblemsOfObjects(ctx, compiled.desired.problems);
      }
      return report.devices.some((d) => d.outcome === 'failed') ? EXIT.FAILED : EXIT.OK;
    } finally {
      await session.close();
    }
  });
}

async function confirmApply(ctx: Ctx, changes: number): Promise<boolean> {
  if (!process.stdin.isTTY) {
    ctx.err(`error: ${changes} changes would be written; pass --yes to apply without asking (standard input is not a terminal)`);
    return false;
  }
  const rl = readline.createInterface({ input: process.stdin, output: process.stdout });
  try {
    const answer = await rl.question(`Apply ${changes} changes? Type "yes" to continue: `);
    return answer.trim() === 'yes';
  } finally {
    rl.close();
  }
}

/** `netloom apply --profile <file> [--yes]`: plan, ask, apply with progress; non-zero exit if anything failed. */
export async function applyCommand(ctx: Ctx, opts: { profile: string; yes?: boolean; output: OutputFormat }): Promise<number> {
  return withProfile(ctx, opts.profile, async (loaded, registry) => {
    const session = await openSession(ctx, loaded, registry);
    try {
      const text = opts.output !== 'json';
      if (!opts.yes) {
        const { report: planned } = await session.controller.plan();
        const changes = planned.devices.reduce((n, d) => n + (d.changeSet?.changes.length ?? 0), 0);
        if (changes === 0) {
          if (text) ctx.out('Nothing to do: every device is in line with the intent.');
          else ctx.out(jsonOf({ devices: planned.devices, applied: false }));
          return EXIT.OK;
        }
        if (text) printChanges(ctx, planned.devices, '  ');
        if (!(await confirmApply(ctx, changes))) return EXIT.USAGE;
      }
      const { compiled, report } = await session.controller.apply(text ? { onProgress: progressPrinter(ctx) } : {});
      const failed = failedOf(report);
      if (!text) {
        ctx.out(jsonOf({ devices: report.devices, problems: compiled.desired.problems, failedVpcs: compiled.desired.failedVpcs }));
      } else {
        ctx.out('');
        for (const line of table(['DEVICE', 'PORT', 'OUTCOME', 'CHANGES', 'ERROR'], summaryRows(report))) ctx.out(line);
        printProblemsOfObjects(ctx, compiled.desired.problems);
        if (failed.length > 0) {
          ctx.out('');
          ctx.out(`${failed.length} device${failed.length === 1 ? '' : 's'} did not converge: ${failed.map((d) => `${d.device} (${d.outcome})`).join(', ')}. Rolled back devices are at their last committed configuration; run apply again (or netloom run) to retry.`);
        }
      }
      return failed.length > 0 ? EXIT.FAILED : EXIT.OK;
    } finally {
      await session.close();
    }
  });
}

function printDrift(ctx: Ctx, drift: DriftReport): number {
  let differing = 0;
  for (const d of drift.devices) {
    if (d.error !== undefined) {
      ctx.out(`${d.device} (${d.port}): could not be read — ${d.error.message} [${d.error.code}]`);
      differing++;
      continue;
    }
    if (d.entries.length === 0) continue;
    differing++;
    ctx.out(`${d.device} (${d.port}):`);
    const rows = d.entries.map((e) => [
      `${e.kind} ${e.key}`,
      e.desired === undefined ? '-' : 'present',
      !d.hasLastApplied ? '(unknown)' : e.lastApplied === undefined ? '-' : 'present',
      e.actual === undefined ? '-' : 'present',
      [e.outOfBand ? 'changed out of band' : '', e.pending ? 'not applied yet' : '', e.wouldChange ? 'next apply changes it' : ''].filter((x) => x !== '').join('; '),
    ]);
    for (const line of table(['OBJECT', 'DESIRED', 'LAST APPLIED', 'ACTUAL', 'WHY'], rows)) ctx.out(`  ${line}`);
  }
  if (differing === 0) ctx.out('No drift: desired, last applied and actual agree on every device.');
  return differing;
}

/** `netloom drift --profile <file>`: desired, last applied and actual side by side for what differs. */
export async function driftCommand(ctx: Ctx, opts: { profile: string; output: OutputFormat }): Promise<number> {
  return withProfile(ctx, opts.profile, async (loaded, registry) => {
    const session = await openSession(ctx, loaded, registry);
    try {
      const drift = await session.controller.drift();
      if (opts.output === 'json') ctx.out(jsonOf(drift));
      else printDrift(ctx, drift);
      return drift.devices.some((d) => d.error !== undefined) ? EXIT.FAILED : EXIT.OK;
    } finally {
      await session.close();
    }
  });
}

/** `netloom run --profile <file>`: the controller loop until SIGINT / SIGTERM. */
export async function runCommand(ctx: Ctx, opts: { profile: string; output: OutputFormat }): Promise<number> {
  return withProfile(ctx, opts.profile, async (loaded, registry) => {
    const session = await openSession(ctx, loaded, registry);
    const abort = new AbortController();
    const stop = (): void => abort.abort();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    try {
      ctx.out(`netloom run: ${displayPath(loaded.file)} — batch window ${loaded.profile.controller.batchWindowMs} ms, resync every ${loaded.profile.controller.resyncSec} s; Ctrl-C stops`);
      let pass = 0;
      await session.controller.run({
        signal: abort.signal,
        onReport: (r) => {
          pass++;
          if (opts.output === 'json') ctx.out(JSON.stringify({ pass, ...r }));
          else {
            const changed = r.devices.filter((d) => d.outcome !== 'unchanged');
            ctx.out(`pass ${pass}: ${changed.length === 0 ? 'no change' : changed.map((d) => `${d.device} ${d.outcome}`).join(', ')}`);
          }
        },
      });
      return EXIT.OK;
    } finally {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      await session.close();
    }
  });
}

/** The adapter's id, and whether the device runs on the adapter's protocol simulator. */
function adapterCell(session: Session, registry: AdapterRegistry, name: string): string {
  const id = registry.device(name).adapter.definition.id;
  return session.simulators.has(name) ? `${id} (simulator)` : id;
}

/** One summary row per device: its facts (vendor, model, OS version) and the objects netloom owns on it. */
async function summaryOf(session: Session, registry: AdapterRegistry): Promise<string[][]> {
  const rows: string[][] = [];
  for (const [name, driver] of session.controller.drivers) {
    const s = await driver.connect();
    try {
      const facts = await s.facts();
      const { config } = await s.observe();
      const counts = Object.entries(config)
        .map(([kind, objects]) => [kind, Object.keys(objects).length] as const)
        .filter(([, n]) => n > 0)
        .map(([kind, n]) => `${n} ${kind}`);
      rows.push([name, driver.port, adapterCell(session, registry, name), facts.vendor, facts.model, facts.osVersion, counts.join(', ') || '(none)']);
    } finally {
      await s.close();
    }
  }
  return rows;
}

/**
 * `netloom demo`: the embedded lab. Plays the example scenario step by step against the profile's devices — the
 * leafs and the load balancer on their adapters' protocol simulators (`simulator: true`), the rest in memory —
 * applying after each step and printing what changed on which device, when a Service gets its VIP and when a
 * peering opens, then a per-device summary with each device's facts. State lives in a temporary store unless
 * `--state <file>`. Ctrl-C stops after the current step; the simulators are stopped in every case.
 */
export async function demoCommand(ctx: Ctx, opts: { profile?: string; state?: string; watch?: boolean }): Promise<number> {
  const file = opts.profile ?? findEmbeddedProfile();
  if (file === undefined) {
    ctx.err('error: the embedded example profile docs/examples/embedded.yaml was not found; pass one with --profile <file>');
    return EXIT.FAILED;
  }
  const r = await loadAll(ctx, file, true);
  if (r?.registry === undefined) return EXIT.FAILED;
  const tmp = opts.state === undefined ? fs.mkdtempSync(path.join(os.tmpdir(), 'netloom-demo-')) : undefined;
  const statePath = opts.state !== undefined ? path.resolve(opts.state) : path.join(tmp!, 'state.db');
  const registry = r.registry.withStoreOptions({ ...(r.registry.store.options as object), path: statePath });
  // Ctrl-C: finish the step under way, then close the session (which stops the simulators) instead of dying.
  const abort = new AbortController();
  const interrupt = (): void => abort.abort();
  process.once('SIGINT', interrupt);
  let session: Session | undefined;
  try {
    session = await openSession(ctx, r.loaded, registry, 'none');
    const source = session.source;
    if (!(source instanceof ScenarioSource)) {
      ctx.err('error: the demo needs a scenario source (sources.kubernetes: { scenario: <file> })');
      return EXIT.FAILED;
    }
    const simulated = session.simulators.list();
    const inMemory = session.controller.drivers.size - simulated.length;
    ctx.out(
      `netloom demo — profile ${displayPath(r.loaded.file)}, ${plural(session.controller.drivers.size, 'device')} (${simulated.length} on protocol simulators, ${inMemory} in memory), state in ${opts.state !== undefined ? displayPath(statePath) : 'a temporary store'}`,
    );
    for (const d of simulated) ctx.out(`  ${d.name} (${d.port}): ${d.adapter.packageName} on its simulator at ${d.target.address ?? 'in-process'}${d.target.port !== undefined ? `:${d.target.port}` : ''}`);
    let failures = 0;
    let highlights: DemoHighlights | undefined;
    for (;;) {
      if (abort.signal.aborted) {
        ctx.err('netloom demo: interrupted; the simulators are stopped');
        return EXIT.FAILED;
      }
      const step = source.advance();
      if (step === undefined) break;
      ctx.out('');
      ctx.out(`== ${formatStepSummary(step).replace(/^step/, 'Step')}`);
      const { compiled, report } = await session.controller.apply();
      const changed = report.devices.filter((d) => d.outcome !== 'unchanged');
      if (changed.length === 0) ctx.out('  no device changed');
      printChanges(ctx, report.devices, '  ');
      const now = highlightsOf(compiled);
      for (const line of changedHighlights(highlights, now)) ctx.out(`  => ${line}`);
      highlights = now;
      printProblemsOfObjects(ctx, compiled.desired.problems);
      failures += failedOf(report).length;
    }
    ctx.out('');
    ctx.out('== Summary: each device, what it says it is, and the objects netloom owns on it');
    const rows = await summaryOf(session, registry);
    for (const line of table(['DEVICE', 'PORT', 'ADAPTER', 'VENDOR', 'MODEL', 'OS VERSION', 'OWNED OBJECTS'], rows)) ctx.out(`  ${line}`);
    const again = await session.controller.plan();
    const pending = again.report.devices.reduce((n, d) => n + (d.changeSet?.changes.length ?? 0), 0);
    ctx.out('');
    ctx.out(`A final plan finds ${pending} change${pending === 1 ? '' : 's'}: ${pending === 0 ? 'every device is in line with the cluster.' : 'some devices did not converge.'}`);
    if (opts.watch === true && !abort.signal.aborted) {
      ctx.out('Watching (Ctrl-C stops) ...');
      const watched = session;
      await watched.controller.run({ signal: abort.signal, onReport: (rep) => printChanges(ctx, rep.devices, '  ') });
    }
    return failures > 0 || pending > 0 ? EXIT.FAILED : EXIT.OK;
  } finally {
    process.off('SIGINT', interrupt);
    await session?.close();
    if (tmp !== undefined) fs.rmSync(tmp, { recursive: true, force: true });
  }
}
