/**
 * The state and command execution of one simulated EOS switch: the running-config, configuration sessions with
 * their candidate configs, commit timers with automatic rollback, and the eAPI semantics of one `runCmds` call
 * (commands run in order, the first failure stops the call, error codes 1000/1002/1003/1004/1005).
 *
 * Sessions (PROTOCOLS.md §3.3): `configure session <name>` copies running-config into the session; edits stay in
 * the session; `commit` copies the session over running-config; `commit timer hh:mm:ss` does so too, but rolls
 * running-config back to the pre-commit checkpoint unless `configure session <name> commit` confirms in time;
 * `configure session <name> abort` (or `abort` inside the session) discards it. Sessions are device-wide: every
 * eAPI call re-enters a session by name.
 *
 * @packageDocumentation
 */
import { cloneNode, parseConfig, renderBody, renderConfig, type EosNode } from './eos.tree';
import { configFrame, runConfigCommand, type ConfigContext, type FailureKind, type ModeFrame } from './eos.config';
import { unifiedDiff } from './eos.diff';
import { runShow, type EosFacts, type SessionView, type ShowContext } from './eos.shows';
import { formatTimer, parseTimer } from './eos.values';

/** A user of the simulated switch. `network-operator` may run show commands only. */
export interface EosUser {
  readonly password: string;
  readonly role: 'network-admin' | 'network-operator';
}

/** Options of a simulated switch. Every one has an EOS-like default. */
export interface EosDeviceOptions {
  /** Host name (default `leaf1`). */
  readonly hostname?: string;
  /** Model (default `DCS-7050CX3-32S`). */
  readonly model?: string;
  /** EOS version (default `4.30.1F`). */
  readonly version?: string;
  readonly serialNumber?: string;
  readonly systemMac?: string;
  /** The physical ports (default `Ethernet1/1` … `Ethernet8/4`). */
  readonly ethernetPorts?: readonly string[];
  /**
   * The configuration the switch boots with, as `show running-config` text (header and `!` lines optional).
   * Default: an EVPN leaf's underlay (`router bgp 65001`, `router-id 10.255.0.1`, `interface Vxlan1` with its
   * source interface, `ip routing`) and every port in its default (access) mode.
   */
  readonly startupConfig?: string;
  /** Milliseconds per device second for commit timers (default 1000; tests use small values). */
  readonly timerScale?: number;
}

/** One command of a `runCmds` call: a command line, or one with input (`{ cmd: 'enable', input: '<pw>' }`). */
export type EosCommand = string | { readonly cmd: string; readonly input?: string };

/** The outcome of one `runCmds` call. */
export type RunResult =
  | { readonly ok: true; readonly result: unknown[] }
  | { readonly ok: false; readonly code: number; readonly message: string; readonly data: unknown[] };

/** Counters of what the switch received (over eAPI; the test API does not count). */
export interface EosStats {
  /** HTTP requests that reached the eAPI endpoint (including refused ones). */
  requests: number;
  /** Requests refused with HTTP 401. */
  authFailures: number;
  /** Commands executed (every command of every call, up to and including a failing one). */
  commands: number;
  /** Configuration commands that changed (or re-entered) a configuration: the writes. */
  configCommands: number;
  /** Commits into running-config: `commit`, `commit timer`, `configure session <n> commit`. */
  commits: number;
  /** Running-config restores: aborted or expired commit timers. */
  rollbacks: number;
}

type SessionState = SessionView['state'];

interface ConfigSession {
  readonly name: string;
  state: SessionState;
  candidate: EosNode;
  user: string;
  checkpoint?: EosNode;
  timer?: NodeJS.Timeout;
  expiresAt?: number;
}

/** Something the switch did by itself (for tests): a commit timer expiring. */
export interface EosEvent {
  readonly at: number;
  readonly type: 'commitTimerExpired';
  readonly session: string;
}

const DEFAULT_PORTS = Array.from({ length: 8 }, (_, i) => [1, 2, 3, 4].map((l) => `Ethernet${i + 1}/${l}`)).flat();

