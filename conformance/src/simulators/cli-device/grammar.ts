/**
 * A small command grammar for CLI device simulators: commands are token lists (keywords and typed parameters),
 * matched against a typed line the way network CLIs do it.
 *
 * - Keywords match case-insensitively and by unique prefix (`disp cur` is `display current-configuration`); a prefix
 *   shared by two keywords at the same place is ambiguous.
 * - A parameter token validates its value (an integer range, an IPv4 address, ...); a value that does not fit is a
 *   *wrong parameter* at that word, not an unknown command.
 * - A `text` parameter takes the rest of the line verbatim (descriptions with spaces).
 * - When no command fits, the result names the kind of failure and the column of the offending word, so a dialect
 *   can print the caret line its vendor prints.
 *
 * Vendor-neutral: the error texts belong to the dialect.
 *
 * @packageDocumentation
 */

/** A parsed parameter value. */
export type ArgValue = string | number;

/** Parameter values by name. */
export type Args = Readonly<Record<string, ArgValue>>;

/** What a parameter parser returns: the canonical value, or a failure (reported as a wrong parameter). */
export type ParamResult = { readonly ok: true; readonly value: ArgValue } | { readonly ok: false };

/** One token of a command's syntax. */
export type SyntaxToken =
  | { readonly kind: 'keyword'; readonly word: string }
  | { readonly kind: 'param'; readonly name: string; readonly parse: (raw: string) => ParamResult }
  | { readonly kind: 'text'; readonly name: string; readonly maxLength: number };

/** A command: an id (for statistics and dispatch), its tokens, and whatever the dialect attaches. */
export interface CommandSpec<H> {
  /** Stable id, e.g. `bridge-domain` or `undo interface`; counted per kind in the statistics. */
  readonly id: string;
  readonly tokens: readonly SyntaxToken[];
  /** What the dialect runs when the command matches. */
  readonly handler: H;
}

/** A parameter definition used by {@link command}'s syntax strings. */
export type ParamDef = { readonly kind: 'param'; readonly parse: (raw: string) => ParamResult } | { readonly kind: 'text'; readonly maxLength: number };

/** A word of the typed line and the column it starts at. */
export interface Word {
  readonly text: string;
  readonly column: number;
}

/** Why a line did not match. */
export type MatchFailure = 'unrecognized' | 'incomplete' | 'wrong-parameter' | 'ambiguous';

/** The result of matching a line against a set of commands. */
export type MatchResult<H> =
  | { readonly ok: true; readonly spec: CommandSpec<H>; readonly args: Args }
  | { readonly ok: false; readonly failure: MatchFailure; readonly column: number };

// ---------------------------------------------------------------------------------------------------------------
// Building commands

/** An integer parameter in `min..max`. */
export function intParam(min: number, max: number): ParamDef {
  return {
    kind: 'param',
    parse: (raw) => {
      if (!/^\d{1,12}$/.test(raw)) return { ok: false };
      const n = Number(raw);
      return n >= min && n <= max ? { ok: true, value: n } : { ok: false };
    },
  };
}

/** A one-word string parameter of `1..maxLength` characters, optionally restricted by `pattern`. */
export function wordParam(maxLength: number, pattern?: RegExp): ParamDef {
  return {
    kind: 'param',
    parse: (raw) => (raw.length >= 1 && raw.length <= maxLength && (pattern === undefined || pattern.test(raw)) ? { ok: true, value: raw } : { ok: false }),
  };
}

/** A parameter with a custom parser that returns the canonical value, or undefined when the word does not fit. */
export function customParam(parse: (raw: string) => ArgValue | undefined): ParamDef {
  return {
    kind: 'param',
    parse: (raw) => {
      const value = parse(raw);
      return value === undefined ? { ok: false } : { ok: true, value };
    },
  };
}

/** The rest of the line, verbatim (inner spaces kept, trailing spaces dropped), `1..maxLength` characters. */
export function textParam(maxLength: number): ParamDef {
  return { kind: 'text', maxLength };
}

