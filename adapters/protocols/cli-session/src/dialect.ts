/**
 * A CLI dialect: everything vendor-specific a session needs, as data. Adapters own their dialects (vendor strings
 * live in adapters, not here); this module only defines the shape and checks it.
 *
 * @packageDocumentation
 */
import { InputError, type InputProblem } from '@netloom/ports';
import { type CliErrorKind } from './errors';

/**
 * An automatic answer to a question the device asks (matched against the unfinished last line of output).
 *
 * @example { pattern: /\[Y\/N\]:?$/i, answer: 'y' }
 */
export interface CliAnswer {
  /** Tested against the last, unterminated line (cleaned, trailing spaces removed). Anchor it with `$`. */
  readonly pattern: RegExp;
  /** What to type. One line, no control characters. */
  readonly answer: string;
  /** Send the dialect's line ending after `answer` (default true). */
  readonly enter?: boolean;
  /**
   * When the answer applies: only while logging in (`login`, e.g. the first-login password-change question), only
   * while running commands (`command`), or both (`any`, default).
   */
  readonly phase?: 'login' | 'command' | 'any';
}

/** A device error line and what it means. */
export interface CliErrorPattern {
  /** Tested against every output line (cleaned). Example: `/^Error:/`. */
  readonly pattern: RegExp;
  /** Which error is thrown (default `command`): see `CliCommandError`, `CliCommitError`, `CliLockedError`. */
  readonly kind?: CliErrorKind;
}

/** A "--More--" pager and the key that continues it (used when turning paging off did not work). */
export interface CliPager {
  /** Tested against the unterminated last line. Example: `/---- More ----$/`. */
  readonly pattern: RegExp;
  /** Sent as is, without a line ending. Usually a space. */
  readonly key: string;
}

/** A vendor-specific clean-up applied to every raw line before terminal processing. */
export interface CliCleanupRule {
  /** What to remove or replace; treated as global. */
  readonly pattern: RegExp;
  /** Replacement (default: nothing). */
  readonly replace?: string;
}

/** A post-login command with its own options (for example `enable`, which may ask for a password). */
export interface CliPostLoginCommand {
  readonly command: string;
  readonly answers?: readonly CliAnswer[];
  readonly timeoutMs?: number;
  /** Check the output against the dialect's error patterns (default true). */
  readonly checkErrors?: boolean;
}

/**
 * Everything a session needs to know about one CLI family.
 *
 * @example
 * // Huawei VRP8-like (the real one lives in the Huawei CE adapter)
 * const vrp8 = defineDialect({
 *   name: 'huawei-vrp8',
 *   prompts: [/^<(?<view>[^<>\s]+)>$/, /^\[(?<state>[~*])?(?<view>[^\[\]\s]+)\]$/],
 *   postLogin: ['screen-length 0 temporary'],
 *   errors: [{ pattern: /^Error(\[\d+\])?:/ }, { pattern: /Failed to generate committed config/, kind: 'commit' }],
 *   answers: [
 *     { pattern: /Change now\?\s*\[Y\/N\]:?$/i, answer: 'N', phase: 'login' },
 *     { pattern: /\[Y\/N\]:?$/i, answer: 'y', phase: 'command' },
 *   ],
 *   cleanup: [{ pattern: / \x1b\[1D/g }],
 *   pager: { pattern: /---- More ----$/, key: ' ' },
 *   logout: 'quit',
 * });
 */
export interface CliDialect {
  /** A short name for logs and transcripts (`huawei-vrp8`). */
  readonly name: string;
  /**
   * Prompt patterns, tested against the unterminated last line (cleaned, trailing spaces removed). Each must have a
   * named group `view` (the hostname and view, e.g. `HUAWEI-bd10`); other named groups are returned as `groups`.
   * Anchor them with `^...$`.
   */
  readonly prompts: readonly RegExp[];
  /** Commands run right after login, in order (paging off, terminal width ...). */
  readonly postLogin?: readonly (string | CliPostLoginCommand)[];
  /** Device error lines, first match wins. */
  readonly errors?: readonly CliErrorPattern[];
  /** Automatic answers to questions, first match wins (per-call answers are tried before these). */
  readonly answers?: readonly CliAnswer[];
  /** Line ending sent after each command (default `\n`). */
  readonly lineEnding?: '\n' | '\r\n' | '\r';
  /** Vendor clean-up rules, applied to each raw line before ANSI and backspace processing. */
  readonly cleanup?: readonly CliCleanupRule[];
  /** Pager fallback. */
  readonly pager?: CliPager;
  /** Default time to wait for the prompt after a command, in ms (default 60 000). */
  readonly commandTimeoutMs?: number;
  /** Sent (without waiting) before the connection is closed, e.g. `quit`. */
  readonly logout?: string;
  /** The device echoes typed commands (default true); the echo is removed from outputs. */
  readonly echo?: boolean;
}

