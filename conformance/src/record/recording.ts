/**
 * The on-disk form of a recorded conformance run, and how it is written and read.
 *
 * ```
 * <dir>/manifest.json                          adapter, port, protocol, date, device facts, kit version, allow, options
 * <dir>/<check id>/<case>/session-<n>.json     one file per connection, in the order they were opened
 * ```
 *
 * A session file holds the events of one connection (`in`: adapter → device, `out`: device → adapter), each with
 * a sequence number `seq` that is global to the check, so a replay can keep the order across connections (a lock
 * granted to a second connection only after the first released it). For `https-json` there is one session per
 * check (HTTP connections are reused or not at the client's whim and carry no meaning): `session-1.json`.
 *
 * Every value is redacted before it is written (see `redact.ts`). Files are validated with io-ts when read; a
 * problem names the file, the path in it and the reason.
 *
 * @packageDocumentation
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as t from 'io-ts';
import { DeviceFactsCodec, InputError, decodeOrThrow, struct, type DeviceFacts } from '@netloom/ports';

/** The protocols a run can be recorded and replayed at. */
export const RECORD_PROTOCOLS = ['ssh-cli', 'https-json', 'ovsdb'] as const;
/** A protocol a run can be recorded and replayed at. */
export type RecordProtocol = (typeof RECORD_PROTOCOLS)[number];

/** The protocol each adapter id the kit knows speaks (used when a target file names none). */
export const RECORD_PROTOCOL_BY_ADAPTER: Readonly<Record<string, RecordProtocol>> = {
  'huawei-ce': 'ssh-cli',
  'ruijie-rgos': 'ssh-cli',
  'arista-eos': 'https-json',
  'f5-bigip': 'https-json',
  'hw-vtep': 'ovsdb',
};

/** The case name of a check that runs one case. */
export const DEFAULT_CASE = 'default';

/** The format tags. */
export const MANIFEST_FORMAT = 'netloom.conformance-recording';
/** The format tag of a session file. */
export const SESSION_FORMAT = 'netloom.conformance-session';

const ProtocolCodec = t.keyof({ 'ssh-cli': null, 'https-json': null, ovsdb: null }, '"ssh-cli" | "https-json" | "ovsdb"');
const Count = t.refinement(t.number, (n) => Number.isInteger(n) && n >= 0, 'non-negative integer');

/** An inclusive range of numbers (`{ from: 100, to: 199 }`). */
export const RangeCodec = struct('range', { from: Count, to: Count });
/** An inclusive range of numbers. */
export type NumberRange = t.TypeOf<typeof RangeCodec>;

/** What a live run may touch: interfaces, VLANs and VNIs. */
export const AllowCodec = struct('allow', {}, { interfaces: t.readonlyArray(t.string), vlans: RangeCodec, vnis: RangeCodec });
/** What a live run may touch. */
export type Allow = t.TypeOf<typeof AllowCodec>;

/** io-ts codec of `manifest.json`. */
export const RecordingManifestCodec = struct('recording manifest', {
  format: t.literal(MANIFEST_FORMAT),
  version: t.literal(1),
  adapter: t.string,
  port: t.keyof({ fabric: null, vswitch: null, firewall: null, loadBalancer: null }),
  protocol: ProtocolCodec,
  targetKind: t.literal('live'),
  recordedAt: t.string,
  kitVersion: t.string,
  device: struct('device', { name: t.string }, { username: t.string, facts: DeviceFactsCodec }),
  options: t.unknown,
  allow: AllowCodec,
  samplesDigest: t.string,
}, { adapterPackage: t.string, adapterVersion: t.string, lacks: t.readonlyArray(t.string) });

