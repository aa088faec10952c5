/**
 * The judgements of the injection fuzz kit: a fuzzed value was either refused properly ({@link assertRefused}) or
 * stayed inside its field in every rendered operation ({@link assertContained}), judged per medium.
 *
 * @packageDocumentation
 */
import { ErrorCode, isNetloomError, quoteText, type RenderedOperation } from '@netloom/ports';
import { expect, fail } from '../kit/check';
import { hasControlCharacter } from './hostile';

/**
 * What an adapter renders, as the kit names it:
 * - `cli`: command lines (SSH CLI, or commands inside an eAPI request): a value may not add a line or a token;
 * - `http-json`: `METHOD /path [json]` requests: the path holds no space or control, the body is JSON that
 *   round-trips (a value can only be inside a JSON string);
 * - `ovsdb`: OVSDB operations as JSON, with OpenFlow flows beside them: a name never reaches a flow;
 * - `nft`: `nft -f` lines: a value may not add a line or a token;
 * - `memory`: an in-memory device's records (`<op> <kind> <key> <json>`): the record is JSON that round-trips;
 * - `argv`: argument vectors of programs run without a shell (`ip`, `sysctl`), each shown as a POSIX-shell line
 *   (bare words and single-quoted words): the line splits back into words, and a value may not add an argument.
 */
export type InjectionMedium = 'cli' | 'http-json' | 'ovsdb' | 'nft' | 'memory' | 'argv';

/** The media of the rendered operations ({@link RenderedOperation.medium}) each {@link InjectionMedium} allows. */
export const OPERATION_MEDIA: { readonly [M in InjectionMedium]: readonly string[] } = {
  cli: ['cli'],
  'http-json': ['http'],
  ovsdb: ['ovsdb', 'openflow'],
  nft: ['nft'],
  memory: ['memory'],
  argv: ['argv'],
};

/**
 * The arguments of a POSIX-shell line made of bare words (no shell metacharacter, quote or backslash) and
 * single-quoted words (`'\''` for a quote inside), separated by single spaces; undefined when the line is not of
 * that form (so a value could have escaped its argument).
 * @example argvWords("ip link set dev lo alias 'a b'") // ['ip', 'link', 'set', 'dev', 'lo', 'alias', 'a b']
 */
export function argvWords(line: string): string[] | undefined {
  const words: string[] = [];
  let i = 0;
  while (i < line.length) {
    let word = '';
    let any = false;
    while (i < line.length && line[i] !== ' ') {
      const c = line[i]!;
      if (c === "'") {
        const end = line.indexOf("'", i + 1);
        if (end < 0) return undefined;
        word += line.slice(i + 1, end);
        i = end + 1;
      } else if (c === '\\' && line[i + 1] === "'") {
        word += "'";
        i += 2;
      } else if (/[A-Za-z0-9._:/=@%+,-]/.test(c)) {
        word += c;
        i++;
      } else return undefined;
      any = true;
    }
    if (!any) return undefined;
    words.push(word);
    if (i < line.length) {
      i++;
      if (i === line.length) return undefined;
    }
  }
  return words;
}

/**
 * Whether a UTF-16 unit is a character a refusal's message must not carry raw (log injection): C0 controls other
 * than the line feed that separates an InputError's problems, DEL, C1 controls (NEL), U+2028 / U+2029, bidi and
 * zero-width format characters, the byte order mark.
 */
function isUnsafeInMessage(code: number): boolean {
  return (
    (code <= 0x1f && code !== 0x0a) ||
    (code >= 0x7f && code <= 0x9f) ||
    code === 0x2028 ||
    code === 0x2029 ||
    (code >= 0x200b && code <= 0x200f) ||
    (code >= 0x202a && code <= 0x202e) ||
    (code >= 0x2066 && code <= 0x2069) ||
    code === 0xfeff
  );
}

/** The first character of `text` a log line must not carry raw (see {@link assertRefused}), or undefined. */
export function unsafeMessageCharacter(text: string): string | undefined {
  for (let i = 0; i < text.length; i++) if (isUnsafeInMessage(text.charCodeAt(i))) return text[i];
  return undefined;
}

const HTTP_REQUEST = /^(GET|POST|PUT|PATCH|DELETE) (\/[A-Za-z0-9._~/:%?=&-]*)(?: (.*))?$/s;
const ADDRESS_LIKE = /^[0-9A-Fa-f.:/]+$/;

/** Token counts of command lines, sorted (a value that adds a token to any line changes them). */
const tokenCounts = (ops: readonly RenderedOperation[]): number[] => ops.map((o) => o.text.split(' ').length).sort((a, b) => a - b);

