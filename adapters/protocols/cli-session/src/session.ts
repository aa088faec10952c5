/**
 * The interactive CLI session: one shell on one device, driven line by line.
 *
 * @packageDocumentation
 */
import {
  DeviceAuthError,
  DeviceConnectionError,
  DeviceTimeoutError,
  InputError,
  isNetloomError,
  type InputProblem,
  type Logger,
  type NetloomError,
  silentLogger,
} from '@netloom/ports';
import { answerProblems, hasControlCharacter, matchPrompt, resolveDialect, type CliAnswer, type CliDialect, type PromptMatch, type ResolvedDialect } from './dialect';
import { cliRejection } from './errors';
import { ReplayTransport } from './replay.transport';
import { HOST_KEY_REJECTED, SshTransport, type PtyOptions } from './ssh.transport';
import { type HostKeyPolicy } from './host-key';
import { Redactor, Screen, matchesRedacted } from './terminal';
import { TranscriptEvent, TranscriptRecorder, type CliTranscript } from './transcript';
import { type CliTransport, type CliTransportSink } from './transport';

/** Time limits of a session, in milliseconds. */
export interface CliTimeouts {
  /** SSH handshake and authentication (ssh2 `readyTimeout`; default 20 000). */
  readonly connectMs?: number;
  /** From the open shell to the first prompt, answering login questions (default 30 000). */
  readonly loginMs?: number;
  /** Per command, unless the call says otherwise (default: the dialect's `commandTimeoutMs`, else 60 000). */
  readonly commandMs?: number;
  /** How long `close()` waits for a clean disconnect (default 5 000). */
  readonly closeMs?: number;
}

/** Automatic reconnection on the next call after the connection dropped or a command timed out. */
export interface CliReconnectPolicy {
  /** Reconnect automatically (default false: calls reject until `reconnect()`). */
  readonly auto?: boolean;
  /** Connection attempts per reconnection (default 3). */
  readonly attempts?: number;
  /** Wait before the second attempt, doubled after each failure (default 500). */
  readonly initialDelayMs?: number;
  /** Longest wait between attempts (default 10 000). */
  readonly maxDelayMs?: number;
}

/** Options of a session over any transport. */
export interface CliSessionOptions {
  readonly dialect: CliDialect;
  readonly timeouts?: CliTimeouts;
  readonly logger?: Logger;
  /**
   * Strings that must never appear in the transcript, a log line or an error message (the password and
   * passphrase are added automatically by {@link CliSession.open}). Replaced by `***`.
   */
  readonly secrets?: readonly string[];
  readonly reconnect?: CliReconnectPolicy;
  /** Cap on transcript entries; the oldest are dropped beyond it (default 100 000). */
  readonly maxTranscriptEntries?: number;
}

/** Options of {@link CliSession.open}: an SSH session. */
export interface CliSshOptions extends CliSessionOptions {
  readonly host: string;
  /** Default 22. */
  readonly port?: number;
  readonly username: string;
  readonly password?: string;
  readonly privateKey?: string | Buffer;
  readonly passphrase?: string;
  /** Required: how the device's host key is trusted. */
  readonly hostKey: HostKeyPolicy;
  readonly pty?: PtyOptions;
  /** SSH keepalive interval in ms (default 15 000; 0 turns it off). */
  readonly keepaliveIntervalMs?: number;
}

/** Options of one command. */
export interface CliRunOptions {
  /** Time to wait for the prompt (default: the session's command timeout). */
  readonly timeoutMs?: number;
  /**
   * Also end the command when the unfinished last line matches this (a question you want to answer yourself,
   * e.g. `/Password:$/`). Named group `view` is used as the view when present.
   */
  readonly expectPrompt?: RegExp;
  /** Answers tried before the dialect's answers. */
  readonly answers?: readonly CliAnswer[];
  /** Check the output against the dialect's error patterns (default true). */
  readonly checkErrors?: boolean;
}

