/**
 * `netloom conformance run --adapter <package> --target simulator|replay:<dir>|<target-file> [--record <dir>]
 * [--junit <file>] [--markdown <file>]` (docs/cli.md): loads an adapter package with the runtime's loader (port API
 * and manifest checks apply) and runs the shared conformance kit (`@netloom/conformance`):
 *
 * - `simulator`: for every device port it provides, on the simulator targets the package ships
 *   (`export const conformanceTargets = { fabric?, vswitch?, firewall?, loadBalancer? }`);
 * - a target file (live): on the lab device it names, for its port; with `--record <dir>` the run is recorded
 *   (redacted) for replay;
 * - `replay:<dir>` (or `replay` with `--replay-dir <dir>`): the recorded run in `<dir>`, for the port it recorded.
 *
 * It prints one line per check and a summary per port, and writes JUnit XML and a Markdown report on request.
 *
 * Exit codes: 0 every check passed or skipped, 1 a check failed or the run could not start (no device port, no
 * simulator target for a port, an invalid target file or recording, `--record` without a live target).
 * @packageDocumentation
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  assessQuality,
  deviceConformance,
  loadTargetFile,
  readManifest,
  type DeviceTargetSpec,
  type RecordingManifest,
  runChecks,
  type CheckResult,
  type ConformanceReport,
  type DeviceConformanceOptions,
  type QualityAssessment,
  type SimulatorInstance,
  type SimulatorTarget,
} from '@netloom/conformance';
import { InputError, providedPorts, silentLogger, type DeviceConfig, type DeviceDriver, type DeviceFacts, type DevicePortKind, type PortFactoryOptions } from '@netloom/ports';
import { loadAdapter } from '../adapters/loader';
import type { LoadedAdapter } from '../adapters/registry';
import { EXIT, plural, type Ctx } from './context';

/** The device ports the kit checks, in report order. */
export const CONFORMANCE_DEVICE_PORTS: readonly DevicePortKind[] = ['fabric', 'vswitch', 'firewall', 'loadBalancer'];

/** Options of `netloom conformance run`. */
export interface ConformanceRunOptions {
  /** The adapter package name (`@netloom/adapter-fake`) or a path to its directory. */
  readonly adapter: string;
  /** `simulator`, `replay:<dir>` (or `replay` with {@link replayDir}), or the path of a live target file. */
  readonly target: string;
  /** With a live target: record the run into this folder. */
  readonly record?: string;
  /** With `--target replay`: the recording's folder. */
  readonly replayDir?: string;
  /** Write JUnit XML here. */
  readonly junit?: string;
  /** Write a Markdown report here. */
  readonly markdown?: string;
}

/** One port's run. */
export interface PortRun {
  readonly port: DevicePortKind;
  readonly report: ConformanceReport;
}

/** What the reports are made of. */
export interface ConformanceRun {
  readonly adapter: LoadedAdapter;
  readonly target: string;
  /** The target kind and, for live and replay, what it is. */
  readonly targetKind?: 'simulator' | 'live' | 'replay';
  readonly targetDescription?: string;
  /** The recording's manifest (replay), or the one written (live with --record). */
  readonly recording?: RecordingManifest;
  readonly ports: readonly PortRun[];
  /** The device facts of the first simulated device, when they could be read. */
  readonly facts?: DeviceFacts;
  /** The adapter's quality.yaml assessed, or why it could not be. */
  readonly quality: QualityAssessment | { readonly error: string };
}

/** The package's quality.yaml assessed (never throws: a missing or invalid file is reported, not fatal). */
export function readQuality(dir: string): QualityAssessment | { readonly error: string } {
  try {
    return assessQuality(dir);
  } catch (e) {
    return { error: e instanceof Error ? e.message : String(e) };
  }
}