/**
 * Builds a command from a syntax string: words in angle brackets are parameters looked up in `params`, the other
 * words are keywords.
 *
 * @example
 * command('bridge-domain', 'bridge-domain <bd>', { bd: intParam(1, 16777215) }, handler)
 */
export function command<H>(id: string, syntax: string, params: Readonly<Record<string, ParamDef>>, handler: H): CommandSpec<H> {
  const tokens: SyntaxToken[] = syntax
    .trim()
    .split(/\s+/)
    .map((w): SyntaxToken => {
      const m = /^<([A-Za-z][\w-]*)>$/.exec(w);
      if (m === null) return { kind: 'keyword', word: w.toLowerCase() };
      const name = m[1]!;
      const def = params[name];
      if (def === undefined) throw new Error(`command "${id}": parameter <${name}> has no definition`);
      return def.kind === 'text' ? { kind: 'text', name, maxLength: def.maxLength } : { kind: 'param', name, parse: def.parse };
    });
  const textAt = tokens.findIndex((t) => t.kind === 'text');
  if (textAt >= 0 && textAt !== tokens.length - 1) throw new Error(`command "${id}": a text parameter must come last`);
  return { id, tokens, handler };
}

// ---------------------------------------------------------------------------------------------------------------
// Matching

/** Splits a line into words with their columns (spaces separate words; tabs count as spaces). */
export function splitWords(line: string): Word[] {
  const out: Word[] = [];
  const re = /[^ \t]+/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(line)) !== null) out.push({ text: m[0], column: m.index });
  return out;
}

interface Candidate<H> {
  readonly spec: CommandSpec<H>;
  readonly args: Record<string, ArgValue>;
  done: boolean;
}

/**
 * Matches `line` against `specs`. On success returns the command and its arguments; otherwise the failure and the
 * column the dialect's caret should point at (for `incomplete`: just past the end of the line).
 */
export function matchCommand<H>(specs: readonly CommandSpec<H>[], line: string): MatchResult<H> {
  const words = splitWords(line);
  const endColumn = line.replace(/[ \t]+$/, '').length;
  if (words.length === 0) return { ok: false, failure: 'incomplete', column: 0 };
  let alive: Candidate<H>[] = specs.map((spec) => ({ spec, args: {}, done: false }));
  for (let i = 0; i < words.length; i++) {
    const word = words[i]!;
    const lower = word.text.toLowerCase();
    const open = alive.filter((c) => !c.done);
    // Keywords the word could abbreviate, over every command still alive: needed to tell a unique prefix apart
    // from an ambiguous one.
    const keywords = new Set<string>();
    for (const c of open) {
      const tok = c.spec.tokens[i];
      if (tok?.kind === 'keyword' && tok.word.startsWith(lower)) keywords.add(tok.word);
    }
    const exact = keywords.has(lower);
    const next: Candidate<H>[] = [...alive.filter((c) => c.done)];
    let wrongParam = false;
    let ambiguous = false;
    for (const c of open) {
      const tok = c.spec.tokens[i];
      if (tok === undefined) continue;
      if (tok.kind === 'keyword') {
        if (exact ? tok.word === lower : keywords.size === 1 && keywords.has(tok.word)) next.push({ ...c, args: { ...c.args } });
        else if (!exact && keywords.size > 1 && keywords.has(tok.word)) ambiguous = true;
      } else if (tok.kind === 'param') {
        const r = tok.parse(word.text);
        if (r.ok) next.push({ ...c, args: { ...c.args, [tok.name]: r.value } });
        else wrongParam = true;
      } else {
        const rest = line.slice(word.column).replace(/[ \t]+$/, '');
        if (rest.length <= tok.maxLength) next.push({ ...c, args: { ...c.args, [tok.name]: rest }, done: true });
        else wrongParam = true;
      }
    }
    if (next.length === 0) {
      const failure: MatchFailure = ambiguous ? 'ambiguous' : wrongParam ? 'wrong-parameter' : 'unrecognized';
      return { ok: false, failure, column: word.column };
    }
    alive = next;
  }
  const complete = alive.filter((c) => c.done || c.spec.tokens.length === words.length);
  if (complete.length === 0) return { ok: false, failure: 'incomplete', column: endColumn };
  // NOTE: prefer the command whose last token was consumed exactly (not by a greedy text parameter), then the
  // longest syntax: `commit label x description y` over `commit description ...`.
  complete.sort((a, b) => Number(a.done) - Number(b.done) || b.spec.tokens.length - a.spec.tokens.length);
  const best = complete[0]!;
  return { ok: true, spec: best.spec, args: best.args };
}