function defaultStartup(hostname: string, ports: readonly string[]): string {
  return [
    `hostname ${hostname}`,
    'spanning-tree mode mstp',
    ...ports.map((p) => `interface ${p}`),
    'interface Loopback0',
    '   ip address 10.255.0.1/32',
    'interface Loopback1',
    '   ip address 10.255.1.1/32',
    'interface Management1',
    '   ip address 192.0.2.10/24',
    'interface Vxlan1',
    '   vxlan source-interface Loopback1',
    '   vxlan udp-port 4789',
    'ip routing',
    'router bgp 65001',
    '   router-id 10.255.0.1',
    '   no bgp default ipv4-unicast',
    '   maximum-paths 4 ecmp 4',
    'management api http-commands',
    '   protocol https',
    '   no shutdown',
  ].join('\n');
}

const SESSION_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;

interface Exec {
  readonly user: string;
  readonly admin: boolean;
  stack: ModeFrame[] | undefined;
  session: ConfigSession | undefined;
}

class Refusal {
  constructor(
    readonly code: number,
    readonly reason: string,
    readonly errors: readonly string[],
  ) {}
}

const FAILURE_CODES: { readonly [K in FailureKind]: { readonly code: number; readonly reason: string } } = {
  invalid: { code: 1002, reason: 'invalid command' },
  incomplete: { code: 1004, reason: 'incomplete command' },
  error: { code: 1000, reason: 'could not run command' },
};

/** A simulated EOS switch (no network: see `startEosSimulator` for the eAPI server around it). */
export class EosDevice {
  running: EosNode;
  readonly ethernetPorts: ReadonlySet<string>;
  readonly stats: EosStats = { requests: 0, authFailures: 0, commands: 0, configCommands: 0, commits: 0, rollbacks: 0 };
  readonly events: EosEvent[] = [];
  readonly #sessions = new Map<string, ConfigSession>();
  readonly #timerScale: number;
  readonly #facts: Omit<EosFacts, 'hostname'> & { readonly defaultHostname: string };
  #failNextCommit: string | undefined;
  #sessionCounter = 0;
  #closed = false;