/** What one command produced. */
export interface CliRunResult {
  /** The command as sent (without line ending). */
  readonly command: string;
  /**
   * The output: the echoed command and the final prompt removed, ANSI sequences and backspaces rendered away,
   * `\r\n` turned into `\n`, trailing spaces of each line and leading/trailing blank lines removed.
   */
  readonly output: string;
  /** The prompt the command ended at, e.g. `[*HUAWEI-bd10]`. */
  readonly prompt: string;
  /** The prompt's `view` group, e.g. `HUAWEI-bd10`. */
  readonly view: string;
  /** Every named group of the prompt match (e.g. Huawei's uncommitted-changes mark). */
  readonly groups: Readonly<Record<string, string>>;
}

/** State of a session. */
export type CliSessionState = 'open' | 'broken' | 'closed';

interface Waiter {
  feed(text: string): void;
  fail(error: NetloomError): void;
}

interface Exchange {
  readonly lines: readonly string[];
  readonly match: PromptMatch;
}

interface ExchangeOptions {
  readonly phase: 'login' | 'command';
  readonly timeoutMs: number;
  readonly answers?: readonly CliAnswer[];
  readonly expectPrompt?: RegExp;
  /** Names the command in messages (already redacted). */
  readonly what: string;
}

interface LineContext {
  readonly index: number;
  readonly count: number;
}

const DEFAULTS = { loginMs: 30_000, closeMs: 5_000, attempts: 3, initialDelayMs: 500, maxDelayMs: 10_000 } as const;

function positive(value: number | undefined, path: string, problems: InputProblem[]): void {
  if (value !== undefined && (!Number.isFinite(value) || value <= 0)) problems.push({ path, reason: `${String(value)} is not a positive number` });
}

/**
 * An interactive CLI session to one device.
 *
 * Calls are serialised: one command is in flight at a time, the others wait in order. A command that times out
 * or a dropped connection leaves the session `broken`: later calls reject with `DeviceConnectionError` until
 * {@link CliSession.reconnect} (or reconnect by themselves with `reconnect: { auto: true }`). After any
 * reconnection the device is back at its login view: callers that need a view must enter it again.
 *
 * @example
 * const session = await CliSession.open({
 *   host: '10.0.0.1', username: 'netloom', password,
 *   hostKey: { fingerprintSha256: 'SHA256:nThbg6kXUpJWGl7E1IGOCspRomTxdCARLviKw6E5SY8' },
 *   dialect: huaweiVrp8Dialect, logger,
 * });
 * await session.run('system-view');                 // { view: 'HUAWEI', prompt: '[~HUAWEI]', ... }
 * await session.runAll(['bridge-domain 10', 'vxlan vni 10010', 'quit', 'commit']);
 * const { output } = await session.run('display bridge-domain');
 * await session.close();
 */
export class CliSession {
  private readonly dialect: ResolvedDialect;
  private readonly redactor: Redactor;
  private readonly recorder: TranscriptRecorder;
  private readonly logger: Logger;
  private readonly timeouts: { readonly loginMs: number; readonly commandMs: number; readonly closeMs: number };
  private readonly reconnectPolicy: Required<CliReconnectPolicy>;
  private currentState: CliSessionState | 'new' = 'new';
  private brokenBy?: NetloomError;
  private queue: Promise<unknown> = Promise.resolve();
  private waiter?: Waiter;
  private stash: string[] = [];
  private connection = 0;
  private last: PromptMatch = { prompt: '', view: '', groups: {} };
  private readonly sleeps = new Set<{ timer: NodeJS.Timeout; resolve: () => void }>();

