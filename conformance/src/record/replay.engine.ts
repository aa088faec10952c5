/**
 * The protocol-independent part of a replay: one check's recorded sessions played back in their recorded order.
 *
 * Every event has a sequence number global to the check. A cursor walks the events in that order: an `out` event
 * (device → adapter) is sent as soon as its connection exists; an `in` event (adapter → device) waits until the
 * adapter has sent something that matches it. So a reply never overtakes the request it answered, on any
 * connection (a lock the device granted to a second connection only after the first released it is granted in the
 * replay only after the first released it too), while each connection's input is checked as soon as it arrives.
 *
 * Matching: texts are compared after normalising `\r\n` to `\n`; a recorded `<redacted:...>` matches anything; a
 * token the adapter generates afresh on every run (a session name `netloom-m3k2j1x0-4f2a9c`, a random id: six or
 * more lower-case letters and digits, mixing both, or joined by a dash to one that does) is bound to what the adapter
 * sends now, and the recorded replies get the adapter's value in its place. Numbers, names and keywords must be
 * equal.
 *
 * The first divergence ends the replay: every connection is closed, and the check fails with a message naming the
 * check, the case, the session and exchange, what was recorded and what came.
 *
 * @packageDocumentation
 */
import { isRedacted, placeholderPattern } from './redact';
import type { RecordedEvent, SessionRecording } from './recording';

/** How a protocol handler plays one session: it sends `out` events and closes the connection on request. */
export interface SessionPlayer {
  /** Sends one recorded `out` event (already with bindings substituted). */
  send(event: RecordedEvent): void;
  /** Closes the connection (after a divergence, or when the replay is over). */
  close(): void;
}

const GENERATED = /^[0-9a-z]{6,}$/;
const mixes = (s: string): boolean => /[a-z]/.test(s) && /[0-9]/.test(s);

/** Normalises line endings for comparison. */
export function normaliseText(s: string): string {
  return s.replace(/\r\n/g, '\n');
}

/** A short, single-line rendering of a value for messages. */
export function shown(v: unknown, max = 200): string {
  const s = typeof v === 'string' ? JSON.stringify(v) : JSON.stringify(v) ?? String(v);
  return s.length > max ? `${s.slice(0, max - 3)}...` : s;
}

/** One connection's part of the replay. */
export class ReplaySession {
  readonly #ins: RecordedEvent[];
  #matched = 0;
  #player: SessionPlayer | undefined;
  #ended = false;

  constructor(
    readonly number: number,
    readonly recording: SessionRecording,
    private readonly script: ReplayScript,
  ) {
    this.#ins = recording.events.filter((e) => e.dir === 'in');
  }

  /** The next `in` event the adapter must send (undefined: the recording expects nothing more). */
  expected(): RecordedEvent | undefined {
    return this.#ins[this.#matched];
  }

  /** The 1-based number of the next expected exchange (for messages). */
  get exchange(): number {
    return this.#matched + 1;
  }

  /** Marks the expected event as matched and lets the cursor move on. */
  consume(): void {
    this.#matched++;
    this.script.pump();
  }

  /** Reports a divergence on this session: the adapter sent `came` where the recording has the expected event. */
  diverge(came: string, expected: string = this.describeExpected()): void {
    this.script.diverge(`session ${this.number}, exchange ${this.exchange}: expected ${expected}, came ${came}`);
  }

  /** The expected event, described. */
  describeExpected(): string {
    const e = this.expected();
    return e === undefined ? 'nothing more (the recording of this connection ends here)' : describeEvent(e);
  }

  /** True when the `in` event with this sequence number was matched. */
  matched(seq: number): boolean {
    const i = this.#ins.findIndex((e) => e.seq === seq);
    return i >= 0 && i < this.#matched;
  }

  /** @internal */
  get player(): SessionPlayer | undefined {
    return this.#player;
  }

  /** @internal */
  set player(p: SessionPlayer | undefined) {
    this.#player = p;
  }

  /** True once the connection is gone. */
  get ended(): boolean {
    return this.#ended;
  }