/** A dialect with defaults filled in and regular expressions normalised. Internal to the session. */
export interface ResolvedDialect {
  readonly name: string;
  readonly prompts: readonly RegExp[];
  readonly postLogin: readonly CliPostLoginCommand[];
  readonly errors: readonly { readonly pattern: RegExp; readonly kind: CliErrorKind }[];
  readonly answers: readonly CliAnswer[];
  readonly lineEnding: string;
  readonly cleanup: readonly { readonly pattern: RegExp; readonly replace: string }[];
  readonly pager?: CliPager;
  readonly commandTimeoutMs: number;
  readonly logout?: string;
  readonly echo: boolean;
}

/** Default time to wait for a prompt, in ms. */
export const DEFAULT_COMMAND_TIMEOUT_MS = 60_000;

/** Copies a regular expression without the stateful `g`/`y` flags (so `test` has no `lastIndex` memory). */
function stateless(re: RegExp): RegExp {
  return re.global || re.sticky ? new RegExp(re.source, re.flags.replace(/[gy]/g, '')) : re;
}

function global(re: RegExp): RegExp {
  return re.global ? re : new RegExp(re.source, `${re.flags}g`);
}

/**
 * True if `text` contains a character that is not allowed inside one typed line: C0 controls (including TAB, CR,
 * LF, ESC), DEL and C1 controls. TAB is refused too because CLIs treat it as completion.
 */
export function hasControlCharacter(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x20 || (c >= 0x7f && c <= 0x9f)) return true;
  }
  return false;
}

function checkAnswer(a: CliAnswer, path: string, problems: InputProblem[]): void {
  if (!(a.pattern instanceof RegExp)) problems.push({ path: `${path}.pattern`, reason: 'must be a RegExp' });
  if (typeof a.answer !== 'string') problems.push({ path: `${path}.answer`, reason: 'must be a string' });
  else if (hasControlCharacter(a.answer)) problems.push({ path: `${path}.answer`, reason: 'must be one line without control characters' });
  if (a.phase !== undefined && a.phase !== 'login' && a.phase !== 'command' && a.phase !== 'any') problems.push({ path: `${path}.phase`, reason: `expected "login" | "command" | "any", got ${JSON.stringify(a.phase)}` });
}

/** Checks a list of answers (dialect or per call); returns the problems found. */
export function answerProblems(answers: readonly CliAnswer[], path: string): InputProblem[] {
  const problems: InputProblem[] = [];
  answers.forEach((a, i) => checkAnswer(a, `${path}[${i}]`, problems));
  return problems;
}

function normaliseAnswer(a: CliAnswer): CliAnswer {
  return { ...a, pattern: stateless(a.pattern) };
}

/**
 * Checks a dialect and returns it with defaults filled in. Throws `InputError` listing every problem (a prompt
 * without a `view` group, an answer with a newline, a bad line ending ...).
 *
 * @throws InputError
 * @example const d = resolveDialect(myDialect); d.lineEnding // '\n'
 */