  private constructor(
    private readonly transport: CliTransport,
    options: CliSessionOptions,
  ) {
    this.dialect = resolveDialect(options.dialect);
    const problems: InputProblem[] = [];
    positive(options.timeouts?.loginMs, 'timeouts.loginMs', problems);
    positive(options.timeouts?.commandMs, 'timeouts.commandMs', problems);
    positive(options.timeouts?.closeMs, 'timeouts.closeMs', problems);
    positive(options.reconnect?.attempts, 'reconnect.attempts', problems);
    positive(options.maxTranscriptEntries, 'maxTranscriptEntries', problems);
    if (options.secrets !== undefined && !options.secrets.every((s) => typeof s === 'string')) problems.push({ path: 'secrets', reason: 'must be a list of strings' });
    if (problems.length > 0) throw InputError.fromProblems('CLI session options', problems);
    this.timeouts = {
      loginMs: options.timeouts?.loginMs ?? DEFAULTS.loginMs,
      commandMs: options.timeouts?.commandMs ?? this.dialect.commandTimeoutMs,
      closeMs: options.timeouts?.closeMs ?? DEFAULTS.closeMs,
    };
    this.reconnectPolicy = {
      auto: options.reconnect?.auto ?? false,
      attempts: Math.floor(options.reconnect?.attempts ?? DEFAULTS.attempts),
      initialDelayMs: options.reconnect?.initialDelayMs ?? DEFAULTS.initialDelayMs,
      maxDelayMs: options.reconnect?.maxDelayMs ?? DEFAULTS.maxDelayMs,
    };
    this.redactor = new Redactor(options.secrets ?? []);
    this.recorder = new TranscriptRecorder(this.redactor, { dialect: this.dialect.name, target: transport.target }, options.maxTranscriptEntries);
    this.logger = (options.logger ?? silentLogger).child({ component: 'cli-session', target: transport.target, dialect: this.dialect.name });
  }

  /**
   * Connects over SSH, verifies the host key, opens a shell, waits for the first prompt (answering login
   * questions) and runs the dialect's post-login commands.
   *
   * @throws InputError (bad options or dialect), DeviceConnectionError (unreachable, host key not trusted,
   *   no shell), DeviceAuthError (credentials refused), DeviceTimeoutError (no handshake or no prompt in time),
   *   CliCommandError (a post-login command was rejected)
   */
  static async open(options: CliSshOptions): Promise<CliSession> {
    const transport = new SshTransport({
      host: options.host,
      username: options.username,
      hostKey: options.hostKey,
      ...(options.port === undefined ? {} : { port: options.port }),
      ...(options.password === undefined ? {} : { password: options.password }),
      ...(options.privateKey === undefined ? {} : { privateKey: options.privateKey }),
      ...(options.passphrase === undefined ? {} : { passphrase: options.passphrase }),
      ...(options.timeouts?.connectMs === undefined ? {} : { readyTimeoutMs: options.timeouts.connectMs }),
      ...(options.timeouts?.closeMs === undefined ? {} : { closeTimeoutMs: options.timeouts.closeMs }),
      ...(options.keepaliveIntervalMs === undefined ? {} : { keepaliveIntervalMs: options.keepaliveIntervalMs }),
      ...(options.pty === undefined ? {} : { pty: options.pty }),
      ...(options.logger === undefined ? {} : { logger: options.logger }),
    });
    const secrets = [...(options.secrets ?? []), options.password ?? '', options.passphrase ?? ''];
    return CliSession.openWith(transport, { ...options, secrets });
  }

  /**
   * Opens a session over any {@link CliTransport} (a replay, a test double, a future telnet transport): the same
   * login sequence as {@link CliSession.open}.
   */
  static async openWith(transport: CliTransport, options: CliSessionOptions): Promise<CliSession> {
    const session = new CliSession(transport, options);
    await session.enqueue(() => session.connect());
    return session;
  }

  /** `open`, `broken` (needs a reconnect) or `closed`. */
  get state(): CliSessionState {
    return this.currentState === 'new' ? 'broken' : this.currentState;
  }

  /** The last prompt seen, e.g. `[~HUAWEI]`. */
  get prompt(): string {
    return this.last.prompt;
  }

  /** The `view` group of the last prompt seen, e.g. `HUAWEI`. */
  get view(): string {
    return this.last.view;
  }

  /** The peer's name (`host:port`). */
  get target(): string {
    return this.transport.target;
  }