/** `text` is JSON that parses and prints back byte for byte (so a value inside can only be a JSON string). */
function expectJson(text: string, where: string): void {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    fail(`${where} is not JSON: ${quoteText(text, 400)}`);
  }
  expect(JSON.stringify(parsed) === text, () => `${where} does not round-trip as JSON: ${quoteText(text, 400)}`);
}

/**
 * The operations rendered for a config holding the fuzzed `value` kept it inside its field: as many operations as
 * the `baseline` (the same config with the sample's value), no control character in any, every operation's medium
 * one `medium` allows, and per medium: CLI and nft lines have the baseline's token counts; HTTP requests are
 * `METHOD /path [json]` with a safe path and a round-tripping JSON body; OVSDB operations and in-memory records are
 * round-tripping JSON; an OpenFlow flow never contains the value (unless it looks like an address).
 *
 * @throws ConformanceFailure naming the operation and the value
 */
export function assertContained(ops: readonly RenderedOperation[], baseline: readonly RenderedOperation[], value: string, medium: InjectionMedium): void {
  const v = quoteText(value, 120);
  expect(ops.length === baseline.length, () => `the value ${v} changed the number of operations (${baseline.length} → ${ops.length})`);
  const allowed = OPERATION_MEDIA[medium];
  for (const o of ops) {
    expect(allowed.includes(o.medium), () => `an operation of medium ${quoteText(o.medium)} where ${medium} allows ${allowed.join(', ')}: ${quoteText(o.text, 200)}`);
    expect(!hasControlCharacter(o.text), () => `a rendered ${o.medium} operation carries a control character: ${quoteText(o.text, 400)} (value ${v})`);
    if (o.medium === 'http') {
      const m = HTTP_REQUEST.exec(o.text);
      if (m === null) fail(`not METHOD /path [json]: ${quoteText(o.text, 400)} (value ${v})`);
      if (m[3] !== undefined) expectJson(m[3], 'an HTTP body');
    } else if (o.medium === 'ovsdb') expectJson(o.text, 'an OVSDB operation');
    else if (o.medium === 'memory') expectJson(o.text.split(' ').slice(3).join(' '), 'an in-memory record');
    else if (o.medium === 'argv') expect(argvWords(o.text) !== undefined, () => `an argument vector that does not split back into its words: ${quoteText(o.text, 400)} (value ${v})`);
    else if (o.medium === 'openflow' && !ADDRESS_LIKE.test(value)) {
      // `<bridge>: add-flow <match> actions=...`: the bridge name labels the operation, the flow after it is OpenFlow.
      const flow = o.text.slice(o.text.indexOf(': ') + 2);
      expect(!flow.includes(value), () => `the value ${v} reached a flow: ${quoteText(o.text, 400)}`);
    }
  }
  const textual = (l: readonly RenderedOperation[]): RenderedOperation[] => l.filter((o) => o.medium === 'cli' || o.medium === 'nft');
  const got = tokenCounts(textual(ops));
  const want = tokenCounts(textual(baseline));
  expect(got.length === want.length && got.every((n, i) => n === want[i]), () => `the value ${v} changed how many tokens a command line has`);
  const argc = (l: readonly RenderedOperation[]): number[] => l.filter((o) => o.medium === 'argv').map((o) => argvWords(o.text)?.length ?? -1).sort((a, b) => a - b);
  const gotArgs = argc(ops);
  const wantArgs = argc(baseline);
  expect(gotArgs.length === wantArgs.length && gotArgs.every((n, i) => n === wantArgs[i]), () => `the value ${v} changed how many arguments a command has`);
}

/**
 * A refusal of the fuzzed `value` is an InputError (`INPUT.INVALID`) whose message carries no character a log
 * viewer could take for a line break or a control (see {@link unsafeMessageCharacter}; the line feeds between an
 * InputError's problems are the message's own) and does not echo a value that holds CR or LF.
 *
 * @throws ConformanceFailure saying what was thrown instead, or which raw character the message carries
 */
export function assertRefused(error: unknown, value: string): void {
  const v = quoteText(value, 120);
  if (!(isNetloomError(error) && error.code === ErrorCode.INPUT_INVALID)) {
    fail(`expected InputError for ${v}, got ${error instanceof Error ? `${error.name}: ${quoteText(error.message, 400)}` : quoteText(String(error), 400)}`);
  }
  const raw = unsafeMessageCharacter(error.message);
  expect(raw === undefined, () => `the InputError for ${v} carries a raw U+${(raw ?? '').charCodeAt(0).toString(16).padStart(4, '0')} (log injection): ${quoteText(error.message, 400)}`);
  if (/[\r\n]/.test(value)) expect(!error.message.includes(value), () => `the InputError echoes the raw value ${v}`);
}
