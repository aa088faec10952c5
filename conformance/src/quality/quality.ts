/**
 * The quality scale of adapters (STYLE.md "Quality scale per adapter"): each adapter package carries a
 * `quality.yaml` that marks every rule of the scale `done`, `todo` or `exempt` (with a reason). This module knows the
 * rules, validates the file, checks what can be checked automatically against the package's files, and computes the
 * tier the adapter reaches. `scripts/test/quality.test.ts` runs it on every adapter in CI; `netloom conformance run`
 * prints the tier in its report.
 *
 * The file:
 * ```yaml
 * adapter: fake                 # the adapter id (package.json "netloom".id)
 * tier: silver                  # the tier the adapter claims; must be reached
 * rules:
 *   manifest-valid: done
 *   live-lab-run:
 *     status: exempt
 *     reason: in-memory devices; there is no lab device to run against
 *   fuzzed-renderers: todo
 * ```
 *
 * Every rule of the scale must be listed (a `todo` is explicit, never a silent gap). A tier is reached when every
 * rule of it and of the tiers below is `done` or `exempt`, and every automatic check of a `done` rule passes.
 * @packageDocumentation
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as t from 'io-ts';
import { isLeft } from 'fp-ts/Either';
import { parse as parseYaml } from 'yaml';
import { AdapterPackageFieldCodec, InputError, decodeOrThrow, struct, type InputProblem } from '@netloom/ports';

/** The tiers, lowest first. Each includes the ones below it. */
export const QUALITY_TIERS = ['bronze', 'silver', 'gold', 'platinum'] as const;
/** A tier. */
export type QualityTier = (typeof QUALITY_TIERS)[number];

/** What an automatic check looks at. */
type AutoCheck = (pkg: PackageFiles) => string | undefined;

/** One rule of the scale. */
export interface QualityRule {
  readonly id: string;
  readonly tier: QualityTier;
  /** What `done` means. */
  readonly means: string;
  /** True when a repo script verifies a `done` claim (the rest are reviewed by people). */
  readonly automatic: boolean;
}

/** The files of an adapter package the automatic checks read. */
interface PackageFiles {
  readonly dir: string;
  readonly packageJson: Record<string, unknown>;
  readonly readme: string;
  /** Headings of the README (lines starting with `#`), lower-cased. */
  readonly headings: readonly string[];
  /** Source files (`src/**\/*.ts`) with their text. */
  readonly sources: ReadonlyMap<string, string>;
  /** Test files (`test/**\/*.ts`) with their text. */
  readonly tests: ReadonlyMap<string, string>;
}

const heading = (re: RegExp, what: string): AutoCheck => (p) => (p.headings.some((h) => re.test(h)) ? undefined : `README.md has no ${what} section (a heading matching ${re})`);

/** Source lines matching `re`, as `file:line` (at most 5). */
function sourceHits(p: PackageFiles, re: RegExp): string[] {
  const hits: string[] = [];
  for (const [file, text] of p.sources) {
    const lines = text.split('\n');
    for (let i = 0; i < lines.length; i++) {
      const line = lines[i] ?? '';
      if (/^\s*(\/\/|\*)/.test(line)) continue;
      if (re.test(line)) hits.push(`${file}:${i + 1}`);
      if (hits.length >= 5) return hits;
    }
  }
  return hits;
}