  /**
   * Runs one command and waits for the next prompt, answering questions and paging on the way.
   *
   * The command must be exactly one line: control characters (newline, CR, TAB, ESC, Ctrl-C ...) are refused with
   * `InputError` before anything is written. `;` and other printable characters are the adapter's business.
   *
   * @throws InputError (control characters), CliCommandError / CliCommitError / CliLockedError (a dialect error
   *   pattern matched a line of the output), DeviceTimeoutError (no prompt in time; the session is then broken),
   *   DeviceConnectionError (the connection dropped or the session is broken or closed)
   * @example
   * const r = await session.run('display interface brief', { timeoutMs: 30_000 });
   * r.output.split('\n');
   */
  run(command: string, options: CliRunOptions = {}): Promise<CliRunResult> {
    const problems = this.commandProblems(command, 'command');
    problems.push(...this.runOptionProblems(options));
    if (problems.length > 0) return Promise.reject(InputError.fromProblems('CLI command', problems));
    return this.enqueue(() => this.exec(command, options));
  }

  /**
   * Runs lines in order as one job (no other call interleaves) and stops at the first failure. Every line is
   * checked before the first is written. An error thrown for line `i` names it (`(line 3 of 7)` in the message,
   * `lineIndex` on rejections, `details.lineIndex` on every error); lines before it have run.
   *
   * @throws as {@link CliSession.run}
   * @example await session.runAll(['system-view', 'bridge-domain 10', 'vxlan vni 10010', 'commit', 'return']);
   */
  runAll(lines: readonly string[], options: CliRunOptions = {}): Promise<CliRunResult[]> {
    if (!Array.isArray(lines)) return Promise.reject(new InputError('runAll expects a list of lines', [{ path: 'lines', reason: 'must be a list of strings' }]));
    const problems = lines.flatMap((l, i) => this.commandProblems(l, `lines[${i}]`));
    problems.push(...this.runOptionProblems(options));
    if (problems.length > 0) return Promise.reject(InputError.fromProblems('CLI lines', problems));
    return this.enqueue(async () => {
      const out: CliRunResult[] = [];
      for (let i = 0; i < lines.length; i++) out.push(await this.exec(lines[i]!, options, { index: i, count: lines.length }));
      return out;
    });
  }

  /**
   * Drops the current connection (if any) and logs in again (one attempt). Waits for the call in flight.
   *
   * @throws as {@link CliSession.open}; DeviceConnectionError when the session is closed
   */
  reconnect(): Promise<void> {
    return this.enqueue(async () => {
      if (this.currentState === 'closed') throw this.closedError();
      await this.dropConnection();
      await this.connect();
    });
  }

  /**
   * Sends the dialect's logout line (when the session is idle and healthy), closes the connection and rejects
   * the call in flight and every queued call with `DeviceConnectionError`. Idempotent; never rejects; leaves no
   * timers behind.
   */
  async close(): Promise<void> {
    if (this.currentState === 'closed') return;
    const idle = this.currentState === 'open' && this.waiter === undefined;
    this.currentState = 'closed';
    for (const s of this.sleeps) {
      clearTimeout(s.timer);
      s.resolve();
    }
    this.sleeps.clear();
    this.waiter?.fail(new DeviceConnectionError(`CLI session to ${this.target} was closed while a command was running`));
    if (idle && this.dialect.logout !== undefined) {
      try {
        this.send(this.dialect.logout + this.dialect.lineEnding);
      } catch {
        // Best effort: the connection is going away anyway.
      }
    }
    this.recorder.event(TranscriptEvent.CLOSE);
    this.connection++;
    try {
      await this.transport.close();
    } catch {
      // close() never rejects.
    }
    this.logger.info({}, 'CLI session closed');
  }

  /**
   * The transcript so far: every send, receive and event, with secrets replaced by `***`. Serialise it with
   * `transcriptToJson`; play it back with {@link openReplaySession}.
   */
  transcript(): CliTranscript {
    return this.recorder.snapshot();
  }

  // -------------------------------------------------------------------------------------------------------------

  private enqueue<T>(job: () => Promise<T>): Promise<T> {
    const run = this.queue.then(job);
    this.queue = run.then(
      () => undefined,
      () => undefined,
    );
    return run;
  }

  private commandProblems(command: unknown, path: string): InputProblem[] {
    if (typeof command !== 'string') return [{ path, reason: 'must be a string' }];
    if (hasControlCharacter(command)) return [{ path, reason: `${JSON.stringify(this.redactor.text(command))} contains a control character (a command is exactly one line)` }];
    return [];
  }