/** What `manifest.json` holds. */
export interface RecordingManifest {
  readonly format: typeof MANIFEST_FORMAT;
  readonly version: 1;
  /** The adapter id (`huawei-ce`). */
  readonly adapter: string;
  readonly adapterPackage?: string;
  readonly adapterVersion?: string;
  readonly port: 'fabric' | 'vswitch' | 'firewall' | 'loadBalancer';
  readonly protocol: RecordProtocol;
  readonly targetKind: 'live';
  /** ISO 8601 time the recording started. */
  readonly recordedAt: string;
  /** The version of `@netloom/conformance` that recorded it. */
  readonly kitVersion: string;
  /** The device's inventory name, the user the adapter logged in as (not a secret) and its facts. */
  readonly device: { readonly name: string; readonly username?: string; readonly facts?: DeviceFacts };
  /** Capabilities the recorded device lacks although the adapter declares them. */
  readonly lacks?: readonly string[];
  /** The adapter options of the live run (redacted): a replay hands the adapter the same. */
  readonly options: unknown;
  /** The target file's `allow`: a replay remaps the samples the same way. */
  readonly allow: Allow;
  /** A digest of the samples the run used: a replay with other samples would diverge, and says so up front. */
  readonly samplesDigest: string;
}

const Direction = t.keyof({ in: null, out: null }, '"in" | "out"');

/** io-ts codec of one recorded event (the fields a type does not use are absent). */
export const RecordedEventCodec = struct(
  'recorded event',
  { seq: Count, dir: Direction, type: t.keyof({ shell: null, exec: null, data: null, stderr: null, eof: null, exit: null, close: null, request: null, response: null, message: null }) },
  {
    channel: Count,
    pty: struct('pty', {}, { term: t.string, cols: Count, rows: Count }),
    command: t.string,
    text: t.string,
    code: t.number,
    method: t.string,
    path: t.string,
    status: Count,
    headers: t.record(t.string, t.string),
    body: t.unknown,
    message: t.unknown,
  },
);

/** One recorded event. */
export type RecordedEvent = t.TypeOf<typeof RecordedEventCodec>;

/** io-ts codec of a session file. */
export const SessionRecordingCodec = struct('session recording', {
  format: t.literal(SESSION_FORMAT),
  version: t.literal(1),
  protocol: ProtocolCodec,
  check: t.string,
  case: t.string,
  session: Count,
  events: t.readonlyArray(RecordedEventCodec),
});

/** What a session file holds. */
export interface SessionRecording {
  readonly format: typeof SESSION_FORMAT;
  readonly version: 1;
  readonly protocol: RecordProtocol;
  readonly check: string;
  readonly case: string;
  /** 1-based, in the order the connections were opened. */
  readonly session: number;
  readonly events: readonly RecordedEvent[];
}

/** A check id as a folder name (ids are dotted words already; anything else becomes `-`). */
export function checkFolder(checkId: string): string {
  return checkId.replace(/[^A-Za-z0-9._-]/g, '-');
}

/** The folder of one check and case. */
export function caseDir(dir: string, checkId: string, caseName: string = DEFAULT_CASE): string {
  return path.join(dir, checkFolder(checkId), checkFolder(caseName));
}

/** The version of this kit (from its package.json). */
export function kitVersion(): string {
  try {
    const pkg = JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', 'package.json'), 'utf8')) as { version?: unknown };
    return typeof pkg.version === 'string' ? pkg.version : 'unknown';
  } catch {
    return 'unknown';
  }
}

function readJson(file: string, what: string): unknown {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? 'error';
    throw new InputError(`${what} ${file} cannot be read (${code})`, [{ path: file, reason: code === 'ENOENT' ? 'does not exist' : `cannot be read (${code})` }], { cause: e });
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new InputError(`${what} ${file} is not valid JSON: ${(e as Error).message}`, [{ path: file, reason: (e as Error).message }], { cause: e });
  }
}

/**
 * Reads and validates `<dir>/manifest.json`.
 * @throws InputError when it is missing (with how to record one) or does not decode (path and reason per problem).
 */
export function readManifest(dir: string): RecordingManifest {
  const file = path.join(dir, 'manifest.json');
  if (!fs.existsSync(file)) {
    throw new InputError(`no recording in ${dir} (no manifest.json): record one with --record against a live target`, [{ path: file, reason: 'does not exist' }]);
  }
  return decodeOrThrow(RecordingManifestCodec, readJson(file, 'recording manifest'), `recording manifest ${file}`) as RecordingManifest;
}