  /**
   * The adapter closed the connection: closing events the recording expects are taken as matched; anything else it
   * still expects is a divergence.
   */
  end(): void {
    if (this.#ended) return;
    this.#ended = true;
    while (this.expected() !== undefined && ['close', 'eof'].includes(this.expected()!.type)) this.#matched++;
    if (this.expected() !== undefined && !this.script.finished) this.diverge('the end of the connection');
    this.script.pump();
  }

  /** Compares a text with a recorded one (see the module documentation); binds generated tokens on success. */
  matchText(recorded: string, actual: string): boolean {
    return this.script.unifyText(recorded, actual);
  }

  /** Compares JSON values (see the module documentation); binds generated tokens on success. */
  matchJson(recorded: unknown, actual: unknown): boolean {
    return this.script.unifyJson(recorded, actual);
  }
}

/** A description of an event for messages. */
export function describeEvent(e: RecordedEvent): string {
  switch (e.type) {
    case 'data':
    case 'stderr':
      return `${e.type} ${shown(e.text ?? '')}`;
    case 'exec':
      return `exec ${shown(e.command ?? '')}`;
    case 'request':
      return `${e.method ?? '?'} ${e.path ?? '?'} ${e.body === undefined ? '' : shown(e.body)}`.trim();
    case 'response':
      return `HTTP ${e.status ?? '?'} ${e.body === undefined ? '' : shown(e.body)}`.trim();
    case 'message':
      return `message ${shown(e.message)}`;
    default:
      return e.type;
  }
}

/** One check's recorded sessions, played back in order. */
export class ReplayScript {
  readonly #sessions: ReplaySession[];
  readonly #order: { readonly session: ReplaySession; readonly event: RecordedEvent }[];
  #cursor = 0;
  #attached = 0;
  #divergence: string | undefined;
  #finished = false;
  readonly #bindings = new Map<string, string>();
  readonly #bound = new Set<string>();
  readonly #waiters: (() => void)[] = [];

  constructor(
    readonly check: string,
    readonly caseName: string,
    readonly dir: string,
    sessions: readonly SessionRecording[],
  ) {
    this.#sessions = sessions.map((s, i) => new ReplaySession(i + 1, s, this));
    this.#order = this.#sessions.flatMap((session) => session.recording.events.map((event) => ({ session, event }))).sort((a, b) => a.event.seq - b.event.seq);
  }

  /** The first divergence, as the check's failure reason (undefined: none so far). */
  get divergence(): string | undefined {
    return this.#divergence;
  }

  /** True once the replay was stopped. */
  get finished(): boolean {
    return this.#finished;
  }