  private runOptionProblems(options: CliRunOptions): InputProblem[] {
    const problems: InputProblem[] = [];
    positive(options.timeoutMs, 'timeoutMs', problems);
    if (options.expectPrompt !== undefined && !(options.expectPrompt instanceof RegExp)) problems.push({ path: 'expectPrompt', reason: 'must be a RegExp' });
    problems.push(...answerProblems(options.answers ?? [], 'answers'));
    return problems;
  }

  private isClosed(): boolean {
    return this.currentState === 'closed';
  }

  private closedError(): DeviceConnectionError {
    return new DeviceConnectionError(`CLI session to ${this.target} is closed`);
  }

  /** Writes and records. Throws what the transport throws. */
  private send(text: string): void {
    this.recorder.send(text);
    this.transport.write(text);
  }

  private markBroken(error: NetloomError): void {
    if (this.currentState === 'closed') return;
    this.currentState = 'broken';
    this.brokenBy = error;
  }

  /** Opens the transport and logs in. On failure the transport is closed and the session is broken. */
  private async connect(): Promise<void> {
    const id = ++this.connection;
    this.stash = [];
    const sink: CliTransportSink = {
      data: (text) => {
        if (id !== this.connection) return;
        this.recorder.recv(text);
        if (this.waiter !== undefined) this.waiter.feed(text);
        else this.stash.push(text);
      },
      closed: (cause) => {
        if (id !== this.connection || this.currentState === 'closed') return;
        this.connection++;
        const detail = cause instanceof Error ? `: ${this.redactor.text(cause.message)}` : '';
        this.recorder.event(`${TranscriptEvent.CLOSED_BY_DEVICE}${detail}`);
        const error = new DeviceConnectionError(`connection to ${this.target} was closed by the device${detail}`, { cause });
        this.logger.warn({ reason: detail }, 'connection dropped');
        this.markBroken(error);
        this.waiter?.fail(error);
      },
    };
    this.recorder.event(`${TranscriptEvent.CONNECT} ${this.target}`);
    try {
      await this.transport.open(sink);
    } catch (e) {
      const error = this.wrap(e, `cannot connect to ${this.target}`);
      this.recorder.event(`${TranscriptEvent.CONNECT_FAILED} ${error.code}: ${error.message}`);
      this.markBroken(error);
      throw error;
    }
    if (this.currentState === 'closed') {
      await this.transport.close();
      throw this.closedError();
    }
    this.currentState = 'open';
    this.brokenBy = undefined;
    try {
      const first = await this.exchange(undefined, { phase: 'login', timeoutMs: this.timeouts.loginMs, what: 'the login prompt' });
      this.last = first.match;
      for (const c of this.dialect.postLogin) {
        await this.exec(
          c.command,
          {
            ...(c.timeoutMs === undefined ? {} : { timeoutMs: c.timeoutMs }),
            ...(c.answers === undefined ? {} : { answers: c.answers }),
            ...(c.checkErrors === undefined ? {} : { checkErrors: c.checkErrors }),
          },
          undefined,
          true,
        );
      }
    } catch (e) {
      const error = this.wrap(e, `login to ${this.target} failed`);
      this.markBroken(error);
      this.connection++;
      await this.transport.close();
      throw error;
    }
    this.logger.info({ view: this.last.view }, 'CLI session ready');
  }

  private async dropConnection(): Promise<void> {
    this.connection++;
    this.waiter = undefined;
    try {
      await this.transport.close();
    } catch {
      // Already gone.
    }
  }