export function resolveDialect(d: CliDialect): ResolvedDialect {
  const problems: InputProblem[] = [];
  if (typeof d.name !== 'string' || d.name === '') problems.push({ path: 'name', reason: 'must be a non-empty string' });
  if (!Array.isArray(d.prompts) || d.prompts.length === 0) problems.push({ path: 'prompts', reason: 'must list at least one prompt pattern' });
  else
    d.prompts.forEach((p, i) => {
      if (!(p instanceof RegExp)) problems.push({ path: `prompts[${i}]`, reason: 'must be a RegExp' });
      else if (!/\(\?<view>/.test(p.source)) problems.push({ path: `prompts[${i}]`, reason: `${String(p)} has no named group "view"` });
    });
  const postLogin: CliPostLoginCommand[] = (d.postLogin ?? []).map((c) => (typeof c === 'string' ? { command: c } : c));
  postLogin.forEach((c, i) => {
    if (typeof c.command !== 'string') problems.push({ path: `postLogin[${i}].command`, reason: 'must be a string' });
    else if (hasControlCharacter(c.command)) problems.push({ path: `postLogin[${i}].command`, reason: 'must be one line without control characters' });
    problems.push(...answerProblems(c.answers ?? [], `postLogin[${i}].answers`));
  });
  (d.errors ?? []).forEach((e, i) => {
    if (!(e.pattern instanceof RegExp)) problems.push({ path: `errors[${i}].pattern`, reason: 'must be a RegExp' });
    if (e.kind !== undefined && e.kind !== 'command' && e.kind !== 'commit' && e.kind !== 'locked') problems.push({ path: `errors[${i}].kind`, reason: `expected "command" | "commit" | "locked", got ${JSON.stringify(e.kind)}` });
  });
  problems.push(...answerProblems(d.answers ?? [], 'answers'));
  const lineEnding = d.lineEnding ?? '\n';
  if (lineEnding !== '\n' && lineEnding !== '\r\n' && lineEnding !== '\r') problems.push({ path: 'lineEnding', reason: `expected "\\n" | "\\r\\n" | "\\r", got ${JSON.stringify(lineEnding)}` });
  (d.cleanup ?? []).forEach((c, i) => {
    if (!(c.pattern instanceof RegExp)) problems.push({ path: `cleanup[${i}].pattern`, reason: 'must be a RegExp' });
  });
  if (d.pager !== undefined) {
    if (!(d.pager.pattern instanceof RegExp)) problems.push({ path: 'pager.pattern', reason: 'must be a RegExp' });
    if (typeof d.pager.key !== 'string' || d.pager.key.length === 0) problems.push({ path: 'pager.key', reason: 'must be a non-empty string' });
  }
  const commandTimeoutMs = d.commandTimeoutMs ?? DEFAULT_COMMAND_TIMEOUT_MS;
  if (!Number.isFinite(commandTimeoutMs) || commandTimeoutMs <= 0) problems.push({ path: 'commandTimeoutMs', reason: `${String(commandTimeoutMs)} is not a positive number of milliseconds` });
  if (d.logout !== undefined && (typeof d.logout !== 'string' || hasControlCharacter(d.logout))) problems.push({ path: 'logout', reason: 'must be one line without control characters' });
  if (problems.length > 0) throw InputError.fromProblems(`CLI dialect ${JSON.stringify(d.name)}`, problems);

  const out: ResolvedDialect = {
    name: d.name,
    prompts: d.prompts.map(stateless),
    postLogin: postLogin.map((c) => ({ ...c, answers: (c.answers ?? []).map(normaliseAnswer) })),
    errors: (d.errors ?? []).map((e) => ({ pattern: stateless(e.pattern), kind: e.kind ?? 'command' })),
    answers: (d.answers ?? []).map(normaliseAnswer),
    lineEnding,
    cleanup: (d.cleanup ?? []).map((c) => ({ pattern: global(c.pattern), replace: c.replace ?? '' })),
    commandTimeoutMs,
    echo: d.echo ?? true,
    ...(d.pager === undefined ? {} : { pager: { pattern: stateless(d.pager.pattern), key: d.pager.key } }),
    ...(d.logout === undefined ? {} : { logout: d.logout }),
  };
  return out;
}

/**
 * Declares a dialect: checks it now (so a broken dialect fails at module load, not at the first login) and
 * returns it unchanged, typed.
 *
 * @throws InputError
 * @example export const ruijieDialect = defineDialect({ name: 'ruijie-rgos', prompts: [/^(?<view>[\w.-]+(\(config[^)]*\))?)[>#]$/] });
 */
export function defineDialect<D extends CliDialect>(d: D): D {
  resolveDialect(d);
  return d;
}

/** A prompt found at the end of the output. */
export interface PromptMatch {
  /** The whole prompt line, e.g. `[*HUAWEI-bd10]`. */
  readonly prompt: string;
  /** The `view` group, e.g. `HUAWEI-bd10`. */
  readonly view: string;
  /** Every named group that matched (e.g. `{ state: '*', view: 'HUAWEI-bd10' }`). */
  readonly groups: Readonly<Record<string, string>>;
}

/** Tests `line` against `patterns` and returns the first prompt match. */
export function matchPrompt(line: string, patterns: readonly RegExp[]): PromptMatch | undefined {
  for (const p of patterns) {
    const m = p.exec(line);
    if (m === null) continue;
    const groups: Record<string, string> = {};
    for (const [k, v] of Object.entries(m.groups ?? {})) if (v !== undefined) groups[k] = v;
    return { prompt: line, view: groups['view'] ?? '', groups };
  }
  return undefined;
}
