/**
 * Session transcripts: every byte sent and received, plus events (connect, timeout, drop, close), with secrets
 * replaced by `***`. A transcript is an audit record and the input of a replay.
 *
 * @packageDocumentation
 */
import * as t from 'io-ts';
import { InputError, decodeOrThrow, intInRange, struct } from '@netloom/ports';
import { type Redactor } from './terminal';

/** Direction of a transcript entry: written to the device, read from it, or something that happened. */
export type TranscriptDirection = 'send' | 'recv' | 'event';

/** One transcript entry. */
export interface TranscriptEntry {
  /** Milliseconds since the transcript started. */
  readonly t: number;
  readonly dir: TranscriptDirection;
  /** The text (redacted). For `send`, exactly what was written, line ending included. */
  readonly text: string;
}

/** The format tag of a serialised transcript. */
export const TRANSCRIPT_FORMAT = 'netloom.cli-transcript';

/** A whole transcript. */
export interface CliTranscript {
  readonly format: typeof TRANSCRIPT_FORMAT;
  readonly version: 1;
  /** ISO 8601 time the transcript started. */
  readonly startedAt: string;
  /** The dialect's name. */
  readonly dialect?: string;
  /** The peer (`host:port`). */
  readonly target?: string;
  /** How many of the oldest entries were dropped to respect the size limit (absent when none). */
  readonly dropped?: number;
  readonly entries: readonly TranscriptEntry[];
}

/**
 * Event texts the session writes and the replay understands. An event's text starts with one of these words; the
 * rest is free text for people.
 */
export const TranscriptEvent = {
  /** A connection was opened (`connect 10.0.0.1:22`). */
  CONNECT: 'connect',
  /** Opening a connection failed (`connect-failed DEVICE.AUTH: <message>`; the code lets a replay fail the same way). */
  CONNECT_FAILED: 'connect-failed',
  /** The device or network closed the connection. */
  CLOSED_BY_DEVICE: 'closed-by-device',
  /** A command got no prompt in time. */
  TIMEOUT: 'timeout',
  /** The session closed the connection. */
  CLOSE: 'close',
} as const;

const DirectionCodec = t.keyof({ send: null, recv: null, event: null }, '"send" | "recv" | "event"');

/** io-ts codec of one entry (closed object). */
export const TranscriptEntryCodec = struct('TranscriptEntry', { t: intInRange('milliseconds', 0, Number.MAX_SAFE_INTEGER), dir: DirectionCodec, text: t.string });

/** io-ts codec of a transcript (closed object; `format` and `version` must match). */
export const CliTranscriptCodec = struct(
  'CliTranscript',
  { format: t.literal(TRANSCRIPT_FORMAT), version: t.literal(1), startedAt: t.string, entries: t.readonlyArray(TranscriptEntryCodec, 'entries') },
  { dialect: t.string, target: t.string, dropped: intInRange('count', 0, Number.MAX_SAFE_INTEGER) },
);

/**
 * Serialises a transcript to JSON (one entry per line, so diffs of recorded fixtures stay readable).
 *
 * @example fs.writeFileSync('fixtures/leaf1.json', transcriptToJson(session.transcript()));
 */
export function transcriptToJson(transcript: CliTranscript): string {
  const { entries, ...head } = CliTranscriptCodec.encode(transcript as t.TypeOf<typeof CliTranscriptCodec>);
  const body = entries.map((e) => `    ${JSON.stringify(e)}`).join(',\n');
  const headText = JSON.stringify(head).slice(0, -1);
  return `${headText}${headText.length > 1 ? ',' : ''}\n  "entries": [\n${body}${entries.length > 0 ? '\n' : ''}  ]\n}\n`;
}

/**
 * Parses and validates a transcript. Throws `InputError` with the path and reason of every problem (or the JSON
 * syntax error).
 *
 * @throws InputError
 * @example const recorded = transcriptFromJson(fs.readFileSync('fixtures/leaf1.json', 'utf8'));
 */
export function transcriptFromJson(text: string, subject = 'CLI transcript'): CliTranscript {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (cause) {
    throw new InputError(`${subject} is not valid JSON: ${(cause as Error).message}`, [{ path: '', reason: (cause as Error).message }], { cause });
  }
  return decodeOrThrow(CliTranscriptCodec, value, subject) as CliTranscript;
}

/** Default cap on recorded entries; the oldest are dropped beyond it. */
export const DEFAULT_MAX_TRANSCRIPT_ENTRIES = 100_000;

/**
 * Records a transcript. Received text is buffered up to the end of a line before it is redacted and stored, so a
 * secret split across two network packets is still caught; the buffer is flushed before every send and event.
 */
export class TranscriptRecorder {
  private readonly started = Date.now();
  private readonly startedAt = new Date(this.started).toISOString();
  private entries: TranscriptEntry[] = [];
  private dropped = 0;
  private pending = '';

  constructor(
    private readonly redactor: Redactor,
    private readonly meta: { readonly dialect?: string; readonly target?: string },
    private readonly maxEntries = DEFAULT_MAX_TRANSCRIPT_ENTRIES,
  ) {}

  recv(text: string): void {
    this.pending += text;
    const cut = this.pending.lastIndexOf('\n');
    if (cut < 0) return;
    this.push('recv', this.pending.slice(0, cut + 1));
    this.pending = this.pending.slice(cut + 1);
  }

  send(text: string): void {
    this.flush();
    this.push('send', text);
  }

  event(text: string): void {
    this.flush();
    this.push('event', text);
  }

  /** Stores buffered received text now. */
  flush(): void {
    if (this.pending === '') return;
    const text = this.pending;
    this.pending = '';
    this.push('recv', text);
  }

  snapshot(): CliTranscript {
    this.flush();
    return {
      format: TRANSCRIPT_FORMAT,
      version: 1,
      startedAt: this.startedAt,
      ...(this.meta.dialect === undefined ? {} : { dialect: this.meta.dialect }),
      ...(this.meta.target === undefined ? {} : { target: this.meta.target }),
      ...(this.dropped === 0 ? {} : { dropped: this.dropped }),
      entries: [...this.entries],
    };
  }

  private push(dir: TranscriptDirection, text: string): void {
    this.entries.push({ t: Date.now() - this.started, dir, text: this.redactor.text(text) });
    if (this.entries.length > this.maxEntries) {
      // Drop a tenth at once so a long session does not copy the array on every entry.
      const excess = this.entries.length - Math.floor(this.maxEntries * 0.9);
      this.entries = this.entries.slice(excess);
      this.dropped += excess;
    }
  }
}
