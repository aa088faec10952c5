/**
 * The terminal side of a simulated CLI session: what a device's shell does with the raw bytes of an SSH PTY.
 *
 * - Echo of typed characters (when the client asked for a PTY), simple line editing: backspace/DEL, Ctrl-U (kill
 *   line), Ctrl-C (drop the line), escape sequences (arrow keys) ignored; CR or LF ends a line and CR LF counts once.
 * - Input typed ahead is kept and only read (and echoed) when the shell asks for the next line, as a real device
 *   does: a slow command's output is never interleaved with the echo of the next one.
 * - Output with LF line ends is sent with CR LF.
 * - A pager: long output stops every `pageLines` lines at a `--More--` style prompt; space shows the next page,
 *   Enter one more line, `q` or Ctrl-C ends the output.
 *
 * Vendor-neutral: the pager prompt text and how it is erased come from the dialect.
 *
 * @packageDocumentation
 */
import { StringDecoder } from 'node:string_decoder';

/** Where the terminal writes to (an ssh2 channel). */
export interface TerminalSink {
  write(data: string): unknown;
}

/** How the pager prompt looks and is erased. */
export interface PagerStyle {
  /** The prompt shown when a page is full, e.g. `  ---- More ----`. */
  readonly prompt: string;
  /** What is written after a key to erase the prompt (e.g. backspaces or an ANSI cursor move). */
  readonly erase: string;
}

type Waiter = { readonly kind: 'line'; readonly resolve: (line: string | undefined) => void } | { readonly kind: 'key'; readonly resolve: (key: string | undefined) => void };

const ESC = '\x1b';

/**
 * One shell's terminal. Feed it the bytes the client sends ({@link feed}); the shell reads lines and keys and writes
 * output through it.
 */
export class ShellTerminal {
  private readonly decoder = new StringDecoder('utf8');
  private pending = '';
  private buffer = '';
  private waiter: Waiter | undefined;
  private lastWasCr = false;
  private escape: 'none' | 'esc' | 'csi' = 'none';
  private closed = false;
  private lastChar = '\n';

  constructor(
    private readonly sink: TerminalSink,
    private readonly options: { readonly echo: boolean; readonly pager: PagerStyle },
  ) {}

  /** Whether the session has ended (no more input will come). */
  get isClosed(): boolean {
    return this.closed;
  }

  /** Input from the client. */
  feed(data: Buffer | string): void {
    if (this.closed) return;
    this.pending += typeof data === 'string' ? data : this.decoder.write(data);
    this.drain();
  }

  /** Ends the terminal: pending reads resolve with `undefined`. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    const w = this.waiter;
    this.waiter = undefined;
    w?.resolve(undefined);
  }

  /** Writes text, turning LF into CR LF. */
  write(text: string): void {
    if (this.closed || text.length === 0) return;
    this.sink.write(text.replace(/\r?\n/g, '\r\n'));
    this.lastChar = text[text.length - 1]!;
  }

  /** Whether the cursor is at the start of a line (the last character written was a line end). */
  get atLineStart(): boolean {
    return this.lastChar === '\n';
  }

  /** Reads one line (echoed when the terminal echoes), or `undefined` when the session ended first. */
  readLine(): Promise<string | undefined> {
    if (this.closed) return Promise.resolve(undefined);
    return new Promise((resolve) => {
      this.waiter = { kind: 'line', resolve };
      this.drain();
    });
  }

  /** Reads one key press (not echoed), or `undefined` when the session ended first. */
  readKey(): Promise<string | undefined> {
    if (this.closed) return Promise.resolve(undefined);
    return new Promise((resolve) => {
      this.waiter = { kind: 'key', resolve };
      this.drain();
    });
  }

  /**
   * Writes `lines` with the pager: after every `pageLines` lines (0: never) the pager prompt waits for a key.
   * Resolves when everything was shown, the user quit the pager, or the session ended.
   */
  async page(lines: readonly string[], pageLines: number): Promise<void> {
    let shownSincePrompt = 0;
    let budget = pageLines;
    for (let i = 0; i < lines.length; i++) {
      if (pageLines > 0 && shownSincePrompt >= budget) {
        this.write(this.options.pager.prompt);
        const key = await this.readKey();
        if (key === undefined) return;
        this.write(this.options.pager.erase);
        if (key === 'q' || key === 'Q' || key === '\x03') return;
        shownSincePrompt = 0;
        budget = key === '\r' || key === '\n' ? 1 : pageLines;
      }
      this.write(`${lines[i]!}\n`);
      shownSincePrompt++;
    }
  }

  private drain(): void {
    while (this.waiter !== undefined && this.pending.length > 0) {
      const ch = this.pending[0]!;
      this.pending = this.pending.slice(1);
      if (this.waiter.kind === 'key') this.onKey(ch);
      else this.onLineChar(ch);
    }
  }

  private onKey(ch: string): void {
    if (ch === '\n' && this.lastWasCr) {
      this.lastWasCr = false;
      return;
    }
    this.lastWasCr = ch === '\r';
    const w = this.waiter!;
    this.waiter = undefined;
    w.resolve(ch);
  }

  private onLineChar(ch: string): void {
    // Escape sequences (arrow keys, function keys) are dropped whole.
    if (this.escape === 'esc') {
      this.escape = ch === '[' || ch === 'O' ? 'csi' : 'none';
      return;
    }
    if (this.escape === 'csi') {
      if (ch >= '@' && ch <= '~') this.escape = 'none';
      return;
    }
    const wasCr = this.lastWasCr;
    this.lastWasCr = ch === '\r';
    if (ch === '\n' && wasCr) return;
    if (ch === '\r' || ch === '\n') {
      this.finishLine(this.buffer);
      return;
    }
    if (ch === ESC) {
      this.escape = 'esc';
      return;
    }
    if (ch === '\x7f' || ch === '\b') {
      if (this.buffer.length > 0) {
        this.buffer = this.buffer.slice(0, -1);
        this.echo('\b \b');
      }
      return;
    }
    if (ch === '\x15') {
      this.echo('\b \b'.repeat(this.buffer.length));
      this.buffer = '';
      return;
    }
    if (ch === '\x03') {
      // Ctrl-C drops what was typed and gives a fresh prompt.
      this.echo('^C');
      this.finishLine('');
      return;
    }
    if (ch === '\t') ch = ' ';
    if (ch < ' ') return;
    this.buffer += ch;
    this.echo(ch);
  }

  private finishLine(line: string): void {
    this.buffer = '';
    this.echo('\r\n');
    if (!this.options.echo) this.lastChar = '\n';
    const w = this.waiter!;
    this.waiter = undefined;
    w.resolve(line);
  }

  private echo(text: string): void {
    if (!this.options.echo || this.closed) return;
    this.sink.write(text);
    this.lastChar = text[text.length - 1]!;
  }
}