  constructor(options: EosDeviceOptions = {}) {
    const hostname = options.hostname ?? 'leaf1';
    const ports = options.ethernetPorts ?? DEFAULT_PORTS;
    this.ethernetPorts = new Set(ports);
    this.running = parseConfig(options.startupConfig ?? defaultStartup(hostname, ports));
    this.#timerScale = options.timerScale ?? 1000;
    this.#facts = {
      defaultHostname: hostname,
      model: options.model ?? 'DCS-7050CX3-32S',
      version: options.version ?? '4.30.1F',
      serialNumber: options.serialNumber ?? 'JPE00000001',
      systemMac: options.systemMac ?? '00:1c:73:00:00:01',
      bootedAt: Date.now(),
    };
  }

  /** The host name in running-config (or the configured default). */
  get hostname(): string {
    const line = this.running.children.find((c) => c.line.startsWith('hostname '));
    return line === undefined ? this.#facts.defaultHostname : line.line.slice('hostname '.length);
  }

  /** What `show version` / `show hostname` report. */
  get facts(): EosFacts {
    return { ...this.#facts, hostname: this.hostname };
  }

  /** `show running-config` as text. */
  runningConfigText(): string {
    return renderConfig(this.running, { hostname: this.hostname, model: this.#facts.model, version: this.#facts.version });
  }

  /** The sessions the switch holds (pending, pending commit timer, the last completed). */
  sessions(): SessionView[] {
    return [...this.#sessions.values()].map((s) => ({
      name: s.name,
      state: s.state,
      user: s.user,
      ...(s.expiresAt === undefined ? {} : { commitTimerExpireTime: s.expiresAt / 1000 }),
    }));
  }

  /** Makes the next commit (`commit`, `commit timer`) fail with `reason`; the session stays uncommitted. */
  failNextCommit(reason = 'Failed to commit configuration session (injected fault)'): void {
    this.#failNextCommit = reason;
  }

  /**
   * Runs `lines` in `configure terminal` as an operator at the console would (not counted in {@link stats}).
   * @throws Error with the device's text when a line is refused (the lines before it stay applied).
   */
  applyOutOfBand(lines: readonly string[]): void {
    const r = this.run({ user: 'console', admin: true }, ['configure', ...lines, 'end'], 'json', false);
    if (!r.ok) throw new Error(`out-of-band change refused: ${r.message}: ${JSON.stringify(r.data[r.data.length - 1])}`);
  }

  /** Stops every commit timer (the switch "powers off"). */
  close(): void {
    this.#closed = true;
    for (const s of this.#sessions.values()) if (s.timer !== undefined) clearTimeout(s.timer);
  }

  /**
   * Runs the commands of one `runCmds` call for `user` (eAPI starts every call in exec mode; administrators are
   * privileged). `format` chooses JSON results or `{ output }` text results.
   */
  run(who: { readonly user: string; readonly admin: boolean }, cmds: readonly EosCommand[], format: 'json' | 'text', count = true): RunResult {
    const exec: Exec = { user: who.user, admin: who.admin, stack: undefined, session: undefined };
    const results: unknown[] = [];
    for (const [i, c] of cmds.entries()) {
      const text = typeof c === 'string' ? c : c.cmd;
      if (count) this.stats.commands++;
      try {
        const out = this.#one(exec, text, format, count);
        results.push(format === 'json' ? (out.json ?? {}) : { output: out.text });
      } catch (e) {
        if (!(e instanceof Refusal)) throw e;
        // As in public eAPI replies: `errors` without EOS's "% " prefix, the text output with it.
        const errors = e.errors.map((x) => x.replace(/^% /, ''));
        const failed = format === 'json' ? { errors } : { output: `${errors.map((x) => `% ${x}`).join('\n')}\n`, errors };
        return { ok: false, code: e.code, message: `CLI command ${i + 1} of ${cmds.length} '${text}' failed: ${e.reason}`, data: [...results, failed] };
      }
    }
    return { ok: true, result: results };
  }

  #one(exec: Exec, text: string, format: 'json' | 'text', count: boolean): { json?: unknown; text: string } {
    const cmd = text.trim().replace(/\s+/g, ' ');
    const words = cmd.split(' ');
    const lower = cmd.toLowerCase();
    if (lower.startsWith('show ')) return this.#show(exec, cmd, format);
    if (exec.stack === undefined) return this.#execMode(exec, cmd, words, count);
    if (lower === 'end') {
      exec.stack = undefined;
      return { text: '' };
    }
    if (lower === 'exit') {
      exec.stack.pop();
      if (exec.stack.length === 0) exec.stack = undefined;
      return { text: '' };
    }
    if (exec.session !== undefined && (lower === 'commit' || lower === 'abort' || lower.startsWith('commit timer'))) return this.#sessionEnd(exec, cmd, words, count);
    const ctx: ConfigContext = { root: exec.session?.candidate ?? this.running, ethernetPorts: this.ethernetPorts };
    const outcome = runConfigCommand(ctx, exec.stack, cmd);
    if (!outcome.ok) {
      const f = FAILURE_CODES[outcome.kind];
      throw new Refusal(f.code, f.reason, [outcome.message]);
    }
    if (count) this.stats.configCommands++;
    return { text: '' };
  }

  #show(exec: Exec, cmd: string, format: 'json' | 'text'): { json?: unknown; text: string } {
    const session = exec.session;
    const ctx: ShowContext = {
      facts: this.facts,
      running: this.running,
      sessions: this.sessions(),
      now: Date.now(),
      ...(session === undefined
        ? {}
        : {
            session: {
              name: session.name,
              candidate: session.candidate,
              diff: () => unifiedDiff(this.#bodyLines(this.running), this.#bodyLines(session.candidate), 'system:/running-config', `session:/${session.name}-session-config`),
            },
          }),
    };
    const r = runShow(ctx, cmd);
    if ('refused' in r) {
      if (r.refused === 'invalid') {
        const words = cmd.split(' ');
        throw new Refusal(1002, 'invalid command', [`Invalid input (at token ${r.token ?? 0}: '${words[r.token ?? 0] ?? ''}')`]);
      }
      throw new Refusal(1000, 'could not run command', [r.message]);
    }
    if (format === 'json' && r.json === undefined) {
      // NOTE: eAPI refuses a show command without a JSON form when JSON is asked for (code 1003; PROTOCOLS.md §3.2).
      throw new Refusal(1003, 'unconverted command', ['Command cannot be used over the API at this time. To see ASCII output, set format="text" in your request']);
    }
    return { ...(r.json === undefined ? {} : { json: r.json }), text: r.text };
  }

  #bodyLines(root: EosNode): string[] {
    return renderBody(root);
  }

  #requireAdmin(exec: Exec): void {
    // UNVERIFIED wording; the code is the one PROTOCOLS.md §3.2 lists for "Command unauthorized".
    if (!exec.admin) throw new Refusal(1005, 'permission to run command denied', ['Command unauthorized: user has insufficient permissions']);
  }

  #execMode(exec: Exec, cmd: string, words: readonly string[], count: boolean): { json?: unknown; text: string } {
    const lower = cmd.toLowerCase();
    if (lower === 'enable' || lower === 'disable' || lower.startsWith('terminal ') || lower === 'exit' || lower === 'end') return { text: '' };
    if (lower === 'configure' || lower === 'configure terminal') {
      this.#requireAdmin(exec);
      exec.session = undefined;
      exec.stack = [configFrame(this.running)];
      return { text: '' };
    }
    if (lower === 'copy running-config startup-config' || lower === 'write memory' || lower === 'write') {
      this.#requireAdmin(exec);
      return { text: 'Copy completed successfully.\n' };
    }
    if (words[0]?.toLowerCase() === 'configure' && words[1]?.toLowerCase() === 'session') {
      this.#requireAdmin(exec);
      const name = words[2] ?? `session${++this.#sessionCounter}`;
      if (!SESSION_NAME.test(name)) throw new Refusal(1002, 'invalid command', [`Invalid input (at token 2: '${name}')`]);
      const action = words[3]?.toLowerCase();
      if (words.length > 4 || (action !== undefined && action !== 'commit' && action !== 'abort')) {
        throw new Refusal(1002, 'invalid command', [`Invalid input (at token 3: '${words[3] ?? ''}')`]);
      }
      if (action === 'commit') return this.#confirm(name, count);
      if (action === 'abort') return this.#abortByName(name, count);
      let session = this.#sessions.get(name);
      if (session !== undefined && session.state !== 'pending') {
        // UNVERIFIED wording.
        throw new Refusal(1000, 'could not run command', [`% Cannot enter session ${name} (session is ${session.state === 'completed' ? 'completed' : 'pending a commit timer'})`]);
      }
      if (session === undefined) {
        session = { name, state: 'pending', candidate: cloneNode(this.running), user: exec.user };
        this.#sessions.set(name, session);
      }
      exec.session = session;
      exec.stack = [configFrame(session.candidate)];
      if (count) this.stats.configCommands++;
      return { text: '' };
    }
    throw new Refusal(1002, 'invalid command', [`Invalid input (at token 0: '${words[0] ?? ''}')`]);
  }

  #otherTimerPending(except: string): ConfigSession | undefined {
    return [...this.#sessions.values()].find((s) => s.name !== except && s.state === 'pendingCommitTimer');
  }

  #sessionEnd(exec: Exec, cmd: string, words: readonly string[], count: boolean): { text: string } {
    const session = exec.session!;
    const lower = cmd.toLowerCase();
    if (lower === 'abort') {
      this.#sessions.delete(session.name);
      exec.session = undefined;
      exec.stack = undefined;
      return { text: '' };
    }
    let seconds: number | undefined;
    if (lower !== 'commit') {
      if (words.length !== 3) throw new Refusal(words.length < 3 ? 1004 : 1002, words.length < 3 ? 'incomplete command' : 'invalid command', [words.length < 3 ? 'Incomplete command' : `Invalid input (at token 3: '${words[3]}')`]);
      seconds = parseTimer(words[2]!);
      if (seconds === undefined) throw new Refusal(1002, 'invalid command', [`Invalid input (at token 2: '${words[2]}')`]);
    }
    const blocker = this.#otherTimerPending(session.name);
    // UNVERIFIED: the simulator refuses a commit while another session's commit timer runs (its rollback would
    // otherwise undo this commit too).
    if (blocker !== undefined) throw new Refusal(1000, 'could not run command', [`% Cannot commit session ${session.name}: session ${blocker.name} has a pending commit timer`]);
    if (this.#failNextCommit !== undefined) {
      const reason = this.#failNextCommit;
      this.#failNextCommit = undefined;
      throw new Refusal(1000, 'could not run command', [`% ${reason}`]);
    }
    const checkpoint = this.running;
    this.running = cloneNode(session.candidate);
    if (count) this.stats.commits++;
    exec.session = undefined;
    exec.stack = undefined;
    if (seconds === undefined) {
      this.#complete(session);
      return { text: '' };
    }
    session.state = 'pendingCommitTimer';
    session.checkpoint = checkpoint;
    session.expiresAt = Date.now() + seconds * 1000;
    if (!this.#closed) {
      session.timer = setTimeout(() => this.#expire(session.name), seconds * this.#timerScale);
      session.timer.unref();
    }
    return { text: `Commit timer set to ${formatTimer(seconds)}\n` };
  }

  #complete(session: ConfigSession): void {
    if (session.timer !== undefined) clearTimeout(session.timer);
    session.state = 'completed';
    delete session.checkpoint;
    delete session.timer;
    delete session.expiresAt;
    // EOS keeps one completed session (maxSavedSessions 1).
    for (const s of this.#sessions.values()) if (s !== session && s.state === 'completed') this.#sessions.delete(s.name);
  }

  #expire(name: string): void {
    const session = this.#sessions.get(name);
    if (session?.state !== 'pendingCommitTimer' || session.checkpoint === undefined) return;
    this.running = session.checkpoint;
    this.#sessions.delete(name);
    this.stats.rollbacks++;
    this.events.push({ at: Date.now(), type: 'commitTimerExpired', session: name });
  }

  #confirm(name: string, count: boolean): { text: string } {
    const session = this.#sessions.get(name);
    // UNVERIFIED wording.
    if (session === undefined) throw new Refusal(1000, 'could not run command', [`% Configuration session ${name} does not exist`]);
    if (session.state === 'completed') throw new Refusal(1000, 'could not run command', [`% Configuration session ${name} has already been committed`]);
    if (session.state === 'pending') {
      const exec: Exec = { user: session.user, admin: true, stack: [configFrame(session.candidate)], session };
      return this.#sessionEnd(exec, 'commit', ['commit'], count);
    }
    if (count) this.stats.commits++;
    this.#complete(session);
    return { text: '' };
  }

  #abortByName(name: string, count: boolean): { text: string } {
    const session = this.#sessions.get(name);
    if (session === undefined) throw new Refusal(1000, 'could not run command', [`% Configuration session ${name} does not exist`]);
    if (session.state === 'completed') throw new Refusal(1000, 'could not run command', [`% Configuration session ${name} has already been committed`]);
    if (session.state === 'pendingCommitTimer' && session.checkpoint !== undefined) {
      if (session.timer !== undefined) clearTimeout(session.timer);
      this.running = session.checkpoint;
      if (count) this.stats.rollbacks++;
    }
    this.#sessions.delete(name);
    return { text: '' };
  }
}
