/**
 * Reading scenario files: YAML text → validated {@link Scenario}, every problem with its path and (from the `yaml`
 * package's LineCounter) its line and column.
 * @packageDocumentation
 */
import { readFile } from 'node:fs/promises';
import * as path from 'node:path';
import { InputError, problemsFromErrors, type InputProblem } from '@netloom/ports';
import { LineCounter, isNode, parseDocument, type Document } from 'yaml';
import { ScenarioFileCodec, type Scenario, type ScenarioStep } from './scenario.format';
import { describeRef, isKubeKind, isNamespaced, objectKey } from './scenario.ids';

/** A problem of a scenario file: path and reason, plus where in the file (1-based) when known. */
export interface ScenarioProblem extends InputProblem {
  readonly line?: number;
  readonly column?: number;
}

const isRecord = (u: unknown): u is Record<string, unknown> => typeof u === 'object' && u !== null && !Array.isArray(u);

/** Splits a rendered problem path (`steps[3].apply[1].metadata.labels["a/b"]`) into its segments. */
export function pathSegments(p: string): (string | number)[] {
  const out: (string | number)[] = [];
  const re = /(?:^|\.)([A-Za-z_$][A-Za-z0-9_$]*)|\[(\d+)\]|\[("(?:[^"\\]|\\.)*")\]/y;
  let m: RegExpExecArray | null;
  while (re.lastIndex < p.length && (m = re.exec(p)) !== null) {
    if (m[1] !== undefined) out.push(m[1]);
    else if (m[2] !== undefined) out.push(Number(m[2]));
    else if (m[3] !== undefined) out.push(JSON.parse(m[3]) as string);
  }
  return out;
}

/** Problems with duplicates in one step (the same object applied or deleted twice), on the raw value. */
function duplicateProblems(raw: unknown): InputProblem[] {
  const problems: InputProblem[] = [];
  if (!isRecord(raw) || !Array.isArray(raw['steps'])) return problems;
  raw['steps'].forEach((step: unknown, i) => {
    if (!isRecord(step)) return;
    const seen = new Map<string, string>();
    const visit = (list: unknown, field: 'apply' | 'delete'): void => {
      if (!Array.isArray(list)) return;
      list.forEach((item: unknown, j) => {
        if (!isRecord(item)) return;
        const meta = field === 'apply' ? item['metadata'] : item;
        if (!isKubeKind(item['kind']) || !isRecord(meta) || typeof meta['name'] !== 'string') return;
        const ns = isNamespaced(item['kind']) && typeof meta['namespace'] === 'string' ? meta['namespace'] : undefined;
        const ref = { kind: item['kind'], namespace: ns, name: meta['name'] };
        const here = `steps[${i}].${field}[${j}]`;
        const first = seen.get(objectKey(ref));
        if (first !== undefined) problems.push({ path: here, reason: `${describeRef(ref)} already appears in this step at ${first} (one change per object and step)` });
        else seen.set(objectKey(ref), here);
      });
    };
    visit(step['apply'], 'apply');
    visit(step['delete'], 'delete');
  });
  return problems;
}

function positionOf(doc: Document | undefined, counter: LineCounter | undefined, p: string): { line: number; column: number } | undefined {
  if (doc === undefined || counter === undefined) return undefined;
  const segs = pathSegments(p);
  for (let n = segs.length; n >= 0; n--) {
    const node: unknown = n === 0 ? doc.contents : doc.getIn(segs.slice(0, n), true);
    if (isNode(node) && node.range !== undefined && node.range !== null) {
      const pos = counter.linePos(node.range[0]);
      return { line: pos.line, column: pos.col };
    }
  }
  return undefined;
}

function fail(name: string, problems: readonly ScenarioProblem[]): never {
  const lines = problems.map((p) => `  ${p.path === '' ? '(root)' : p.path}: ${p.reason}${p.line === undefined ? '' : ` (${name}:${p.line}:${p.column ?? 1})`}`);
  throw new InputError(`scenario ${name} is invalid (${problems.length} problem${problems.length === 1 ? '' : 's'}):\n${lines.join('\n')}`, problems);
}

/** A decoded scenario file whose includes are not resolved yet. */
interface ParsedFile {
  readonly scenario: Scenario;
  readonly include: readonly string[];
}

