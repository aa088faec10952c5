/**
 * Turning a raw PTY byte stream into the lines a person would see, and keeping secrets out of recorded text.
 *
 * A device writes for a terminal: it echoes what is typed, moves the cursor back to erase a pager line
 * (`ESC[16D`, backspaces, `\r`), colours words (`ESC[1m`), and Huawei VRP inserts " ESC[1D" into long lines. A
 * line here is rendered the way a terminal would: printable characters are written at a cursor (overwriting),
 * `\r` moves the cursor to column 0, backspace and `ESC[nD` move it left, `ESC[nC` right, `ESC[K` erases to the end
 * of the line; every other escape or control sequence is dropped. Trailing spaces are removed from every line.
 *
 * @packageDocumentation
 */
import { REDACTED, redact } from '@netloom/ports';

/** A compiled clean-up rule (global pattern). */
export interface CleanupRule {
  readonly pattern: RegExp;
  readonly replace: string;
}

const ESC = 0x1b;
const BS = 0x08;
const CR = 0x0d;
const TAB = 0x09;

/**
 * Renders one raw line (no `\n` inside) as a terminal would show it, after applying the vendor `cleanup` rules.
 *
 * @example cleanLine('disp \x1b[1Dlay\x1b[0m  ', []) === 'display'
 */
export function cleanLine(raw: string, cleanup: readonly CleanupRule[] = []): string {
  let text = raw;
  for (const rule of cleanup) text = text.replace(rule.pattern, rule.replace);
  const cells: string[] = [];
  let cursor = 0;
  const put = (ch: string): void => {
    while (cells.length < cursor) cells.push(' ');
    cells[cursor] = ch;
    cursor++;
  };
  let i = 0;
  while (i < text.length) {
    const c = text.charCodeAt(i);
    if (c === ESC) {
      i = escape(text, i, (final, n, param) => {
        switch (final) {
          case 'D':
            cursor = Math.max(0, cursor - n);
            break;
          case 'C':
            cursor += n;
            break;
          case 'G':
            cursor = Math.max(0, n - 1);
            break;
          case 'K':
            if (param === '' || param === '0') cells.length = Math.min(cells.length, cursor);
            else if (param === '1') for (let k = 0; k < Math.min(cursor + 1, cells.length); k++) cells[k] = ' ';
            else cells.length = 0;
            break;
          case 'P':
            cells.splice(cursor, n);
            break;
          default:
            break;
        }
      });
      continue;
    }
    if (c === CR) cursor = 0;
    else if (c === BS) cursor = Math.max(0, cursor - 1);
    else if (c === TAB) put('\t');
    else if (c >= 0x20 && c !== 0x7f && !(c >= 0x80 && c <= 0x9f)) put(text[i]!);
    i++;
  }
  return cells.join('').trimEnd();
}

/**
 * Skips the escape sequence at `text[start]` (which is ESC) and reports CSI sequences to `onCsi`. Returns the index
 * after the sequence; an unfinished sequence at the end of the text is skipped whole.
 */
function escape(text: string, start: number, onCsi: (final: string, n: number, param: string) => void): number {
  const next = text[start + 1];
  if (next === undefined) return start + 1;
  if (next === '[') {
    let j = start + 2;
    while (j < text.length && /[0-9;?<=>]/.test(text[j]!)) j++;
    while (j < text.length && /[ -/]/.test(text[j]!)) j++;
    if (j >= text.length) return text.length;
    const param = text.slice(start + 2, j).replace(/[ -/]/g, '');
    const first = param.split(';')[0] ?? '';
    const n = first === '' || Number.isNaN(Number(first)) ? 1 : Math.max(1, Number(first));
    onCsi(text[j]!, n, param);
    return j + 1;
  }
  if (next === ']') {
    // OSC: ends with BEL or ESC \
    for (let j = start + 2; j < text.length; j++) {
      if (text.charCodeAt(j) === 0x07) return j + 1;
      if (text.charCodeAt(j) === ESC && text[j + 1] === '\\') return j + 2;
    }
    return text.length;
  }
  if (next === '(' || next === ')' || next === '#') return Math.min(text.length, start + 3);
  return start + 2;
}

/**
 * The screen of one exchange: complete lines (rendered once, when their `\n` arrives) and the unfinished last line
 * (re-rendered on demand; it is where prompts, questions and pagers appear).
 */
export class Screen {
  private readonly done: string[] = [];
  private rawTail = '';

  constructor(private readonly cleanup: readonly CleanupRule[] = []) {}

  /** Adds received text. */
  push(text: string): void {
    const raw = this.rawTail + text;
    const cut = raw.lastIndexOf('\n');
    if (cut < 0) {
      this.rawTail = raw;
      return;
    }
    for (const line of raw.slice(0, cut).split('\n')) this.done.push(cleanLine(line, this.cleanup));
    this.rawTail = raw.slice(cut + 1);
  }

  /** The unfinished last line, rendered. */
  tail(): string {
    return cleanLine(this.rawTail, this.cleanup);
  }

  /** Forgets the unfinished last line (a pager prompt that was answered). */
  dropTail(): void {
    this.rawTail = '';
  }

  /** The complete lines so far. */
  lines(): readonly string[] {
    return this.done;
  }
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * Terminal noise that may sit between two characters of an echoed secret: escape sequences, control characters
 * other than `\n`, and the space of Huawei's " ESC[1D".
 */
const NOISE = String.raw`(?:\x1b\[[0-9;?<=>]*[ -/]*[@-~]|\x1b[^\[]|[\x00-\x09\x0b-\x1f\x7f]| (?=\x1b\[[0-9]*D))*`;

/**
 * Replaces secrets with `***`, also where terminal noise was inserted between their characters (so an echoed
 * password with " ESC[1D" in it is still caught). Secrets shorter than 1 character are ignored.
 *
 * @example new Redactor(['hunter2']).text('pass hun \x1b[1Dter2') === 'pass ***'
 */
export class Redactor {
  private readonly secrets: readonly string[];
  private readonly noisy: readonly RegExp[];

  constructor(secrets: Iterable<string>) {
    const unique = [...new Set([...secrets].filter((s) => typeof s === 'string' && s.length > 0))];
    unique.sort((a, b) => b.length - a.length);
    this.secrets = unique;
    this.noisy = unique.filter((s) => s.length > 1).map((s) => new RegExp([...s].map(escapeRegExp).join(NOISE), 'g'));
  }

  /** True when there is nothing to redact. */
  get empty(): boolean {
    return this.secrets.length === 0;
  }

  /** `text` with every secret (plain or interleaved with terminal noise) replaced by `***`. */
  text(text: string): string {
    if (this.secrets.length === 0) return text;
    let out = redact(text, this.secrets);
    for (const re of this.noisy) out = out.replace(re, REDACTED);
    return out;
  }
}

/**
 * True when `actual` equals `recorded`, where each `***` in `recorded` stands for any non-empty text (a secret
 * that was redacted when it was recorded).
 *
 * @example matchesRedacted('peer 1.1.1.1 password hunter2', 'peer 1.1.1.1 password ***') === true
 */
export function matchesRedacted(actual: string, recorded: string): boolean {
  if (actual === recorded) return true;
  if (!recorded.includes(REDACTED)) return false;
  const re = new RegExp(`^${recorded.split(REDACTED).map(escapeRegExp).join('[\\s\\S]+?')}$`);
  return re.test(actual);
}
