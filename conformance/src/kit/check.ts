/**
 * The kit's engine: checks are data (a list of {@link Check}s with an id, a title and the capability they need),
 * a {@link ConformanceSuite} says how to prepare a fresh context for one check and why a check does not apply, and
 * two runners use it:
 *
 * - {@link runChecks}: plain async, no test framework; returns one {@link CheckResult} per check (what
 *   `netloom conformance run` and the JUnit / Markdown reports consume).
 * - {@link registerMocha}: registers one mocha `describe` with one `it` per check (what an adapter's three-line test
 *   file gets from `runFabricConformance(...)` and friends).
 *
 * A check fails by throwing: {@link ConformanceFailure} (via {@link fail} / {@link expect}) with a message that names
 * the problem, or any other error (reported as unexpected). It skips at run time by throwing {@link CheckSkipped}.
 *
 * @packageDocumentation
 */

/** The outcome of one check. */
export type CheckStatus = 'passed' | 'failed' | 'skipped';

/** One check's result. `reason` says why it failed or was skipped (absent when it passed). */
export interface CheckResult {
  readonly id: string;
  readonly title: string;
  readonly status: CheckStatus;
  readonly reason?: string;
  readonly durationMs: number;
}

/** Every check's result for one suite, with counts. */
export interface ConformanceReport {
  /** The suite's title (`fabric conformance: fake`). */
  readonly suite: string;
  readonly results: readonly CheckResult[];
  readonly summary: { readonly passed: number; readonly failed: number; readonly skipped: number; readonly durationMs: number };
}

/** One named check: data plus the function that performs it on a fresh context. */
export interface Check<Ctx> {
  /** Stable id, dotted (`idempotency`, `capability.vrf`, `store.cas.create-if-absent`). Reports key on it. */
  readonly id: string;
  /** One line saying what is checked. */
  readonly title: string;
  /** The capability the check needs (skipped when the adapter does not declare it), if any. */
  readonly capability?: string;
  /** The capability the check needs to be undeclared (checks of the NotSupported direction), if any. */
  readonly withoutCapability?: string;
  /** Further things the target must offer (`harness`, `reopen`); skipped with the suite's reason when missing. */
  readonly needs?: readonly string[];
  /** Performs the check. Throws to fail (see the module documentation). */
  readonly run: (ctx: Ctx) => Promise<void>;
}

/** A context prepared for one check, and how to release it. */
export interface PreparedCheck<Ctx> {
  readonly ctx: Ctx;
  readonly teardown: () => Promise<void>;
}

/** Checks plus how to run them against one target. */
export interface ConformanceSuite<Ctx> {
  readonly title: string;
  readonly checks: readonly Check<Ctx>[];
  /** Milliseconds one check may take (setup and teardown included). */
  readonly timeoutMs: number;
  /** Why `check` does not apply to this adapter and target (undefined: it runs). */
  skipReason(check: Check<Ctx>): string | undefined;
  /** A fresh context for one check (a fresh device, a fresh store). */
  setup(check: Check<Ctx>): Promise<PreparedCheck<Ctx>>;
}

/** A check found a problem. The message is the report's reason: name the problem, the object and what was seen. */
export class ConformanceFailure extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConformanceFailure';
  }
}

/**
 * The target itself failed the check: a replay diverged from its recording, or the cleanup after a live check
 * could not remove what the check created. Thrown from a suite's teardown, it decides the check's result (the
 * check's own failure, usually a consequence, is appended).
 */
export class TargetFailure extends ConformanceFailure {
  constructor(message: string) {
    super(message);
    this.name = 'TargetFailure';
  }
}

/** A check cannot run here (a sample does not fit the declared capabilities, ...). */
export class CheckSkipped extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CheckSkipped';
  }
}

/** Fails the running check. */
export function fail(message: string): never {
  throw new ConformanceFailure(message);
}

/** Fails the running check with `message` unless `condition` holds. */
export function expect(condition: boolean, message: string | (() => string)): asserts condition {
  if (!condition) fail(typeof message === 'function' ? message() : message);
}

/** Text of any thrown value, with the netloom error code when there is one: `CommitError (DEVICE.COMMIT): ...`. */
export function describeError(e: unknown): string {
  if (e instanceof Error) {
    const code = (e as { code?: unknown }).code;
    return `${e.name}${typeof code === 'string' ? ` (${code})` : ''}: ${e.message}`;
  }
  return String(e);
}

function reasonOf(e: unknown): { status: 'failed' | 'skipped'; reason: string } {
  if (e instanceof CheckSkipped) return { status: 'skipped', reason: e.message };
  if (e instanceof ConformanceFailure) return { status: 'failed', reason: e.message };
  if (e instanceof Error && e.name === 'AssertionError') return { status: 'failed', reason: e.message };
  return { status: 'failed', reason: `unexpected ${describeError(e)}` };
}

function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new ConformanceFailure(`${what} timed out after ${ms} ms`)), ms);
    timer.unref();
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}