/** Writes `<dir>/manifest.json`. */
export function writeManifest(dir: string, manifest: RecordingManifest): void {
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`, 'utf8');
}

/** The session files of one check and case, in session order; undefined when the folder does not exist. */
export function listSessions(dir: string, checkId: string, caseName: string = DEFAULT_CASE): string[] | undefined {
  const folder = caseDir(dir, checkId, caseName);
  if (!fs.existsSync(folder)) return undefined;
  return fs
    .readdirSync(folder)
    .map((f) => /^session-(\d+)\.json$/.exec(f))
    .filter((m): m is RegExpExecArray => m !== null)
    .sort((a, b) => Number(a[1]) - Number(b[1]))
    .map((m) => path.join(folder, m[0]));
}

/** Reads and validates one session file. @throws InputError naming the file, path and reason. */
export function readSession(file: string): SessionRecording {
  return decodeOrThrow(SessionRecordingCodec, readJson(file, 'session recording'), `session recording ${file}`) as SessionRecording;
}

/** Writes one session file (one event per line, so diffs of committed recordings stay readable). */
export function writeSession(dir: string, recording: SessionRecording): string {
  const folder = caseDir(dir, recording.check, recording.case);
  fs.mkdirSync(folder, { recursive: true });
  const file = path.join(folder, `session-${recording.session}.json`);
  const { events, ...head } = recording;
  const body = events.map((e) => `    ${JSON.stringify(e)}`).join(',\n');
  fs.writeFileSync(file, `${JSON.stringify(head).slice(0, -1)},\n  "events": [\n${body}${events.length > 0 ? '\n' : ''}  ]\n}\n`, 'utf8');
  return file;
}

/** Removes the recordings of one check and case (a new recording replaces the old one whole). */
export function clearCase(dir: string, checkId: string, caseName: string = DEFAULT_CASE): void {
  fs.rmSync(caseDir(dir, checkId, caseName), { recursive: true, force: true });
}

/**
 * Collects the events of one check while it runs: one {@link SessionLog} per connection, one sequence across them.
 */
export class CheckRecording {
  #seq = 0;
  readonly #sessions: SessionLog[] = [];

  constructor(
    readonly protocol: RecordProtocol,
    readonly check: string,
    readonly caseName: string = DEFAULT_CASE,
  ) {}

  /** A new connection's log (numbered in the order connections open). */
  session(): SessionLog {
    const log = new SessionLog(this.#sessions.length + 1, { next: () => ++this.#seq, current: () => this.#seq });
    this.#sessions.push(log);
    return log;
  }

  /** Writes every session file under `dir` (replacing an earlier recording of this check and case). */
  write(dir: string): string[] {
    clearCase(dir, this.check, this.caseName);
    fs.mkdirSync(caseDir(dir, this.check, this.caseName), { recursive: true });
    return this.#sessions.map((s) =>
      writeSession(dir, { format: SESSION_FORMAT, version: 1, protocol: this.protocol, check: this.check, case: this.caseName, session: s.number, events: s.events }),
    );
  }
}

/** The events of one connection. Consecutive data of the same direction and channel are merged. */
export class SessionLog {
  readonly events: RecordedEvent[] = [];

  constructor(
    readonly number: number,
    private readonly counter: { next(): number; current(): number },
  ) {}

  /** Adds an event (already redacted). */
  add(event: Omit<RecordedEvent, 'seq'>): void {
    const last = this.events[this.events.length - 1];
    // Merge only when nothing happened anywhere in between: the global order stays exact.
    if (
      last !== undefined &&
      (event.type === 'data' || event.type === 'stderr') &&
      last.type === event.type &&
      last.dir === event.dir &&
      last.channel === event.channel &&
      last.seq === this.counter.current()
    ) {
      this.events[this.events.length - 1] = { ...last, text: `${last.text ?? ''}${event.text ?? ''}` };
      return;
    }
    this.events.push({ ...event, seq: this.counter.next() } as RecordedEvent);
  }
}