  /**
   * The next recorded session for a new connection, with its player attached; undefined when the recording has no
   * further connection (a divergence is reported: the caller refuses the connection).
   */
  attach(player: SessionPlayer): ReplaySession | undefined {
    if (this.#divergence !== undefined) return undefined;
    const session = this.#sessions[this.#attached];
    if (session === undefined) {
      this.diverge(`connection ${this.#attached + 1}: the recording has ${this.#sessions.length} connection(s), the adapter opened another one`);
      return undefined;
    }
    this.#attached++;
    session.player = player;
    this.pump();
    return session;
  }

  /** Reports a divergence (the first one counts) and closes every connection. */
  diverge(what: string): void {
    if (this.#divergence !== undefined || this.#finished) return;
    this.#divergence = `replay of check ${this.check} case ${this.caseName} diverged from the recording in ${this.dir}: ${what}`;
    for (const s of this.#sessions) s.player?.close();
    this.#wake();
  }

  /** Moves the cursor as far as the adapter's input allows, sending recorded output on the way. */
  pump(): void {
    while (this.#divergence === undefined && this.#cursor < this.#order.length) {
      const { session, event } = this.#order[this.#cursor]!;
      if (event.dir === 'out') {
        if (session.ended) {
          this.#cursor++;
          continue;
        }
        const player = session.player;
        if (player === undefined) break;
        this.#cursor++;
        player.send(this.substituteEvent(event));
        continue;
      }
      if (session.matched(event.seq) || (session.ended && ['close', 'eof'].includes(event.type))) {
        this.#cursor++;
        continue;
      }
      break;
    }
    this.#wake();
  }

  /** What the recording still expects from the adapter (empty when the replay got through). */
  remaining(): string[] {
    const out: string[] = [];
    for (const s of this.#sessions) {
      const e = s.expected();
      if (e !== undefined && !['close', 'eof'].includes(e.type)) out.push(`session ${s.number}, exchange ${s.exchange}: expected ${describeEvent(e)}, came nothing`);
    }
    if (this.#attached < this.#sessions.length) out.push(`the recording has ${this.#sessions.length} connection(s), the adapter opened ${this.#attached}`);
    return out;
  }

  /**
   * Waits (at most `ms`) until every recorded event was played, then stops: reports what the adapter never sent
   * as a divergence and closes the connections. Returns the divergence, if any.
   */
  async finish(ms = 2_000): Promise<string | undefined> {
    const deadline = Date.now() + ms;
    while (this.#divergence === undefined && this.remaining().length > 0 && Date.now() < deadline) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.max(1, deadline - Date.now()));
        timer.unref();
        this.#waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
    const left = this.remaining();
    if (this.#divergence === undefined && left.length > 0) this.diverge(left[0]!);
    this.#finished = true;
    for (const s of this.#sessions) s.player?.close();
    return this.#divergence;
  }

  #wake(): void {
    for (const w of this.#waiters.splice(0)) w();
  }

  // -------------------------------------------------------------------------------------------------------------
  // Matching with bindings

  /** Recorded tokens replaced by what the adapter generated in this run. */
  substitute(text: string): string {
    if (this.#bindings.size === 0) return text;
    return text.replace(/[0-9a-z]{6,}/g, (tok) => this.#bindings.get(tok) ?? tok);
  }

  /** Substitutes in every string of a JSON value. */
  substituteJson(value: unknown): unknown {
    if (this.#bindings.size === 0) return value;
    if (typeof value === 'string') return this.substitute(value);
    if (Array.isArray(value)) return value.map((v) => this.substituteJson(v));
    if (typeof value === 'object' && value !== null) return Object.fromEntries(Object.entries(value).map(([k, v]) => [this.substitute(k), this.substituteJson(v)]));
    return value;
  }

  /** An event with bindings substituted in its texts. */
  substituteEvent(e: RecordedEvent): RecordedEvent {
    if (this.#bindings.size === 0) return e;
    return {
      ...e,
      ...(e.text === undefined ? {} : { text: this.substitute(e.text) }),
      ...(e.body === undefined ? {} : { body: this.substituteJson(e.body) }),
      ...(e.message === undefined ? {} : { message: this.substituteJson(e.message) }),
    };
  }

  /** See {@link ReplaySession.matchText}. */
  unifyText(recorded: string, actual: string): boolean {
    const pending = new Map<string, string>();
    if (!this.#unify(recorded, actual, pending)) return false;
    this.#commit(pending);
    return true;
  }

  /** See {@link ReplaySession.matchJson}. */
  unifyJson(recorded: unknown, actual: unknown): boolean {
    const pending = new Map<string, string>();
    if (!this.#unifyJson(recorded, actual, pending)) return false;
    this.#commit(pending);
    return true;
  }

  #commit(pending: Map<string, string>): void {
    for (const [r, a] of pending) {
      this.#bindings.set(r, a);
      this.#bound.add(a);
    }
  }

  #unifyJson(recorded: unknown, actual: unknown, pending: Map<string, string>): boolean {
    if (typeof recorded === 'string') {
      if (isRedacted(recorded) && /^<redacted:[^>]+>$/.test(recorded)) return true;
      return typeof actual === 'string' && this.#unify(recorded, actual, pending);
    }
    if (Array.isArray(recorded)) {
      return Array.isArray(actual) && actual.length === recorded.length && recorded.every((r, i) => this.#unifyJson(r, actual[i], pending));
    }
    if (typeof recorded === 'object' && recorded !== null) {
      if (typeof actual !== 'object' || actual === null || Array.isArray(actual)) return false;
      const rk = Object.keys(recorded);
      const ak = Object.keys(actual);
      if (rk.length !== ak.length) return false;
      const a = actual as Record<string, unknown>;
      return rk.every((k) => k in a && this.#unifyJson((recorded as Record<string, unknown>)[k], a[k], pending));
    }
    return recorded === actual;
  }

  #unify(recordedRaw: string, actualRaw: string, pending: Map<string, string>): boolean {
    const recorded = normaliseText(recordedRaw);
    const actual = normaliseText(actualRaw);
    if (isRedacted(recorded)) return placeholderPattern(this.substitute(recorded)).test(actual);
    if (this.substitute(recorded) === actual) return true;
    const r = recorded.split(/([^0-9a-z]+)/);
    const a = actual.split(/([^0-9a-z]+)/);
    if (r.length !== a.length) return false;
    const weak: number[] = [];
    const strong = new Set<number>();
    for (let i = 0; i < r.length; i++) {
      const rt = r[i]!;
      const at = a[i]!;
      if (rt === at && !this.#bindings.has(rt) && !pending.has(rt)) continue;
      if (i % 2 === 1) return false; // a separator differs
      const known = this.#bindings.get(rt) ?? pending.get(rt);
      if (known !== undefined) {
        if (known !== at) return false;
        continue;
      }
      if (!GENERATED.test(rt) || !GENERATED.test(at) || rt.length !== at.length) return false;
      if (this.#bound.has(at) || [...pending.values()].includes(at)) return false;
      if (mixes(rt) || mixes(at)) strong.add(i);
      else weak.push(i);
      pending.set(rt, at);
    }
    // A token of letters only or digits only is taken as generated only next to one that mixes both, in one
    // dash-joined name (`netloom-mwtfsqpd-7f0a8f`): a different keyword or number alone is a divergence.
    const joined = (i: number, j: number): boolean => j >= 0 && j < r.length && /^[-_]$/.test(r[(i + j) / 2]!);
    for (const i of weak) {
      if (!((strong.has(i - 2) && joined(i, i - 2)) || (strong.has(i + 2) && joined(i, i + 2)))) return false;
    }
    return true;
  }
}
