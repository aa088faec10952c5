/**
 * The replay transport: plays a recorded transcript back to the same session logic, deterministically, without a
 * device. Each write must match the next recorded `send` (a redacted `***` in the recording matches any text);
 * the `recv` entries that follow are then delivered, one entry per event-loop turn.
 *
 * @packageDocumentation
 */
import { DeviceAuthError, DeviceConnectionError, DeviceTimeoutError, ErrorCode, type NetloomError } from '@netloom/ports';
import { ReplayDivergedError } from './errors';
import { Redactor, matchesRedacted } from './terminal';
import { TranscriptEvent, type CliTranscript, type TranscriptEntry } from './transcript';
import { type CliTransport, type CliTransportSink } from './transport';

/** Options of {@link ReplayTransport}. */
export interface ReplayTransportOptions {
  /** Secrets to redact from what the replayed session writes before comparing (a recorded `***` matches anything anyway). */
  readonly secrets?: readonly string[];
}

function isEvent(e: TranscriptEntry, word: string): boolean {
  return e.dir === 'event' && (e.text === word || e.text.startsWith(`${word} `) || e.text.startsWith(`${word}:`));
}

/** Rebuilds the error of a recorded `connect-failed <code>: <message>` event. */
function replayedConnectFailure(text: string): NetloomError {
  const m = /^connect-failed (?<code>[A-Z_.]+): (?<message>[\s\S]*)$/.exec(text);
  const code = m?.groups?.['code'];
  const message = m?.groups?.['message'] ?? text;
  if (code === ErrorCode.DEVICE_AUTH) return new DeviceAuthError(message);
  if (code === ErrorCode.DEVICE_TIMEOUT) return new DeviceTimeoutError(message);
  return new DeviceConnectionError(message);
}

function describe(e: TranscriptEntry | undefined): string {
  if (e === undefined) return 'end of transcript';
  return `${e.dir} ${JSON.stringify(e.text)}`;
}

/**
 * A {@link CliTransport} over a recorded transcript.
 *
 * - `open()` moves to the next recorded `connect` event; a recorded `send` on the way means the recording did
 *   something the replay skipped: {@link ReplayDivergedError}.
 * - `write(text)` skips received text the session never waited for, then requires the next entry to be a `send`
 *   matching `text`; else it throws {@link ReplayDivergedError}.
 * - A recorded `closed-by-device` event is replayed as a dropped connection, a recorded `connect-failed` event as
 *   the same kind of failure from `open()` (`DeviceAuthError`, `DeviceTimeoutError` or `DeviceConnectionError`).
 *
 * @example
 * const session = await CliSession.openWith(new ReplayTransport(recorded), { dialect });
 */
export class ReplayTransport implements CliTransport {
  readonly target: string;
  private readonly entries: readonly TranscriptEntry[];
  private readonly redactor: Redactor;
  private cursor = 0;
  private sink?: CliTransportSink;
  private generation = 0;
  private immediate?: NodeJS.Immediate;

  constructor(transcript: CliTranscript, options: ReplayTransportOptions = {}) {
    this.entries = transcript.entries;
    // The recorded target, so a replay produces the very messages the live session produced.
    this.target = transcript.target ?? 'replay';
    this.redactor = new Redactor(options.secrets ?? []);
  }

  /** How many entries have been consumed (for assertions: `consumed === transcript.entries.length` at the end). */
  get consumed(): number {
    return this.cursor;
  }

  async open(sink: CliTransportSink): Promise<void> {
    this.stop();
    while (this.cursor < this.entries.length) {
      const e = this.entries[this.cursor]!;
      if (isEvent(e, TranscriptEvent.CONNECT)) break;
      if (e.dir === 'send') throw new ReplayDivergedError(describe(e), 'a new connection', this.cursor);
      this.cursor++;
    }
    if (this.cursor >= this.entries.length) throw new ReplayDivergedError('end of transcript', 'a new connection', this.cursor);
    this.cursor++;
    const next = this.entries[this.cursor];
    if (next !== undefined && isEvent(next, TranscriptEvent.CONNECT_FAILED)) {
      this.cursor++;
      throw replayedConnectFailure(next.text);
    }
    this.sink = sink;
    this.pump();
  }

  write(text: string): void {
    if (this.sink === undefined) throw new ReplayDivergedError('no write (the replayed connection is closed)', `send ${JSON.stringify(text)}`, this.cursor);
    // What arrived before the recorded send was never awaited by the recorded session: skip it.
    while (this.cursor < this.entries.length) {
      const e = this.entries[this.cursor]!;
      if (e.dir === 'recv' || isEvent(e, TranscriptEvent.TIMEOUT)) this.cursor++;
      else break;
    }
    const next = this.entries[this.cursor];
    const written = this.redactor.text(text);
    if (next === undefined || next.dir !== 'send' || !matchesRedacted(written, next.text)) {
      throw new ReplayDivergedError(describe(next), `send ${JSON.stringify(written)}`, this.cursor);
    }
    this.cursor++;
    this.pump();
  }

  async close(): Promise<void> {
    this.stop();
    this.sink = undefined;
    // Step over the recorded close, so a later open() finds the next connect.
    while (this.cursor < this.entries.length) {
      const e = this.entries[this.cursor]!;
      if (e.dir === 'recv' || (e.dir === 'event' && !isEvent(e, TranscriptEvent.CONNECT))) this.cursor++;
      else break;
    }
  }

  private stop(): void {
    this.generation++;
    if (this.immediate !== undefined) clearImmediate(this.immediate);
    this.immediate = undefined;
  }

  /** Delivers the recorded `recv` entries after the cursor, one per turn, until a send, connect or the end. */
  private pump(): void {
    this.stop();
    const generation = this.generation;
    const step = (): void => {
      this.immediate = undefined;
      if (generation !== this.generation || this.sink === undefined) return;
      const e = this.entries[this.cursor];
      if (e === undefined) return;
      if (e.dir === 'recv') {
        this.cursor++;
        this.sink.data(e.text);
        if (generation === this.generation) this.immediate = setImmediate(step);
        return;
      }
      if (isEvent(e, TranscriptEvent.CLOSED_BY_DEVICE)) {
        this.cursor++;
        const sink = this.sink;
        this.sink = undefined;
        // `closed-by-device: <reason>` carries the recorded reason; give it back the way it came.
        const reason = e.text.slice(TranscriptEvent.CLOSED_BY_DEVICE.length).replace(/^:\s*/, '');
        sink.closed(reason === '' ? undefined : new Error(reason));
      }
      // send, connect, close, timeout: wait for the session.
    };
    this.immediate = setImmediate(step);
  }
}
