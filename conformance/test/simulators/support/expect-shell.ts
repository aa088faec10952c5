// A tiny expect-style client for CLI simulators: a real ssh2 client, a PTY shell, and "wait until the output
// matches" helpers. Deliberately independent of every netloom package (it checks the simulator from outside).
import { createHash } from 'node:crypto';
import { Client, type ClientChannel } from 'ssh2';

/** Connection settings. */
export interface ShellOptions {
  readonly host: string;
  readonly port: number;
  readonly username: string;
  readonly password: string;
  /** When set, the host key must have this OpenSSH SHA256 fingerprint. */
  readonly hostKeyFingerprint?: string;
  /** Ask for a PTY (default true). */
  readonly pty?: boolean;
}

/** A VRP prompt at the very end of the output: `<HOST>` or `[~HOST-view]` / `[*HOST]`. */
export const VRP_PROMPT = /(?:^|\n)(<[^<>\r\n]+>|\[[~*][^[\]\r\n]+\])$/;

const DEFAULT_TIMEOUT_MS = 10000;

interface Waiter {
  readonly pattern: RegExp;
  readonly resolve: (r: { before: string; match: RegExpExecArray }) => void;
  readonly reject: (e: Error) => void;
  readonly timer: NodeJS.Timeout;
}

// The pager's cursor-left sequence (ESC [ n D); built from a string because lint forbids control characters in
// regular expression literals.
const CURSOR_LEFT = new RegExp(`${String.fromCharCode(27)}\\[\\d*D`, 'g');
const CURSOR_LEFT_AT_START = new RegExp(`^${String.fromCharCode(27)}\\[\\d*D`);

/** Removes the pager's cursor sequences and carriage returns (what a screen scraper sees). */
export function clean(text: string): string {
  return text.replace(CURSOR_LEFT, '').replace(/\r/g, '');
}

/** An interactive shell session. */
export class ExpectShell {
  private buffer = '';
  private waiter: Waiter | undefined;
  private closedFlag = false;
  /** Everything received, raw (for assertions on exact bytes). */
  transcript = '';
  /** Resolves when the connection closes. */
  readonly closed: Promise<void>;
  private resolveClosed!: () => void;

  private constructor(
    private readonly client: Client,
    private readonly stream: ClientChannel,
  ) {
    this.closed = new Promise((r) => (this.resolveClosed = r));
    stream.on('data', (d: Buffer) => this.onData(d.toString('utf8')));
    const onClose = (): void => {
      if (this.closedFlag) return;
      this.closedFlag = true;
      const w = this.waiter;
      this.waiter = undefined;
      if (w !== undefined) {
        clearTimeout(w.timer);
        w.reject(new Error(`connection closed while waiting for ${String(w.pattern)}; buffer: ${JSON.stringify(clean(this.buffer))}`));
      }
      this.resolveClosed();
    };
    stream.on('close', onClose);
    client.on('close', onClose);
    client.on('error', () => onClose());
  }

  /** Whether the connection has closed. */
  get isClosed(): boolean {
    return this.closedFlag;
  }

  /** Connects, authenticates and opens a shell. Rejects with the client's error (e.g. authentication failure). */
  static open(opts: ShellOptions): Promise<ExpectShell> {
    return new Promise((resolve, reject) => {
      const client = new Client();
      let settled = false;
      const fail = (err: Error): void => {
        if (settled) return;
        settled = true;
        // Later socket errors (a reset after the failure) must not become uncaught exceptions.
        client.on('error', () => undefined);
        client.end();
        reject(err);
      };
      client.on('error', fail);
      client.once('ready', () => {
        const open = (err: Error | undefined, stream: ClientChannel): void => {
          if (err !== undefined) return fail(err);
          settled = true;
          client.off('error', fail);
          resolve(new ExpectShell(client, stream));
        };
        if (opts.pty === false) client.shell(false, open);
        else client.shell({ term: 'vt100', rows: 24, cols: 200 }, open);
      });
      client.connect({
        host: opts.host,
        port: opts.port,
        username: opts.username,
        password: opts.password,
        readyTimeout: DEFAULT_TIMEOUT_MS,
        tryKeyboard: false,
        hostVerifier: (key: Buffer) =>
          opts.hostKeyFingerprint === undefined || `SHA256:${createHash('sha256').update(key).digest('base64').replace(/=+$/, '')}` === opts.hostKeyFingerprint,
      });
    });
  }