  /** Makes the session usable for a command: rejects when closed; reconnects (if allowed) when broken. */
  private async ensureUsable(): Promise<void> {
    if (this.currentState === 'open') return;
    if (this.currentState === 'closed') throw this.closedError();
    const why = this.brokenBy;
    if (!this.reconnectPolicy.auto) {
      throw new DeviceConnectionError(`CLI session to ${this.target} is unusable${why === undefined ? '' : ` (${why.message})`}; call reconnect()`, { cause: why });
    }
    let delay = this.reconnectPolicy.initialDelayMs;
    let lastError: NetloomError | undefined = why;
    for (let attempt = 1; attempt <= this.reconnectPolicy.attempts; attempt++) {
      if (attempt > 1) {
        await this.sleep(delay);
        delay = Math.min(delay * 2, this.reconnectPolicy.maxDelayMs);
      }
      // close() may have run while we slept.
      if (this.isClosed()) throw this.closedError();
      this.logger.info({ attempt }, 'reconnecting');
      try {
        await this.dropConnection();
        await this.connect();
        return;
      } catch (e) {
        lastError = this.wrap(e, `reconnect to ${this.target} failed`);
        // Wrong credentials or an untrusted host key will not fix themselves.
        if (lastError instanceof DeviceAuthError || lastError instanceof InputError || lastError.details['reason'] === HOST_KEY_REJECTED) break;
      }
    }
    throw lastError ?? new DeviceConnectionError(`reconnect to ${this.target} failed`);
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const entry = {
        timer: setTimeout(() => {
          this.sleeps.delete(entry);
          resolve();
        }, ms),
        resolve,
      };
      this.sleeps.add(entry);
    });
  }

  private wrap(e: unknown, context: string): NetloomError {
    if (isNetloomError(e)) return e;
    const message = e instanceof Error ? this.redactor.text(e.message) : 'unknown failure';
    return new DeviceConnectionError(`${context}: ${message}`, { cause: e });
  }

  /** Runs one command in the current connection (no queueing). */
  private async exec(command: string, options: CliRunOptions, line?: LineContext, postLogin = false): Promise<CliRunResult> {
    const shown = this.redactor.text(command);
    const where = line === undefined ? '' : ` (line ${line.index + 1} of ${line.count})`;
    const lineDetails = line === undefined ? {} : { lineIndex: line.index };
    if (!postLogin) await this.ensureUsable();
    let ex: Exchange;
    try {
      ex = await this.exchange(command, {
        phase: 'command',
        timeoutMs: options.timeoutMs ?? this.timeouts.commandMs,
        what: `${JSON.stringify(shown)}${where}`,
        ...(options.answers === undefined ? {} : { answers: options.answers }),
        ...(options.expectPrompt === undefined ? {} : { expectPrompt: options.expectPrompt }),
      });
    } catch (e) {
      if (line !== undefined && isNetloomError(e)) Object.assign(e.details, lineDetails);
      throw e;
    }
    this.last = ex.match;
    const outputLines = this.outputLines(ex.lines, command);
    const output = outputLines.join('\n');
    if (options.checkErrors ?? true) {
      for (const l of outputLines) {
        const rule = this.dialect.errors.find((r) => r.pattern.test(l));
        if (rule === undefined) continue;
        const error = cliRejection(rule.kind, {
          command: shown,
          deviceMessage: this.redactor.text(l),
          output: this.redactor.text(output),
          target: this.target,
          ...(line === undefined ? {} : { lineIndex: line.index, lineCount: line.count }),
        });
        this.logger.warn({ command: shown, deviceMessage: error.deviceMessage, ...lineDetails }, 'device rejected a command');
        throw error;
      }
    }
    this.logger.debug({ command: shown, view: ex.match.view }, 'command done');
    return { command, output, prompt: ex.match.prompt, view: ex.match.view, groups: ex.match.groups };
  }

  /** The output lines: leading blank lines and the echo dropped, trailing blank lines dropped. */
  private outputLines(lines: readonly string[], command: string): string[] {
    let start = 0;
    while (start < lines.length && lines[start] === '') start++;
    if (this.dialect.echo && start < lines.length && this.isEcho(lines[start]!, command)) start++;
    let end = lines.length;
    while (end > start && lines[end - 1] === '') end--;
    const out = lines.slice(start, end);
    while (out.length > 0 && out[0] === '') out.shift();
    return out;
  }

  private isEcho(line: string, command: string): boolean {
    const cmd = command.trimEnd();
    if (cmd === '') return false;
    // The device may re-print the prompt in front of the echo, hence endsWith.
    if (line === cmd || line.endsWith(cmd)) return true;
    const shown = this.redactor.text(cmd);
    if (line === shown || line.endsWith(shown)) return true;
    // A replayed echo whose secret was recorded as ***.
    return matchesRedacted(cmd, line);
  }

  /**
   * Sends `command` (or nothing, to wait for the login prompt) and collects output until a prompt, answering
   * questions and pagers on the way.
   */
  private exchange(command: string | undefined, o: ExchangeOptions): Promise<Exchange> {
    return new Promise<Exchange>((resolve, reject) => {
      const screen = new Screen(this.dialect.cleanup);
      const answers = [...(o.answers ?? []), ...this.dialect.answers.filter((a) => (a.phase ?? 'any') === 'any' || a.phase === o.phase)];
      const prompts = o.expectPrompt === undefined ? this.dialect.prompts : [...this.dialect.prompts, o.expectPrompt];
      let lastAnswered: string | undefined;
      let done = false;
      const finish = (error: NetloomError | undefined, value?: Exchange): void => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        if (this.waiter === waiter) this.waiter = undefined;
        if (error !== undefined) reject(error);
        else resolve(value!);
      };
      const timer = setTimeout(() => {
        const tail = this.redactor.text(screen.tail());
        this.recorder.event(`${TranscriptEvent.TIMEOUT} after ${o.timeoutMs} ms waiting for ${o.what}`);
        const error = new DeviceTimeoutError(
          `${this.target} showed no prompt within ${o.timeoutMs} ms after ${o.what}; last line seen: ${JSON.stringify(tail)}. The session is unusable until it reconnects.`,
          { details: { target: this.target, timeoutMs: o.timeoutMs, lastLine: tail } },
        );
        this.logger.warn({ timeoutMs: o.timeoutMs, what: o.what }, 'command timed out');
        this.markBroken(error);
        finish(error);
      }, o.timeoutMs);
      const waiter: Waiter = {
        feed: (text) => {
          if (done) return;
          try {
            screen.push(text);
            const tail = screen.tail();
            const match = matchPrompt(tail, prompts);
            if (match !== undefined) {
              finish(undefined, { lines: [...screen.lines()], match });
              return;
            }
            const pager = this.dialect.pager;
            if (pager !== undefined && pager.pattern.test(tail)) {
              screen.dropTail();
              this.send(pager.key);
              return;
            }
            const answer = answers.find((a) => a.pattern.test(tail));
            if (answer !== undefined && tail !== lastAnswered) {
              lastAnswered = tail;
              this.send(answer.answer + (answer.enter === false ? '' : this.dialect.lineEnding));
            }
          } catch (e) {
            const error = this.wrap(e, `writing to ${this.target} failed`);
            this.markBroken(error);
            finish(error);
          }
        },
        fail: (error) => finish(error),
      };
      this.waiter = waiter;
      try {
        if (command === undefined) {
          const early = this.stash;
          this.stash = [];
          for (const text of early) waiter.feed(text);
        } else {
          // Whatever arrived since the last prompt (late output, device log lines) is not part of this answer.
          this.stash = [];
          this.send(command + this.dialect.lineEnding);
          this.logger.debug({ command: this.redactor.text(command) }, 'sent');
        }
      } catch (e) {
        const error = this.wrap(e, `writing to ${this.target} failed`);
        this.markBroken(error);
        finish(error);
      }
    });
  }
}

/** Options of {@link openReplaySession}. */
export type ReplaySessionOptions = Omit<CliSessionOptions, 'dialect'>;

/**
 * Opens a session that plays `transcript` back: the same session logic as a live one, fed from the recording.
 * Each `run(cmd)` must send what the recording sent next, or it rejects with `ReplayDivergedError`.
 *
 * @example
 * const replay = await openReplaySession(transcriptFromJson(text), huaweiVrp8Dialect);
 * (await replay.run('display version')).output; // the recorded output
 */
export async function openReplaySession(transcript: CliTranscript, dialect: CliDialect, options: ReplaySessionOptions = {}): Promise<CliSession> {
  const transport = new ReplayTransport(transcript, options.secrets === undefined ? {} : { secrets: options.secrets });
  return CliSession.openWith(transport, { ...options, dialect });
}