/** One line for people: the tier claimed and reached, or the problem. */
export function qualityLine(q: ConformanceRun['quality']): string {
  if ('error' in q) return `quality: unknown (${q.error.split('\n').join(' ')})`;
  const problems = q.problems.length === 0 ? '' : `; ${q.problems.join('; ')}`;
  return `quality: tier ${q.reached} reached (claims ${q.claimed})${problems}`;
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** What `--target` (with `--record` / `--replay-dir`) names. */
export type ParsedTarget = { readonly kind: 'simulator' } | { readonly kind: 'replay'; readonly dir: string } | { readonly kind: 'live'; readonly file: string; readonly record?: string };

/**
 * Parses `--target`, `--record` and `--replay-dir`.
 * @throws InputError for `--record` without a live target, `replay` without a folder, a folder twice
 */
export function parseTarget(opts: Pick<ConformanceRunOptions, 'target' | 'record' | 'replayDir'>): ParsedTarget {
  const t = opts.target;
  const problems: Array<{ path: string; reason: string }> = [];
  let parsed: ParsedTarget;
  if (t === 'simulator') parsed = { kind: 'simulator' };
  else if (t === 'replay' || t.startsWith('replay:')) {
    const dir = t === 'replay' ? opts.replayDir : t.slice('replay:'.length);
    if (dir === undefined || dir === '') problems.push({ path: '--target', reason: 'replay needs the recording\'s folder: --target replay:<dir> or --target replay --replay-dir <dir>' });
    if (t !== 'replay' && opts.replayDir !== undefined) problems.push({ path: '--replay-dir', reason: 'give the folder once: --target replay:<dir> or --replay-dir <dir>' });
    parsed = { kind: 'replay', dir: dir ?? '' };
  } else {
    parsed = { kind: 'live', file: t, ...(opts.record === undefined ? {} : { record: opts.record }) };
  }
  if (opts.record !== undefined && parsed.kind !== 'live') {
    problems.push({ path: '--record', reason: `only a live target (a target file) can be recorded; --target ${t} is a ${parsed.kind} target` });
  }
  if (opts.replayDir !== undefined && parsed.kind !== 'replay') problems.push({ path: '--replay-dir', reason: 'only with --target replay' });
  if (problems.length > 0) throw InputError.fromProblems('netloom conformance run', problems);
  return parsed;
}

/** The adapter package's module exports (the loader has imported it already: this is the cached module). */
async function adapterExports(loaded: LoadedAdapter): Promise<Record<string, unknown>> {
  const mod = (await import(pathToFileURL(require.resolve(loaded.path)).href)) as Record<string, unknown>;
  return mod.adapter === undefined && isRecord(mod.default) ? mod.default : mod;
}

/** The simulator target the package ships for each port (throws naming every port without one). */
function simulatorTargets(loaded: LoadedAdapter, exported: Record<string, unknown>, ports: readonly DevicePortKind[]): Map<DevicePortKind, SimulatorTarget> {
  const shipped = exported.conformanceTargets;
  const out = new Map<DevicePortKind, SimulatorTarget>();
  const problems: Array<{ path: string; reason: string }> = [];
  for (const port of ports) {
    const t = isRecord(shipped) ? shipped[port] : undefined;
    if (t === undefined) {
      problems.push({
        path: `conformanceTargets.${port}`,
        reason: `${loaded.packageName} ships no simulator target for the ${port} port (export const conformanceTargets = { ${port}: { kind: 'simulator', create } } from its entry point; see docs/vendors/writing-an-adapter.md)`,
      });
    } else if (!isRecord(t) || t.kind !== 'simulator' || typeof t.create !== 'function') {
      problems.push({ path: `conformanceTargets.${port}`, reason: "is not a simulator target (expected { kind: 'simulator', create(ctx) })" });
    } else {
      out.set(port, t as unknown as SimulatorTarget);
    }
  }
  if (problems.length > 0) throw InputError.fromProblems(`${loaded.packageName} ${loaded.version}: export conformanceTargets`, problems);
  return out;
}

/** The facts of a fresh simulated device (best effort: undefined when they cannot be read). */
async function readFacts(loaded: LoadedAdapter, port: DevicePortKind, target: SimulatorTarget): Promise<DeviceFacts | undefined> {
  let instance: SimulatorInstance | undefined;
  try {
    instance = await target.create({ checkId: 'report.facts' });
    const factory = loaded.definition.ports[port] as unknown as (opts: PortFactoryOptions) => DeviceDriver<DeviceConfig>;
    const session = await factory({ target: instance.target, options: instance.options, logger: silentLogger }).connect();
    try {
      return await session.facts();
    } finally {
      await session.close();
    }
  } catch {
    return undefined;
  } finally {
    try {
      await instance?.dispose?.();
    } catch {
      // best effort
    }
  }
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

/** One progress line for a check. */
export function progressLine(r: CheckResult): string {
  if (r.status === 'passed') return `  ✔ ${r.id}: ${r.title}`;
  if (r.status === 'failed') return `  ✖ ${r.id}: ${r.reason ?? 'failed'}`;
  return `  - ${r.id}: skipped (${r.reason ?? 'no reason given'})`;
}

/** Runs `netloom conformance run`; returns the exit code. */
export async function conformanceRunCommand(ctx: Ctx, opts: ConformanceRunOptions): Promise<number> {
  const parsed = parseTarget(opts);
  // A directory given without ./ (adapters/acme) is still a path, not a package name.
  const specifier = !path.isAbsolute(opts.adapter) && !opts.adapter.startsWith('.') && fs.existsSync(path.join(opts.adapter, 'package.json')) ? path.resolve(opts.adapter) : opts.adapter;
  const loaded = await loadAdapter(specifier, { paths: [process.cwd()] });
  const provided = providedPorts(loaded.definition);
  let ports = CONFORMANCE_DEVICE_PORTS.filter((p) => provided.includes(p));
  if (ports.length === 0) {
    ctx.err(
      `error: ${loaded.packageName} ${loaded.version} (${loaded.definition.id}) provides no device port to check (it provides: ${provided.join(', ') || 'nothing'}); ` +
        'netloom conformance run checks the fabric, vswitch, firewall and load-balancer ports (run the store kit from the adapter\'s tests: runStoreConformance({ create }))',
    );
    return EXIT.FAILED;
  }
  const exported = await adapterExports(loaded);
  // A live target file and a recording each name the one port they are for.
  let remotePort: DevicePortKind | undefined;
  if (parsed.kind === 'live') remotePort = loadTargetFile(parsed.file).spec.port;
  if (parsed.kind === 'replay') remotePort = readManifest(parsed.dir).port;
  if (remotePort !== undefined) {
    if (!ports.includes(remotePort)) {
      throw new InputError(`${loaded.packageName} does not provide the ${remotePort} port the ${parsed.kind} target is for (it provides: ${ports.join(', ')})`, [{ path: '--target', reason: `for the ${remotePort} port` }]);
    }
    ports = [remotePort];
  }
  const targets = parsed.kind === 'simulator' ? simulatorTargets(loaded, exported, ports) : undefined;
  const remoteSpec = (): DeviceTargetSpec =>
    parsed.kind === 'replay'
      ? { kind: 'replay', dir: parsed.dir }
      : parsed.kind === 'live'
        ? {
            kind: 'live',
            file: parsed.file,
            ...(parsed.record === undefined ? {} : { record: parsed.record }),
            adapterPackage: { name: loaded.packageName, version: loaded.version },
            onSecret: (s: string) => ctx.secrets.add(s),
          }
        : targets!.get(ports[0]!)!;

  // Build every suite first: invalid options fail before any check runs.
  const suites = ports.map((port) => {
    // A package may ship sample configs that fit its devices (`export const conformanceSamples = { fabric: ... }`).
    const shippedSamples = isRecord(exported.conformanceSamples) ? exported.conformanceSamples : undefined;
    const options: DeviceConformanceOptions = {
      adapter: loaded.definition,
      target: targets?.get(port) ?? remoteSpec(),
      ...(shippedSamples?.[port] !== undefined ? { samples: shippedSamples[port] as DeviceConformanceOptions['samples'] } : {}),
    };
    return { port, suite: deviceConformance(port, options) };
  });

  const description = suites[0]?.suite.remote?.description;
  ctx.out(`conformance: ${loaded.packageName} ${loaded.version} (${loaded.definition.id}), target ${description === undefined ? opts.target : `${parsed.kind} ${description}`}, ports ${ports.join(', ')}`);
  const runs: PortRun[] = [];
  for (const { port, suite } of suites) {
    ctx.out();
    ctx.out(suite.title);
    const report = await runChecks(suite, { onResult: (r) => ctx.out(progressLine(r)) });
    const s = report.summary;
    ctx.out(`${port}: ${s.passed} passed, ${s.failed} failed, ${s.skipped} skipped (${seconds(s.durationMs)})`);
    runs.push({ port, report });
  }
  const failed = runs.reduce((n, r) => n + r.report.summary.failed, 0);
  const total = runs.reduce((n, r) => n + r.report.results.length, 0);
  ctx.out();
  ctx.out(failed === 0 ? `OK: ${plural(total, 'check')} on ${plural(runs.length, 'port')}, none failed` : `FAILED: ${failed} of ${plural(total, 'check')} failed`);
  const quality = readQuality(loaded.path);
  ctx.out(qualityLine(quality));
  if (parsed.kind === 'live' && parsed.record !== undefined) ctx.out(`recorded to ${parsed.record} (replay: netloom conformance run --adapter ${opts.adapter} --target replay:${parsed.record})`);

  const first = ports[0];
  const recording = suites[0]?.suite.remote?.manifest();
  let facts: DeviceFacts | undefined = recording?.device.facts;
  if (facts === undefined && targets !== undefined && opts.markdown !== undefined && first !== undefined) facts = await readFacts(loaded, first, targets.get(first)!);
  const run: ConformanceRun = {
    adapter: loaded,
    target: opts.target,
    targetKind: parsed.kind,
    ...(description === undefined ? {} : { targetDescription: description }),
    ...(recording === undefined ? {} : { recording }),
    ports: runs,
    quality,
    ...(facts === undefined ? {} : { facts }),
  };
  if (opts.junit !== undefined) writeReport(ctx, opts.junit, junitXml(run));
  if (opts.markdown !== undefined) writeReport(ctx, opts.markdown, markdownReport(run));
  return failed === 0 ? EXIT.OK : EXIT.FAILED;
}

function writeReport(ctx: Ctx, file: string, text: string): void {
  const abs = path.resolve(file);
  fs.mkdirSync(path.dirname(abs), { recursive: true });
  fs.writeFileSync(abs, ctx.secrets.redact(text), 'utf8');
  ctx.out(`wrote ${file}`);
}

// ---------------------------------------------------------------------------------------------------------------
// Reports

/** Text escaped for XML attributes and content (control characters XML 1.0 forbids are dropped). */
export function xmlEscape(s: string): string {
  return s
    // eslint-disable-next-line no-control-regex
    .replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g, '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

/** JUnit XML: one `<testsuite>` per port, one `<testcase>` per check. */
export function junitXml(run: ConformanceRun): string {
  const time = (ms: number): string => (ms / 1000).toFixed(3);
  const sum = (f: (r: PortRun) => number): number => run.ports.reduce((n, r) => n + f(r), 0);
  const lines = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="${xmlEscape(`netloom conformance: ${run.adapter.packageName} ${run.adapter.version}`)}" tests="${sum((r) => r.report.results.length)}" failures="${sum((r) => r.report.summary.failed)}" skipped="${sum((r) => r.report.summary.skipped)}" time="${time(sum((r) => r.report.summary.durationMs))}">`,
  ];
  for (const { port, report } of run.ports) {
    const s = report.summary;
    lines.push(
      `  <testsuite name="${xmlEscape(report.suite)}" tests="${report.results.length}" failures="${s.failed}" errors="0" skipped="${s.skipped}" time="${time(s.durationMs)}">`,
    );
    for (const r of report.results) {
      const open = `    <testcase classname="${xmlEscape(port)}" name="${xmlEscape(`${r.id}: ${r.title}`)}" time="${time(r.durationMs)}"`;
      if (r.status === 'passed') lines.push(`${open}/>`);
      else {
        const tag = r.status === 'failed' ? 'failure' : 'skipped';
        lines.push(`${open}>`, `      <${tag} message="${xmlEscape(r.reason ?? r.status)}"/>`, '    </testcase>');
      }
    }
    lines.push('  </testsuite>');
  }
  lines.push('</testsuites>', '');
  return lines.join('\n');
}

/** Text for one Markdown table cell. */
function cell(s: string): string {
  return s.replace(/\\/g, '\\\\').replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
}

/** A Markdown report: the adapter, the target, device facts, one table of checks per port. */
export function markdownReport(run: ConformanceRun): string {
  const a = run.adapter;
  const d = a.definition;
  const failed = run.ports.reduce((n, r) => n + r.report.summary.failed, 0);
  const out = [
    `# Conformance report: ${a.packageName} ${a.version}`,
    '',
    `| | |`,
    `|---|---|`,
    `| Adapter package | \`${cell(a.packageName)}\` |`,
    `| Version | ${cell(a.version)} |`,
    `| Adapter id | \`${cell(d.id)}\` |`,
    `| Vendor | ${cell(d.vendor)} |`,
    `| Target | ${cell(run.targetKind === undefined || run.targetKind === 'simulator' ? run.target : `${run.targetKind}: ${run.targetDescription ?? run.target}`)} |`,
    ...(run.recording === undefined
      ? []
      : [`| Recording | ${cell(`${run.recording.protocol}, recorded ${run.recording.recordedAt} from ${run.recording.device.name} with kit ${run.recording.kitVersion}`)} |`]),
    `| Ports | ${run.ports.map((p) => p.port).join(', ')} |`,
    `| Result | ${failed === 0 ? 'passed' : `${failed} check(s) failed`} |`,
    `| Quality tier reached | ${'error' in run.quality ? `unknown: ${cell(run.quality.error)}` : `${run.quality.reached} (claims ${run.quality.claimed})`} |`,
  ];
  if (run.facts !== undefined) {
    const f = run.facts;
    const facts = [`vendor ${f.vendor}`, `model ${f.model}`, `OS ${f.osVersion}`, ...(f.hostname === undefined ? [] : [`hostname ${f.hostname}`]), ...(f.serial === undefined ? [] : [`serial ${f.serial}`])];
    const source = run.targetKind === 'replay' ? 'recorded device' : run.targetKind === 'live' ? 'lab device' : 'simulator';
    out.push(`| Device facts (${run.ports[0]?.port ?? ''} ${source}) | ${cell(facts.join(', '))} |`);
  }
  for (const { port, report } of run.ports) {
    const s = report.summary;
    out.push('', `## ${port}`, '', `${report.suite}: ${s.passed} passed, ${s.failed} failed, ${s.skipped} skipped.`, '', '| Check | Result | Reason |', '|---|---|---|');
    for (const r of report.results) out.push(`| \`${cell(r.id)}\` ${cell(r.title)} | ${r.status} | ${cell(r.reason ?? '')} |`);
  }
  if (!('error' in run.quality)) {
    const q = run.quality;
    out.push('', '## Quality scale', '', `Tier reached: **${q.reached}** (claimed: ${q.claimed}).`, '', '| Tier | Rule | Status | Note |', '|---|---|---|---|');
    for (const v of q.verdicts) out.push(`| ${v.rule.tier} | \`${v.rule.id}\` | ${v.autoFailure === undefined ? v.status : `${v.status}, check failed`} | ${cell(v.autoFailure ?? v.reason ?? '')} |`);
    if (q.problems.length > 0) out.push('', ...q.problems.map((p) => `- ${cell(p)}`));
  }
  out.push('');
  return out.join('\n');
}