  /** Sends raw text. */
  send(text: string): void {
    this.stream.write(text);
  }

  /**
   * Waits until the (cleaned) unread output matches `pattern`; consumes it up to the end of the match and returns
   * the text before the match and the match.
   */
  expect(pattern: RegExp | string, timeoutMs = DEFAULT_TIMEOUT_MS): Promise<{ before: string; match: RegExpExecArray }> {
    const re = typeof pattern === 'string' ? new RegExp(pattern.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')) : pattern;
    return new Promise((resolve, reject) => {
      if (this.waiter !== undefined) return reject(new Error('expect: already waiting'));
      const timer = setTimeout(() => {
        this.waiter = undefined;
        reject(new Error(`timeout waiting for ${String(re)}; unread output: ${JSON.stringify(clean(this.buffer))}`));
      }, timeoutMs);
      this.waiter = { pattern: re, resolve, reject, timer };
      this.check();
      if (this.closedFlag && this.waiter !== undefined) {
        clearTimeout(timer);
        this.waiter = undefined;
        reject(new Error(`connection closed while waiting for ${String(re)}; buffer: ${JSON.stringify(clean(this.buffer))}`));
      }
    });
  }

  /** Waits for the next VRP prompt; returns it. */
  async prompt(timeoutMs = DEFAULT_TIMEOUT_MS): Promise<string> {
    const { match } = await this.expect(VRP_PROMPT, timeoutMs);
    return match[1]!;
  }

  /**
   * Types `line` (ends it with CR), waits for the next prompt and returns the output between the echoed line and
   * the prompt (cleaned, without the trailing line end) and the new prompt.
   */
  async run(line: string, timeoutMs = DEFAULT_TIMEOUT_MS): Promise<{ output: string; prompt: string }> {
    this.send(`${line}\r`);
    const { before, match } = await this.expect(VRP_PROMPT, timeoutMs);
    const text = before;
    const echoEnd = text.indexOf('\n');
    const output = echoEnd < 0 ? '' : text.slice(echoEnd + 1);
    return { output: output.replace(/\n$/, ''), prompt: match[1]! };
  }

  /** Like {@link run}, but answers a question first: sends `line`, waits for `question`, sends `answer`. */
  async answer(line: string, question: RegExp | string, answer: string): Promise<{ output: string; prompt: string }> {
    this.send(`${line}\r`);
    const q = await this.expect(question);
    this.send(`${answer}\r`);
    const { before, match } = await this.expect(VRP_PROMPT);
    return { output: `${q.before}${q.match[0]}${before}`, prompt: match[1]! };
  }

  /** Closes the connection. */
  async close(): Promise<void> {
    if (!this.closedFlag) {
      this.client.end();
      await Promise.race([this.closed, new Promise((r) => setTimeout(r, 2000))]);
    }
  }

  private onData(text: string): void {
    this.transcript += text;
    this.buffer += text;
    this.check();
  }

  private check(): void {
    const w = this.waiter;
    if (w === undefined) return;
    const cleaned = clean(this.buffer);
    w.pattern.lastIndex = 0;
    const m = w.pattern.exec(cleaned);
    if (m === null) return;
    this.waiter = undefined;
    clearTimeout(w.timer);
    // Consume the raw buffer up to the same cleaned position.
    const end = m.index + m[0].length;
    let consumed = 0;
    let rawIndex = 0;
    while (rawIndex < this.buffer.length && consumed < end) {
      const rest = this.buffer.slice(rawIndex);
      const esc = CURSOR_LEFT_AT_START.exec(rest);
      if (esc !== null) {
        rawIndex += esc[0].length;
        continue;
      }
      if (rest[0] !== '\r') consumed++;
      rawIndex++;
    }
    this.buffer = this.buffer.slice(rawIndex);
    w.resolve({ before: cleaned.slice(0, m.index), match: m });
  }
}

/** Opens a shell and waits for the first prompt. */
export async function login(opts: ShellOptions): Promise<ExpectShell> {
  const shell = await ExpectShell.open(opts);
  await shell.prompt();
  return shell;
}