/** Runs one check of `suite` (setup, run, teardown) and reports its result. Never throws. */
export async function runCheck<Ctx>(suite: ConformanceSuite<Ctx>, check: Check<Ctx>): Promise<CheckResult> {
  const started = Date.now();
  const result = (status: CheckStatus, reason?: string): CheckResult => ({
    id: check.id,
    title: check.title,
    status,
    ...(reason === undefined ? {} : { reason }),
    durationMs: Date.now() - started,
  });
  const skip = suite.skipReason(check);
  if (skip !== undefined) return result('skipped', skip);
  const body = async (): Promise<CheckResult> => {
    let prepared: PreparedCheck<Ctx>;
    try {
      prepared = await suite.setup(check);
    } catch (e) {
      if (e instanceof CheckSkipped) return result('skipped', e.message);
      if (e instanceof ConformanceFailure) return result('failed', e.message);
      return result('failed', `setup failed: ${describeError(e)}`);
    }
    let outcome: CheckResult;
    try {
      await check.run(prepared.ctx);
      outcome = result('passed');
    } catch (e) {
      const r = reasonOf(e);
      outcome = result(r.status, r.reason);
    }
    try {
      await prepared.teardown();
    } catch (e) {
      if (e instanceof TargetFailure) {
        const own = outcome.status === 'failed' && outcome.reason !== undefined ? ` (the check itself reported: ${outcome.reason})` : '';
        outcome = result('failed', `${e.message}${own}`);
      } else if (outcome.status === 'passed') outcome = result('failed', `teardown failed: ${describeError(e)}`);
    }
    return outcome;
  };
  try {
    return await withTimeout(body(), suite.timeoutMs, `check ${check.id}`);
  } catch (e) {
    return result('failed', reasonOf(e).reason);
  }
}

/** Options of {@link runChecks}. */
export interface RunChecksOptions {
  /** Run only these check ids (default: every check). Unknown ids are an error. */
  readonly only?: readonly string[];
  /** Called with each check's result as soon as it is known (progress output); errors it throws are ignored. */
  readonly onResult?: (result: CheckResult) => void;
}

/**
 * Runs every check of `suite`, one after the other, without any test framework.
 *
 * @example
 * const report = await runChecks(fabricConformance({ adapter, target }));
 * for (const r of report.results) console.log(r.status, r.id, r.reason ?? '');
 */
export async function runChecks<Ctx>(suite: ConformanceSuite<Ctx>, options: RunChecksOptions = {}): Promise<ConformanceReport> {
  const started = Date.now();
  let checks = suite.checks;
  if (options.only !== undefined) {
    const known = new Set(checks.map((c) => c.id));
    const unknown = options.only.filter((id) => !known.has(id));
    if (unknown.length > 0) throw new Error(`runChecks: unknown check id(s) ${unknown.map((u) => JSON.stringify(u)).join(', ')} in ${JSON.stringify(suite.title)} (known: ${[...known].join(', ')})`);
    const only = new Set(options.only);
    checks = checks.filter((c) => only.has(c.id));
  }
  const results: CheckResult[] = [];
  for (const check of checks) {
    const r = await runCheck(suite, check);
    results.push(r);
    try {
      options.onResult?.(r);
    } catch {
      // Progress output must not change the report.
    }
  }
  const count = (s: CheckStatus): number => results.filter((r) => r.status === s).length;
  return { suite: suite.title, results, summary: { passed: count('passed'), failed: count('failed'), skipped: count('skipped'), durationMs: Date.now() - started } };
}

interface MochaGlobals {
  describe(title: string, fn: (this: { timeout(ms: number): void }) => void): unknown;
  it(title: string, fn?: (this: { skip(): never; timeout(ms: number): void }) => Promise<void>): unknown;
}

/** The mocha globals when this code runs inside mocha (a test file loaded by mocha), else undefined. */
export function mochaGlobals(): MochaGlobals | undefined {
  const g = globalThis as Record<string, unknown>;
  return typeof g['describe'] === 'function' && typeof g['it'] === 'function' ? (g as unknown as MochaGlobals) : undefined;
}

/**
 * Registers `suite` with mocha: one `describe(suite.title)` and one `it('<id>: <title>')` per check that applies.
 * Checks that do not apply to the adapter (a capability it does not declare, a harness the target lacks) are not
 * registered as tests: the suite's title lists them, so the run's skipped count only holds checks that skipped at
 * run time, each printing its reason.
 *
 * @throws Error when not called inside mocha (use {@link runChecks} there).
 */
export function registerMocha<Ctx>(suite: ConformanceSuite<Ctx>): void {
  const mocha = mochaGlobals();
  if (mocha === undefined) {
    throw new Error(`${suite.title}: not running inside mocha (no global describe/it). Outside mocha, run the checks with runChecks(...) and read the results.`);
  }
  const applicable = suite.checks.filter((c) => suite.skipReason(c) === undefined);
  const notApplicable = suite.checks.filter((c) => suite.skipReason(c) !== undefined).map((c) => c.id);
  const title = notApplicable.length === 0 ? suite.title : `${suite.title} (not applicable here: ${notApplicable.join(', ')})`;
  mocha.describe(title, function () {
    // Leave room for setup and teardown around the check's own limit.
    this.timeout(suite.timeoutMs + 1_000);
    for (const check of applicable) {
      mocha.it(`${check.id}: ${check.title}`, async function () {
        const r = await runCheck(suite, check);
        if (r.status === 'skipped') {
          process.stdout.write(`      skipped ${check.id}: ${r.reason ?? 'no reason given'}\n`);
          this.skip();
        }
        if (r.status === 'failed') throw new ConformanceFailure(`${check.id}: ${r.reason ?? 'failed'}`);
      });
    }
  });
}