const AUTO_CHECKS: Readonly<Record<string, AutoCheck>> = {
  'manifest-valid': (p) => {
    if (isLeft(AdapterPackageFieldCodec.decode(p.packageJson['netloom']))) return 'package.json has no valid "netloom" field';
    if (!fs.existsSync(path.join(p.dir, 'CHANGELOG.md'))) return 'CHANGELOG.md is missing';
    return undefined;
  },
  'conformance-core': (p) => {
    const kit = /\brun(Fabric|VSwitch|Firewall|LoadBalancer|Store|KubernetesSource)Conformance\s*\(/;
    if ([...p.tests.values()].some((s) => kit.test(s))) return undefined;
    if ([...p.sources.values()].some((s) => /export\s+const\s+conformanceTargets\b/.test(s))) return undefined;
    return 'no test calls a run*Conformance kit and the package exports no conformanceTargets';
  },
  'docs-install': heading(/install|configure/, 'install/configure'),
  'docs-config-parameters': heading(/configur|options|parameters/, 'configuration'),
  'docs-supported-models': heading(/supported|models|devices/, 'supported models'),
  'docs-known-limitations': heading(/limit/, 'limitations'),
  'strict-typing': (p) => {
    const hits = sourceHits(p, /(:\s*any\b|\bas\s+any\b|<any>|@ts-ignore|@ts-nocheck)/);
    return hits.length === 0 ? undefined : `untyped code (any / @ts-ignore) at ${hits.join(', ')}`;
  },
  'no-sync-io': (p) => {
    const hits = sourceHits(p, /\b\w+Sync\s*\(/);
    return hits.length === 0 ? undefined : `synchronous I/O at ${hits.join(', ')}`;
  },
  // The injection fuzz kit fuzzes every string field of the port's samples through the adapter's renderers; a call
  // in a test (not in a comment) is what can be checked from the files. Hand-written properties are for review.
  'fuzzed-renderers': (p) =>
    [...p.tests.values()].some((text) => text.split('\n').some((line) => !/^\s*(\/\/|\*)/.test(line) && /\brunInjectionFuzz\s*\(/.test(line)))
      ? undefined
      : 'no test calls runInjectionFuzz(...) (@netloom/conformance/fuzz)',
};

/** Every rule of the scale, in tier order. */
export const QUALITY_RULES: readonly QualityRule[] = (
  [
    ['bronze', 'manifest-valid', 'package.json "netloom" field and defineAdapter manifest valid and in agreement; README and CHANGELOG present'],
    ['bronze', 'conformance-core', 'the shared conformance kit runs for every port the adapter provides, on a simulator target'],
    ['bronze', 'fixtures-per-method', 'every device command or endpoint the adapter uses has a test fixture (simulator behaviour or recorded reply)'],
    ['bronze', 'error-mapping', 'device errors are mapped to netloom error classes with the device text kept'],
    ['bronze', 'credentials-never-logged', 'credentials come by reference and never reach a log, error, transcript or report (tested)'],
    ['bronze', 'docs-install', 'the README says how to install and enable the adapter'],
    ['silver', 'idempotent-apply', 'applying the same desired config twice writes nothing the second time'],
    ['silver', 'dry-run-diff', 'the adapter can show the exact device operations of a change without writing'],
    ['silver', 'rollback-on-failure', 'a failed commit leaves the device at its last committed configuration'],
    ['silver', 'reconnect-with-backoff', 'lost connections are re-established with backoff; no request is lost silently'],
    ['silver', 'docs-config-parameters', 'every profile option is documented'],
    ['gold', 'live-lab-run', 'the suite passed against a real device, and the run is recorded for replay'],
    ['gold', 'drift-detection', 'out-of-band changes are seen by observe'],
    ['gold', 'diagnostics-dump', 'the adapter can dump what it knows (versions, sessions, last errors) for a support case'],
    ['gold', 'docs-supported-models', 'the README lists the models and OS versions it was tested with'],
    ['gold', 'docs-known-limitations', 'the README lists known limitations'],
    ['platinum', 'strict-typing', 'no any, no ts-ignore in the sources'],
    ['platinum', 'api-report-clean', 'the public API is reviewed (API report without unreviewed changes)'],
    ['platinum', 'no-sync-io', 'no synchronous I/O in the sources'],
    ['platinum', 'fuzzed-renderers', 'the renderers of device commands are fuzzed (property tests)'],
  ] as const
).map(([tier, id, means]) => ({ id, tier, means, automatic: AUTO_CHECKS[id] !== undefined }));

const RULE_BY_ID = new Map(QUALITY_RULES.map((r) => [r.id, r]));

const StatusCodec = t.keyof({ done: null, todo: null, exempt: null }, '"done" | "todo" | "exempt"');
const RuleEntryCodec = t.union([StatusCodec, struct('QualityRuleEntry', { status: StatusCodec }, { reason: t.string, note: t.string })], 'a status, or { status, reason }');
const QualityFileCodec = struct('QualityFile', {
  adapter: t.string,
  tier: t.keyof({ none: null, bronze: null, silver: null, gold: null, platinum: null }, 'none | bronze | silver | gold | platinum'),
  rules: t.record(t.string, RuleEntryCodec),
});

/** The status of one rule as the file gives it. */
export interface RuleStatus {
  readonly status: 'done' | 'todo' | 'exempt';
  readonly reason?: string;
}

/** A parsed `quality.yaml`. */
export interface QualityFile {
  readonly adapter: string;
  readonly tier: QualityTier | 'none';
  readonly rules: ReadonlyMap<string, RuleStatus>;
}

/**
 * Parses and validates a `quality.yaml` text: YAML syntax, shape, rule names known, every rule listed, `exempt`
 * with a reason.
 * @throws InputError listing every problem with its path
 */
export function parseQualityFile(text: string, source: string): QualityFile {
  let raw: unknown;
  try {
    raw = parseYaml(text);
  } catch (e) {
    throw new InputError(`${source}: not valid YAML: ${e instanceof Error ? e.message : String(e)}`, [], { cause: e });
  }
  const f = decodeOrThrow(QualityFileCodec, raw, source);
  const problems: InputProblem[] = [];
  const rules = new Map<string, RuleStatus>();
  for (const [id, entry] of Object.entries(f.rules)) {
    if (!RULE_BY_ID.has(id)) {
      problems.push({ path: `rules["${id}"]`, reason: `unknown rule (rules: ${QUALITY_RULES.map((r) => r.id).join(', ')})` });
      continue;
    }
    const s: RuleStatus = typeof entry === 'string' ? { status: entry } : { status: entry.status, ...(entry.reason === undefined ? {} : { reason: entry.reason }) };
    if (s.status === 'exempt' && (s.reason === undefined || s.reason.trim() === '')) problems.push({ path: `rules["${id}"]`, reason: 'exempt needs a reason' });
    rules.set(id, s);
  }
  for (const r of QUALITY_RULES) if (!rules.has(r.id) && !problems.some((p) => p.path === `rules["${r.id}"]`)) problems.push({ path: `rules["${r.id}"]`, reason: `missing (${r.tier}: ${r.means}); list it as done, todo or exempt` });
  if (problems.length > 0) {
    throw InputError.fromProblems(source, problems);
  }
  return { adapter: f.adapter, tier: f.tier, rules };
}

/** One rule's verdict in an assessment. */
export interface RuleVerdict {
  readonly rule: QualityRule;
  readonly status: RuleStatus['status'];
  readonly reason?: string;
  /** For a `done` rule with an automatic check: undefined when it passed, else why it failed. */
  readonly autoFailure?: string;
}

/** The result of {@link assessQuality}. */
export interface QualityAssessment {
  readonly adapter: string;
  readonly claimed: QualityTier | 'none';
  /** The highest tier reached, or `none`. */
  readonly reached: QualityTier | 'none';
  readonly verdicts: readonly RuleVerdict[];
  /** Why the claim does not hold, and automatic checks that failed; empty when all is well. */
  readonly problems: readonly string[];
}

function listTs(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  if (!fs.existsSync(dir)) return out;
  for (const e of fs.readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (!e.isFile() || !e.name.endsWith('.ts') || e.name.endsWith('.d.ts')) continue;
    const full = path.join(e.parentPath, e.name);
    out.set(path.relative(path.dirname(dir), full), fs.readFileSync(full, 'utf8'));
  }
  return out;
}

function readPackage(dir: string): PackageFiles {
  const packageJson = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')) as Record<string, unknown>;
  const readmePath = path.join(dir, 'README.md');
  const readme = fs.existsSync(readmePath) ? fs.readFileSync(readmePath, 'utf8') : '';
  const headings = readme
    .split('\n')
    .filter((l) => /^#{1,6}\s/.test(l))
    .map((l) => l.toLowerCase());
  return { dir, packageJson, readme, headings, sources: listTs(path.join(dir, 'src')), tests: listTs(path.join(dir, 'test')) };
}

/**
 * Assesses the adapter package in `dir` (its `quality.yaml`, package.json, README, src and test): runs the automatic
 * checks of every `done` rule and computes the tier reached. The claim must be reached and the file's `adapter` must
 * be the package's adapter id; otherwise `problems` says why.
 * @throws InputError when quality.yaml is missing or invalid
 */
export function assessQuality(dir: string): QualityAssessment {
  const file = path.join(dir, 'quality.yaml');
  if (!fs.existsSync(file)) throw new InputError(`${file} is missing: every adapter carries a quality.yaml (docs/vendors/quality.md)`);
  const q = parseQualityFile(fs.readFileSync(file, 'utf8'), file);
  const pkg = readPackage(dir);
  const problems: string[] = [];
  const field = pkg.packageJson['netloom'] as { id?: unknown } | undefined;
  if (field?.id !== undefined && field.id !== q.adapter) problems.push(`adapter: "${q.adapter}" is not the package's adapter id "${String(field.id)}"`);
  const verdicts: RuleVerdict[] = QUALITY_RULES.map((rule) => {
    const s = q.rules.get(rule.id) as RuleStatus;
    const auto = s.status === 'done' ? AUTO_CHECKS[rule.id]?.(pkg) : undefined;
    if (auto !== undefined) problems.push(`${rule.id} is marked done but: ${auto}`);
    return { rule, status: s.status, ...(s.reason === undefined ? {} : { reason: s.reason }), ...(auto === undefined ? {} : { autoFailure: auto }) };
  });
  let reached: QualityTier | 'none' = 'none';
  for (const tier of QUALITY_TIERS) {
    const open = verdicts.filter((v) => v.rule.tier === tier && (v.status === 'todo' || v.autoFailure !== undefined));
    if (open.length > 0) {
      if (q.tier !== 'none' && QUALITY_TIERS.indexOf(q.tier) >= QUALITY_TIERS.indexOf(tier)) {
        problems.push(`claims ${q.tier} but ${tier} is not reached: ${open.map((v) => `${v.rule.id} (${v.autoFailure ?? v.status})`).join(', ')}`);
      }
      break;
    }
    reached = tier;
  }
  return { adapter: q.adapter, claimed: q.tier, reached, verdicts, problems };
}