function decodeValue(raw: unknown, name: string, doc?: Document, counter?: LineCounter): ParsedFile {
  const r = ScenarioFileCodec.decode(raw);
  const problems: ScenarioProblem[] = [...(r._tag === 'Left' ? problemsFromErrors(r.left) : []), ...duplicateProblems(raw)].map((p) => ({ ...p, ...positionOf(doc, counter, p.path) }));
  if (r._tag === 'Left' || problems.length > 0) {
    const order = problems.map((p, i) => ({ p, i }));
    order.sort((a, b) => (a.p.line ?? Infinity) - (b.p.line ?? Infinity) || (a.p.column ?? 0) - (b.p.column ?? 0) || a.i - b.i);
    fail(name, order.map((o) => o.p));
  }
  const file = r.right;
  const steps: ScenarioStep[] = file.steps.map((s, i) => ({
    name: s.name,
    ...(s.description === undefined ? {} : { description: s.description }),
    apply: s.apply ?? [],
    delete: s.delete ?? [],
    origin: `${name} steps[${i}]`,
  }));
  const scenario: Scenario = {
    name: file.metadata.name,
    ...(file.metadata.description === undefined ? {} : { description: file.metadata.description }),
    source: name,
    includes: [],
    steps,
  };
  return { scenario, include: file.include ?? [] };
}

function parseText(text: string, name: string): ParsedFile {
  const counter = new LineCounter();
  const doc = parseDocument(text, { lineCounter: counter, prettyErrors: false });
  if (doc.errors.length > 0) {
    fail(
      name,
      doc.errors.map((e) => {
        const pos = counter.linePos(e.pos[0]);
        return { path: '', reason: `not valid YAML: ${e.message.split('\n')[0] ?? e.message}`, line: pos.line, column: pos.col };
      }),
    );
  }
  return decodeValue(doc.toJS({ maxAliasCount: 1000 }) as unknown, name, doc, counter);
}

/**
 * Parses and validates scenario YAML text. `name` names it in messages (a file name). A scenario with `include`
 * cannot be resolved from text alone: use {@link loadScenario}.
 *
 * @throws InputError listing every problem (`steps[3].apply[1].metadata.name: required (demo.yaml:14:9)`).
 * @example parseScenario(fs.readFileSync('demo.yaml', 'utf8'), 'demo.yaml').steps.length // 6
 */
export function parseScenario(text: string, name = 'scenario'): Scenario {
  const parsed = parseText(text, name);
  if (parsed.include.length > 0) fail(name, [{ path: 'include', reason: 'includes are resolved relative to a file: load the scenario with loadScenario(file)' }]);
  return parsed.scenario;
}

/**
 * Validates a scenario given as a value (the adapter's inline `scenario` option). Problems have paths but no lines.
 * @throws InputError listing every problem.
 */
export function scenarioFromValue(value: unknown, name = 'inline scenario'): Scenario {
  const parsed = decodeValue(value, name);
  if (parsed.include.length > 0) fail(name, [{ path: 'include', reason: 'includes are resolved relative to a file: give the scenario as a file' }]);
  return parsed.scenario;
}

/**
 * Reads, parses and validates a scenario file, with its includes (resolved relative to the including file; their
 * steps come first, in order; a file included twice is played twice; a cycle is an error).
 *
 * @throws InputError (invalid scenario, include cycle, unreadable file: the path and the reason).
 * @example const scenario = await loadScenario('docs/examples/scenario.yaml');
 */
export async function loadScenario(file: string): Promise<Scenario> {
  return load(path.resolve(file), []);
}

async function load(file: string, chain: readonly string[]): Promise<Scenario> {
  if (chain.includes(file)) {
    throw new InputError(`scenario include cycle: ${[...chain, file].map((f) => path.basename(f)).join(' → ')}`, [{ path: 'include', reason: `${file} includes itself` }]);
  }
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (cause) {
    const code = (cause as NodeJS.ErrnoException).code;
    const via = chain.length > 0 ? ` (included from ${chain[chain.length - 1]})` : '';
    throw new InputError(`scenario file ${file}${via} cannot be read: ${code === 'ENOENT' ? 'it does not exist' : String((cause as Error).message)}`, [{ path: '', reason: `cannot read ${file}` }], { cause });
  }
  const parsed = parseText(text, path.basename(file));
  const steps: ScenarioStep[] = [];
  const includes: string[] = [];
  for (const inc of parsed.include) {
    const sub = await load(path.resolve(path.dirname(file), inc), [...chain, file]);
    includes.push(...sub.includes, sub.source);
    steps.push(...sub.steps);
  }
  steps.push(...parsed.scenario.steps);
  return { ...parsed.scenario, source: file, includes, steps };
}