/** The integer argument `name` (throws when the grammar did not provide one: a bug in a command table). */
export function numArg(args: Args, name: string): number {
  const v = args[name];
  if (typeof v !== 'number') throw new Error(`internal: argument <${name}> is not a number`);
  return v;
}

/** The string argument `name` (throws when the grammar did not provide one: a bug in a command table). */
export function strArg(args: Args, name: string): string {
  const v = args[name];
  if (v === undefined) throw new Error(`internal: argument <${name}> is missing`);
  return String(v);
}

/** The string argument `name`, or undefined when the matched command has no such parameter. */
export function optArg(args: Args, name: string): string | undefined {
  const v = args[name];
  return v === undefined ? undefined : String(v);
}

// ---------------------------------------------------------------------------------------------------------------
// Output filters (`display ... | include <regex>`)

/** An output filter after a `|`. */
export interface PipeFilter {
  readonly kind: 'include' | 'exclude' | 'begin';
  readonly pattern: RegExp;
}

/** A line split at its output filter. `error` is set when the filter part is malformed (with its column). */
export interface PipeSplit {
  readonly command: string;
  readonly filter?: PipeFilter;
  readonly error?: { readonly failure: MatchFailure; readonly column: number };
}

/**
 * Splits `display ... | include <regex>` (also `exclude`, `begin`, abbreviated as keywords are) into the command and
 * the filter. Lines without ` | ` come back unchanged.
 */
export function splitPipe(line: string): PipeSplit {
  const bar = line.indexOf('|');
  if (bar < 0) return { command: line };
  const command = line.slice(0, bar).replace(/[ \t]+$/, '');
  const tail = line.slice(bar + 1);
  const words = splitWords(tail);
  const base = bar + 1;
  const first = words[0];
  if (first === undefined) return { command, error: { failure: 'incomplete', column: line.replace(/[ \t]+$/, '').length } };
  const kinds = (['include', 'exclude', 'begin'] as const).filter((k) => k.startsWith(first.text.toLowerCase()));
  if (kinds.length !== 1) return { command, error: { failure: kinds.length > 1 ? 'ambiguous' : 'unrecognized', column: base + first.column } };
  const second = words[1];
  if (second === undefined) return { command, error: { failure: 'incomplete', column: line.replace(/[ \t]+$/, '').length } };
  const source = tail.slice(second.column).replace(/[ \t]+$/, '');
  try {
    return { command, filter: { kind: kinds[0]!, pattern: new RegExp(source) } };
  } catch {
    return { command, error: { failure: 'wrong-parameter', column: base + second.column } };
  }
}

/** Applies an output filter to text lines. */
export function applyPipe(lines: readonly string[], filter: PipeFilter | undefined): string[] {
  if (filter === undefined) return [...lines];
  switch (filter.kind) {
    case 'include':
      return lines.filter((l) => filter.pattern.test(l));
    case 'exclude':
      return lines.filter((l) => !filter.pattern.test(l));
    case 'begin': {
      const i = lines.findIndex((l) => filter.pattern.test(l));
      return i < 0 ? [] : lines.slice(i);
    }
  }
}
