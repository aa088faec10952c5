/**
 * The fabric port over the RGOS SSH CLI: one `CliSession` per netloom session. RGOS applies every configuration line
 * the moment it is typed (no candidate, no commit, no configuration lock), so the port's transaction is emulated:
 *
 * ```
 * apply:    show running-config                  (another writer's fresh lock marker? → LockedError, nothing written;
 *                                                  stale plan, foreign object in the way? → CommitError, nothing written)
 *           configure terminal, [no vrf definition <stale markers>], vrf definition netloom-lock-<expiry>-<token>,
 *             description netloom-lock until <time>, exit, end          (netloom's lock marker)
 *           show running-config                  (a second marker appeared meanwhile? → remove ours, LockedError)
 *           configure terminal, <the planned lines>, end
 *           show running-config                  (must hold exactly the planned result)
 * failure:  (reconnect,) end, show running-config, configure terminal, <inverse lines back to the state read before
 *           the lines>, end, show running-config (verify), no vrf definition <marker>; CommitError with the device's
 *           text — or, when the undo fails, saying exactly what is left
 * confirm:  show running-config (the marker must still be ours), write (saveOnConfirm), no vrf definition <marker>
 * rollback: the inverse lines (as on failure), verify, no vrf definition <marker>
 * close:    rolls an unconfirmed transaction back
 * ```
 *
 * The inverse lines are computed, not recorded: after a failure the adapter reads the running configuration again and
 * diffs what netloom manages now against what it managed before the apply (`diffStates`), which undoes exactly what
 * took effect — including a line whose reply was lost with the connection.
 *
 * @packageDocumentation
 */
import { randomBytes } from 'node:crypto';
import {
  CliSession,
  HOST_KEY_REJECTED,
  isCliRejection,
  type CliRunOptions,
  type CliRunResult,
  type CliTranscript,
  type HostKeyPolicy,
} from '@netloom/cli-session';
import {
  AccessBindingCodec,
  CommitError,
  DeviceAuthError,
  DeviceConnectionError,
  DeviceTimeoutError,
  ExhaustedError,
  FABRIC_KIND_ORDER,
  FabricConfigCodec,
  InputError,
  InterconnectCodec,
  FloodVtepCodec,
  L2SegmentCodec,
  LockedError,
  NotSupportedError,
  VrfCodec,
  applyChanges,
  assertCapabilities,
  capabilitiesForChanges,
  configEquals,
  decodeOrThrow,
  diffConfig,
  fabricCapabilitiesUsed,
  fabricVocabulary,
  isNetloomError,
  isSafeName,
  redact,
  type ApplyOptions,
  type Change,
  type ChangeSet,
  type ConnectOptions,
  type DeviceFacts,
  type DeviceTarget,
  type FabricConfig,
  type FabricDriver,
  type FabricSession,
  type InputProblem,
  type Logger,
  type NetloomError,
  type ObserveResult,
  type PlanOptions,
  type PortCapabilities,
  type PortFactoryOptions,
  type RenderedOperation,
  type Transaction,
  type TransactionOptions,
  type Vrf,
} from '@netloom/ports';
import type * as t from 'io-ts';
import { CONFIG, LOCK, PARSE, PROMPT, SESSION, line, ruijieRgosDialect, shown } from './ruijie-rgos.commands';
import { resolveOptions, type RenderSettings, type ResolvedOptions } from './ruijie-rgos.options';
import { parseRunningConfig, parseVersion, readDevice, type DeviceView, type ExtraOwned, type LockMarker, type RgosState } from './ruijie-rgos.parse';
import { assertSupported, conflicts, createdBlocks, deviceProblems, diffStates, isRenderableLine, renderConfig, stateDifferences } from './ruijie-rgos.render';

/**
 * What the adapter supports. `confirmedCommit` is false: RGOS has no commit that reverts by itself; netloom rolls
 * back itself (on failure, `rollback`, or `close` before `confirm`).
 */
export const RUIJIE_RGOS_SUPPORTS = {
  fabric: { l2Segment: true, vrf: true, anycastGateway: true, accessBinding: true, interconnect: false, confirmedCommit: false },
} as const satisfies { readonly fabric: PortCapabilities<'fabric'> };

/** Backoff before the second reconnect attempt, doubled after each failure. */
const RECONNECT_DELAY_MS = 250;

/** Added to a transaction's confirm window for the apply itself: the lock marker lives that much longer. */
export const LOCK_GRACE_SECONDS = 60;

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Read through a function so the check after an await is not narrowed away by the one before it. */
const isAborted = (signal: AbortSignal | undefined): boolean => signal?.aborted === true;

const messageOf = (e: unknown): string => (e instanceof Error ? e.message : String(e));

/** Empty route-target lists mean the same as absent ones (the device shows no line for either). */
export function normalizeFabric(config: FabricConfig): FabricConfig {
  const vrf: Record<string, Vrf> = {};
  for (const [k, v] of Object.entries(config.vrf)) {
    const { importRouteTargets, exportRouteTargets, ...rest } = v;
    vrf[k] = {
      ...rest,
      ...(importRouteTargets !== undefined && importRouteTargets.length > 0 ? { importRouteTargets } : {}),
      ...(exportRouteTargets !== undefined && exportRouteTargets.length > 0 ? { exportRouteTargets } : {}),
    };
  }
  return { ...config, vrf };
}

function redactValue(v: unknown, secrets: readonly string[]): unknown {
  if (typeof v === 'string') return redact(v, secrets);
  if (Array.isArray(v)) return v.map((x) => redactValue(x, secrets));
  if (v !== null && typeof v === 'object' && Object.getPrototypeOf(v) === Object.prototype) {
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, redactValue(x, secrets)]));
  }
  return v;
}

/**
 * A logger that replaces `secrets` in every string it is given (fields, nested plain objects and arrays, the message)
 * with `***`: a second line of defence for text that came from the device (a prompt can hold anything).
 *
 * @example redactingLogger(logger, [password]).info({ view: 'x' }, 'ready')
 */
export function redactingLogger(logger: Logger, secrets: readonly string[]): Logger {
  const list = secrets.filter((x) => x.length > 0);
  if (list.length === 0) return logger;
  const wrap = (inner: Logger): Logger => {
    const level =
      (f: (obj: object, msg?: string) => void) =>
      (obj: object, msg?: string): void =>
        f.call(inner, redactValue(obj, list) as object, msg === undefined ? undefined : redact(msg, list));
    return { debug: level(inner.debug), info: level(inner.info), warn: level(inner.warn), error: level(inner.error), child: (b) => wrap(inner.child(redactValue(b, list) as Record<string, unknown>)) };
  };
  return wrap(logger);
}

function differences(expected: FabricConfig, actual: FabricConfig, limit = 4): string {
  const changes = diffConfig({ desired: expected, observed: actual, order: FABRIC_KIND_ORDER });
  const parts = changes.map((c) => (c.op === 'create' ? `missing ${c.kind} ${c.key}` : c.op === 'delete' ? `unexpected ${c.kind} ${c.key}` : `different ${c.kind} ${c.key}`));
  return parts.slice(0, limit).join(', ') + (parts.length > limit ? ` and ${parts.length - limit} more` : '');
}

const iso = (ms: number): string => new Date(ms).toISOString();

// ---------------------------------------------------------------------------------------------------------------
// Target and connection

/** How to reach one device, resolved from the target and the options. */
interface Connection {
  readonly host: string;
  readonly port: number;
  readonly username: string;
  readonly password?: string;
  readonly privateKey?: string;
  /** The enable password (`credentials.token`), when `enable` asks for one. */
  readonly enablePassword?: string;
  readonly hostKey: HostKeyPolicy;
}

function connectionOf(target: DeviceTarget, options: ResolvedOptions): Connection {
  const problems: InputProblem[] = [];
  const host = target.address;
  if (host === undefined || host.trim() === '') problems.push({ path: 'target.address', reason: 'required: the switch address' });
  const username = target.credentials?.username;
  if (username === undefined || username === '') problems.push({ path: 'target.credentials.username', reason: 'required' });
  const password = target.credentials?.password;
  const privateKey = target.credentials?.privateKey;
  const enablePassword = target.credentials?.token;
  if ((password === undefined || password === '') && (privateKey === undefined || privateKey === '')) {
    problems.push({ path: 'target.credentials', reason: 'a password or a private key is required' });
  }
  let hostKey: HostKeyPolicy | undefined;
  const hk = target.hostKey;
  if (hk?.verify === false) hostKey = { insecureAcceptAny: true };
  else if (hk?.fingerprint !== undefined) hostKey = { fingerprintSha256: hk.fingerprint };
  else if (hk?.knownHostsFile !== undefined) hostKey = { knownHostsFile: hk.knownHostsFile };
  else problems.push({ path: 'target.hostKey', reason: 'the SSH host key must be verified: give hostKey.fingerprint (SHA256:...) or hostKey.knownHostsFile, or set hostKey.verify: false' });
  if (problems.length > 0 || host === undefined || username === undefined || hostKey === undefined) throw InputError.fromProblems(`Ruijie RGOS device ${target.name}`, problems);
  return {
    host,
    port: options.port ?? target.port ?? 22,
    username,
    hostKey,
    ...(password === undefined || password === '' ? {} : { password }),
    ...(privateKey === undefined || privateKey === '' ? {} : { privateKey }),
    ...(enablePassword === undefined || enablePassword === '' ? {} : { enablePassword }),
  };
}

/** The host name in a prompt (`Leaf1(config)#` → `Leaf1`). */
export function hostOfPrompt(prompt: string): string {
  return PROMPT.exec(prompt)?.groups?.['host'] ?? '';
}

/** The prompt's level: `>` user EXEC, `#` privileged (also in configuration modes), undefined for another text. */
function levelOf(prompt: string): { readonly level: string; readonly config: boolean } | undefined {
  const g = PROMPT.exec(prompt)?.groups;
  return g?.['level'] === undefined ? undefined : { level: g['level'], config: g['mode'] !== undefined };
}

// ---------------------------------------------------------------------------------------------------------------
// Driver

/**
 * Where a session gets the time and the lock marker's random token. Tests and replays pass fixed ones, so that an
 * apply types the same marker line as the recording it replays; production uses the defaults.
 *
 * @example new RuijieRgosFabricDriver(opts, { now: () => Date.parse('2030-01-01T00:00:00Z'), token: () => 'c0ffee00' })
 */
export interface RuijieRgosSeams {
  /** Milliseconds since the epoch (default `Date.now`). */
  readonly now?: () => number;
  /** Eight lower-case hex digits (default: random). */
  readonly token?: () => string;
}

interface Seams {
  readonly now: () => number;
  readonly token: () => string;
}

/**
 * The fabric driver for one RGOS leaf: validates the target and options at construction, opens one SSH CLI session
 * per `connect()`.
 *
 * @example
 * const driver = new RuijieRgosFabricDriver({ target: { name: 'leaf1', address: '10.0.0.1',
 *   credentials: { username: 'netloom', password }, hostKey: { verify: true, fingerprint: 'SHA256:...' } },
 *   options: { lockSeconds: 600 }, logger });
 * const session = await driver.connect();
 */
export class RuijieRgosFabricDriver implements FabricDriver {
  readonly port = 'fabric' as const;
  /** What this device offers. */
  readonly capabilities: PortCapabilities<'fabric'> = RUIJIE_RGOS_SUPPORTS.fabric;
  /** The options with defaults applied. */
  readonly options: ResolvedOptions;
  /** The inventory name of the switch. */
  readonly name: string;
  private readonly connection: Connection;
  private readonly logger: Logger;
  private readonly seams: Seams;

  /** @throws InputError for a bad target (no address, credentials or host key policy) or bad options */
  constructor(opts: PortFactoryOptions, seams: RuijieRgosSeams = {}) {
    this.seams = { now: seams.now ?? Date.now, token: seams.token ?? ((): string => randomBytes(4).toString('hex')) };
    const name = opts.target.name;
    if (!isSafeName(name)) throw new InputError(`Ruijie RGOS device: target name ${JSON.stringify(name)} is not a safe name`, [{ path: 'target.name', reason: 'not a safe name' }]);
    this.name = name;
    this.options = resolveOptions(opts.options, name);
    this.connection = connectionOf(opts.target, this.options);
    const secrets = [this.connection.password ?? '', this.connection.privateKey ?? '', this.connection.enablePassword ?? ''];
    this.logger = redactingLogger(opts.logger, secrets).child({ adapter: 'ruijie-rgos', port: 'fabric', device: name });
  }

  /**
   * Opens an SSH CLI session: host key verified before the password is sent, `enable`, paging off. The session must
   * end up in privileged EXEC (`#`).
   *
   * @throws DeviceConnectionError (unreachable, host key not trusted), DeviceAuthError (credentials refused, or
   *   `enable` did not reach privileged EXEC), DeviceTimeoutError
   */
  async connect(opts: ConnectOptions = {}): Promise<RuijieRgosFabricSession> {
    if (isAborted(opts.signal)) throw new DeviceConnectionError(`connect to ${this.name} aborted`);
    const c = this.connection;
    const connectMs = opts.timeoutMs ?? this.options.connectTimeoutMs;
    const cli = await CliSession.open({
      host: c.host,
      port: c.port,
      username: c.username,
      ...(c.password === undefined ? {} : { password: c.password }),
      ...(c.privateKey === undefined ? {} : { privateKey: c.privateKey }),
      ...(c.enablePassword === undefined ? {} : { secrets: [c.enablePassword] }),
      hostKey: c.hostKey,
      dialect: ruijieRgosDialect(c.enablePassword === undefined ? {} : { enablePassword: c.enablePassword }),
      timeouts: { connectMs, loginMs: connectMs, commandMs: this.options.commandTimeoutMs },
      reconnect: { auto: false },
      logger: this.logger,
    });
    try {
      if (isAborted(opts.signal)) throw new DeviceConnectionError(`connect to ${this.name} aborted`);
      assertPrivileged(cli, this.name, c.username);
    } catch (e) {
      await cli.close();
      throw e;
    }
    this.logger.debug({ host: c.host, port: c.port }, 'connected');
    return this.attach(cli);
  }

  /**
   * A session over a CLI session opened elsewhere, typically a replay of a recorded transcript: the same adapter
   * code then runs against the recording, deterministically, without a device.
   *
   * @example
   * const recorded = transcriptFromJson(await readFile('fixtures/leaf1/apply.json', 'utf8'));
   * const session = driver.attach(await openReplaySession(recorded, rgosDialect));
   * await session.observe(); // what the recording answered
   */
  attach(cli: CliSession): RuijieRgosFabricSession {
    return new RuijieRgosFabricSession(this.name, this.connection.username, cli, this.options, this.capabilities, this.logger, this.seams);
  }
}

/** Throws `DeviceAuthError` unless the CLI session is in privileged EXEC (`enable` worked). */
function assertPrivileged(cli: CliSession, device: string, username: string): void {
  const l = levelOf(cli.prompt);
  if (l?.level !== '#') {
    throw new DeviceAuthError(
      `${device}: user ${JSON.stringify(username)} is not in privileged EXEC after "enable" (prompt ${JSON.stringify(cli.prompt)}); give the enable password as credentials.token, or use a user that may enable without one`,
      { details: { device, username } },
    );
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Session

/** The transaction this session holds (applied, not yet confirmed or rolled back). */
interface Pending {
  readonly tx: Transaction;
  /** The lock marker VRF's name. */
  readonly marker: string;
  readonly expiresAt: number;
  /** What netloom managed on the device before the apply (the rollback target). */
  readonly before: RgosState;
  /** Blocks the apply created (counted as netloom's by the undo even if unmarked). */
  readonly extra: ExtraOwned;
  /** The owned fabric objects after the transaction. */
  readonly after: FabricConfig;
}

/** What happened so far inside one apply (to know how to undo it). */
interface ApplyProgress {
  /** The lock marker typed (or being typed). */
  marker?: LockMarker;
  /** Set when the planned lines started to be typed. */
  typing?: { readonly lines: readonly string[]; readonly before: RgosState; readonly extra: ExtraOwned };
}

/** A prepared apply: the configs and states before and after, and the lines between them. */
interface Prepared {
  readonly before: FabricConfig;
  readonly after: FabricConfig;
  readonly beforeState: RgosState;
  readonly target: RgosState;
  readonly lines: readonly string[];
}

const KIND_CODECS: Readonly<Record<string, t.Mixed>> = { vrf: VrfCodec, segment: L2SegmentCodec, binding: AccessBindingCodec, interconnect: InterconnectCodec, floodVtep: FloodVtepCodec };

/**
 * One session with one RGOS leaf: the shared device lifecycle (`facts`, `observe`, `plan`, `apply`, `confirm`,
 * `rollback`, `close`) over one SSH CLI session, plus {@link RuijieRgosFabricSession.transcript}. Calls are
 * serialised.
 */
export class RuijieRgosFabricSession implements FabricSession {
  private closed = false;
  private queue: Promise<unknown> = Promise.resolve();
  private pending: Pending | undefined;
  /** Markers this session had to leave behind (a failed undo): its own next apply removes them. */
  private readonly abandoned = new Set<string>();
  private sequence = 0;
  private readonly render: RenderSettings;

  /** @internal Made by {@link RuijieRgosFabricDriver.connect}. */
  constructor(
    readonly name: string,
    private readonly username: string,
    private readonly cli: CliSession,
    private readonly options: ResolvedOptions,
    private readonly capabilities: PortCapabilities<'fabric'>,
    private readonly logger: Logger,
    private readonly seams: Seams,
  ) {
    this.render = options.render;
  }

  /**
   * The redacted record of everything sent to and received from the switch in this session (passwords and other
   * secrets are `***`). Serialise it with `transcriptToJson` from `@netloom/cli-session`; replay it with
   * `openReplaySession`.
   */
  transcript(): CliTranscript {
    return this.cli.transcript();
  }

  /** Vendor, model, software version, serial, host name (`show version` and the prompt). @throws DeviceProtocolError */
  async facts(): Promise<DeviceFacts> {
    return this.serial(() =>
      this.read(async () => {
        await this.toExec();
        const r = await this.run(SESSION.showVersion);
        return parseVersion(r.output, hostOfPrompt(r.prompt), `${SESSION.showVersion} of ${this.name}`);
      }),
    );
  }

  /** The objects netloom owns, from `show running-config` (see `readDevice`). @throws DeviceProtocolError */
  async observe(): Promise<ObserveResult<FabricConfig>> {
    return this.serial(() => this.read(async () => ({ config: (await this.readRunning()).config, observedAt: new Date().toISOString() })));
  }

  /**
   * The changes from `observed` (observed now when absent) to `desired`, and their exact RGOS lines for the device as
   * it is now (the leaf VLANs depend on it, so the running configuration is read). Writes nothing.
   *
   * @throws InputError (invalid config, RGOS limits), NotSupportedError (interconnects, two IPv4 gateway addresses,
   *   bindings that need VLAN translation), ExhaustedError (no free leaf VLAN)
   */
  async plan(opts: PlanOptions<FabricConfig>): Promise<ChangeSet> {
    this.ensureOpen();
    const desired = normalizeFabric(decodeOrThrow(FabricConfigCodec, opts.desired, `desired fabric config of ${this.name}`));
    const problems = deviceProblems(desired, this.render);
    if (problems.length > 0) throw InputError.fromProblems(`desired fabric config of ${this.name} (RGOS limits)`, problems);
    assertCapabilities('fabric', this.name, fabricCapabilitiesUsed(desired), this.capabilities);
    assertSupported(desired, this.name);
    const given = opts.observed === undefined ? undefined : normalizeFabric(decodeOrThrow(FabricConfigCodec, opts.observed, `observed fabric config of ${this.name}`));
    const view = await this.serial(() => this.read(() => this.readRunning()));
    const observed = given ?? normalizeFabric(view.config);
    const changes = diffConfig({ desired, observed, order: FABRIC_KIND_ORDER });
    assertCapabilities('fabric', this.name, capabilitiesForChanges(fabricVocabulary, changes), this.capabilities);
    const lines = changes.length === 0 ? [] : renderConfig(view, desired, this.render).lines;
    return { device: this.name, port: 'fabric', changes, operations: lines.map((text) => ({ medium: 'cli', text })) };
  }

  /**
   * Applies a change set as one emulated transaction (see the module documentation): netloom's lock marker, the
   * planned lines, a read-back. On a refused line or a lost connection the lines that took effect are undone.
   *
   * @throws CommitError (with the device's text; the device is back at the configuration before the apply, or the
   *   message says what is left), LockedError (another writer's lock marker; this session's unconfirmed
   *   transaction), InputError (another device's or a tampered change set), NotSupportedError
   */
  async apply(opts: ApplyOptions): Promise<Transaction> {
    return this.serial(() => this.applyNow(opts));
  }

  /** Saves running (`write`, unless `saveOnConfirm: false`) and removes the lock marker. Idempotent. @throws CommitError */
  async confirm(opts: TransactionOptions): Promise<void> {
    return this.serial(() => this.confirmNow(opts.transaction));
  }

  /** Types the inverse lines, verifies, removes the lock marker. Idempotent. @throws CommitError (naming what is left) */
  async rollback(opts: TransactionOptions): Promise<void> {
    return this.serial(() => this.rollbackNow(opts.transaction));
  }

  /** Rolls back an unconfirmed transaction (best effort), then logs out. Idempotent. */
  async close(): Promise<void> {
    if (this.closed) return;
    await this.serial(async () => {
      if (this.closed) return;
      const pending = this.pending;
      if (pending !== undefined) {
        try {
          await this.undoPending(pending, 'the session closed before confirming');
        } catch (e) {
          this.logger.warn({ transaction: pending.tx.id, err: messageOf(e) }, 'close: rolling back the unconfirmed transaction failed');
        }
      }
      this.closed = true;
      await this.cli.close();
    });
  }

  // -------------------------------------------------------------------------------------------------------------
  // Plumbing

  private serial<T>(job: () => Promise<T>): Promise<T> {
    const run = this.queue.then(job);
    this.queue = run.then(
      () => undefined,
      () => undefined,
    );
    return run;
  }

  private ensureOpen(): void {
    if (this.closed) throw new DeviceConnectionError(`session to ${this.name} is closed`);
  }

  /** The CLI session, re-opened with backoff when the connection was lost (and back in privileged EXEC). */
  private async usable(): Promise<CliSession> {
    this.ensureOpen();
    if (this.cli.state === 'open') return this.cli;
    let delay = RECONNECT_DELAY_MS;
    let last: unknown = new DeviceConnectionError(`the CLI session to ${this.name} was lost and reconnectAttempts is 0`);
    for (let attempt = 1; attempt <= this.options.reconnectAttempts; attempt++) {
      try {
        await this.cli.reconnect();
        assertPrivileged(this.cli, this.name, this.username);
        this.logger.info({ attempt }, 'reconnected');
        return this.cli;
      } catch (e) {
        last = e;
        if (e instanceof DeviceAuthError || e instanceof InputError || (isNetloomError(e) && e.details['reason'] === HOST_KEY_REJECTED)) break;
        if (attempt < this.options.reconnectAttempts) await sleep(delay);
        delay *= 2;
      }
    }
    throw isNetloomError(last) ? last : new DeviceConnectionError(`reconnect to ${this.name} failed`, { cause: last });
  }

  private async run(command: string, options?: CliRunOptions): Promise<CliRunResult> {
    return (await this.usable()).run(command, options);
  }

  /** A read that is retried once on a fresh connection when the connection was lost under it. */
  private async read<T>(job: () => Promise<T>): Promise<T> {
    // A session that was already lost has just been through the reconnect attempts: no second round.
    const wasOpen = this.cli.state === 'open';
    try {
      return await job();
    } catch (e) {
      if (!(e instanceof DeviceConnectionError || e instanceof DeviceTimeoutError) || !wasOpen || this.closed || this.options.reconnectAttempts === 0) throw e;
      this.logger.warn({ err: e.message }, 'connection lost during a read; retrying once');
      return job();
    }
  }

  /** Back to privileged EXEC if the session is in a configuration mode. */
  private async toExec(): Promise<void> {
    await this.usable();
    if (levelOf(this.cli.prompt)?.config === true) await this.run(SESSION.end);
  }

  private async readRunning(extra?: ExtraOwned): Promise<DeviceView> {
    await this.toExec();
    const r = await this.run(SESSION.showRunning);
    const subject = `${SESSION.showRunning} of ${this.name}`;
    const view = readDevice(parseRunningConfig(r.output, subject), subject, extra);
    for (const w of view.warnings) this.logger.warn({ warning: w }, 'ignored a malformed netloom object');
    return view;
  }

  /**
   * Types `lines` in `configure terminal` and returns to privileged EXEC. Stops at the first refused line. Once in
   * configuration mode it never reconnects by itself: a connection lost on the way is an error (the caller undoes),
   * not a new session that would type configuration lines in EXEC mode.
   */
  private async typeConfig(lines: readonly string[]): Promise<void> {
    if (lines.length === 0) return;
    await this.toExec();
    const cli = await this.usable();
    await cli.run(SESSION.configure);
    await cli.runAll(lines);
    await cli.run(SESSION.end);
  }

  /** Runs `job` and ignores its failure (clean-up steps whose failure must not hide the original error). */
  private async bestEffort(what: string, job: () => Promise<unknown>): Promise<boolean> {
    try {
      await job();
      return true;
    } catch (e) {
      this.logger.warn({ step: what, err: messageOf(e) }, 'clean-up step failed');
      return false;
    }
  }

  // -------------------------------------------------------------------------------------------------------------
  // The lock marker

  /** LockedError when another writer's marker is fresh. */
  private refuseIfLocked(view: DeviceView, own?: string): void {
    const now = this.seams.now();
    const held = view.markers.filter((m) => m.name !== own && !this.abandoned.has(m.name) && m.expiresAt > now);
    if (held.length === 0) return;
    const m = held[0]!;
    throw new LockedError(
      `${this.name}: another netloom writer holds the device (lock marker "${shown(CONFIG.vrf, { name: m.name })}", until ${iso(m.expiresAt)}); try again after it confirms or rolls back, or after the marker expires`,
      { details: { device: this.name, marker: m.name, until: iso(m.expiresAt) } },
    );
  }

  /** Types netloom's lock marker (removing stale ones on the way). */
  private async takeLock(view: DeviceView, ttlSeconds: number, progress: ApplyProgress): Promise<LockMarker> {
    const expiresAt = (Math.ceil(this.seams.now() / 1000) + ttlSeconds) * 1000;
    const token = this.seams.token();
    if (!/^[0-9a-f]{8}$/.test(token)) throw new InputError(`lock token ${JSON.stringify(token)} is not eight lower-case hex digits`);
    const marker: LockMarker = { name: LOCK.name((expiresAt / 1000).toString(36), token), token, expiresAt };
    const stale = view.markers.filter((m) => m.expiresAt <= this.seams.now() || this.abandoned.has(m.name));
    for (const m of stale) this.logger.info({ marker: m.name, expiredAt: iso(m.expiresAt) }, 'removing a stale lock marker');
    for (const m of stale) this.abandoned.delete(m.name);
    progress.marker = marker;
    await this.typeConfig([
      ...stale.map((m) => line(CONFIG.noVrf, { name: m.name })),
      line(CONFIG.vrf, { name: marker.name }),
      line(CONFIG.lockDescription, { until: iso(expiresAt) }),
      SESSION.exit,
    ]);
    return marker;
  }

  private async releaseLock(name: string): Promise<void> {
    await this.typeConfig([line(CONFIG.noVrf, { name })]);
  }

  // -------------------------------------------------------------------------------------------------------------
  // apply

  private decodeChanges(changes: readonly Change[]): Change[] {
    const problems: InputProblem[] = [];
    const out: Change[] = [];
    changes.forEach((c, i) => {
      const codec = KIND_CODECS[c.kind];
      if (codec === undefined) {
        problems.push({ path: `changes[${i}].kind`, reason: `${JSON.stringify(c.kind)} is not a fabric kind` });
        return;
      }
      const decode = (o: unknown, field: string): unknown => {
        if (o === undefined) return undefined;
        const r = codec.decode(o);
        if (r._tag === 'Left') {
          problems.push({ path: `changes[${i}].${field}`, reason: `does not validate as a ${c.kind}` });
          return undefined;
        }
        return r.right;
      };
      const before = decode(c.before, 'before');
      const after = decode(c.after, 'after');
      out.push({ op: c.op, kind: c.kind, key: c.key, ...(before === undefined ? {} : { before: before as Change['before'] }), ...(after === undefined ? {} : { after: after as Change['after'] }) });
    });
    if (problems.length > 0) throw InputError.fromProblems(`change set for ${this.name}`, problems);
    return out;
  }

  /**
   * Checks a change set against the device as read: it must still fit (stale plan → CommitError), the result must be
   * a config the device can hold, nothing foreign may be in the way, and the planned operations must be exactly what
   * this adapter renders for the device now. Writes nothing.
   */
  private prepare(view: DeviceView, changes: readonly Change[], operations: readonly RenderedOperation[]): Prepared {
    const before = normalizeFabric(view.config);
    let after: FabricConfig;
    try {
      after = normalizeFabric(applyChanges(before, changes));
    } catch (e) {
      throw new CommitError(`${this.name}: the change set no longer fits the device (${messageOf(e)}); nothing was written. Observe and plan again.`, {
        cause: e,
        details: { device: this.name, written: 0 },
      });
    }
    after = normalizeFabric(decodeOrThrow(FabricConfigCodec, after, `fabric config of ${this.name} after the change set`));
    const problems = deviceProblems(after, this.render);
    if (problems.length > 0) throw InputError.fromProblems(`fabric config of ${this.name} after the change set (RGOS limits)`, problems);
    assertSupported(after, this.name);
    const rendered = renderConfig(view, after, this.render);
    const blocking = conflicts(view, rendered.target);
    if (blocking.length > 0) {
      throw new CommitError(`${this.name}: the change set cannot be applied: ${blocking.join('; ')}; nothing was written`, { details: { device: this.name, conflicts: blocking, written: 0 } });
    }
    const planned = operations.map((o) => o.text);
    const at = rendered.lines.findIndex((l, i) => planned[i] !== l);
    if (at >= 0 || planned.length !== rendered.lines.length) {
      const where = at >= 0 ? at : Math.min(planned.length, rendered.lines.length);
      throw new CommitError(
        `${this.name}: the device changed since the plan: at operation ${where + 1} the plan says ${JSON.stringify(planned[where] ?? '(end)')} but the device now needs ${JSON.stringify(rendered.lines[where] ?? '(end)')}; nothing was written. Observe and plan again.`,
        { details: { device: this.name, written: 0 } },
      );
    }
    return { before, after, beforeState: view.state, target: rendered.target, lines: rendered.lines };
  }

  private async applyNow(opts: ApplyOptions): Promise<Transaction> {
    this.ensureOpen();
    const { changeSet } = opts;
    if (changeSet.device !== this.name || changeSet.port !== 'fabric') {
      throw new InputError(`change set for ${changeSet.port} device ${JSON.stringify(changeSet.device)} applied to fabric device ${JSON.stringify(this.name)}`);
    }
    if (opts.confirmWithinSec !== undefined && !(Number.isFinite(opts.confirmWithinSec) && opts.confirmWithinSec > 0)) {
      throw new InputError(`confirmWithinSec must be a positive number of seconds, got ${String(opts.confirmWithinSec)}`);
    }
    if (changeSet.changes.length === 0) {
      return { id: `${this.name}-unchanged-${++this.sequence}`, device: this.name, changeSet, state: 'confirmed' };
    }
    if (this.pending !== undefined) {
      throw new LockedError(`${this.name}: transaction ${this.pending.tx.id} of this session is not confirmed yet; confirm or roll it back first`, {
        details: { device: this.name, transaction: this.pending.tx.id },
      });
    }
    const changes = this.decodeChanges(changeSet.changes);
    assertCapabilities('fabric', this.name, capabilitiesForChanges(fabricVocabulary, changes), this.capabilities);
    const foreignOps = changeSet.operations.map((o, i) => ({ o, i })).filter(({ o }) => o.medium !== 'cli' || !isRenderableLine(o.text));
    if (foreignOps.length > 0) {
      throw InputError.fromProblems(
        `change set for ${this.name}: operations this adapter never renders (plan again with this adapter)`,
        foreignOps.map(({ o, i }) => ({ path: `operations[${i}]`, reason: `${JSON.stringify(o.text)} (${o.medium}) is not a line of the RGOS command table` })),
      );
    }
    const ttl = Math.ceil(opts.confirmWithinSec ?? this.options.lockSeconds) + LOCK_GRACE_SECONDS;

    const progress: ApplyProgress = {};
    try {
      const first = await this.readRunning();
      this.refuseIfLocked(first);
      this.prepare(first, changes, changeSet.operations);
      const marker = await this.takeLock(first, ttl, progress);
      const view = await this.readRunning();
      this.refuseIfLocked(view, marker.name);
      if (!view.markers.some((m) => m.name === marker.name)) throw new CommitError(`${this.name}: the lock marker ${marker.name} did not appear in the running configuration`);
      const prepared = this.prepare(view, changes, changeSet.operations);
      const extra = createdBlocks(prepared.beforeState, prepared.target);
      progress.typing = { lines: prepared.lines, before: prepared.beforeState, extra };
      await this.typeConfig(prepared.lines);
      const now = await this.readRunning(extra);
      const left = stateDifferences(now.state, prepared.target);
      if (left.length > 0 || !configEquals(normalizeFabric(now.config), prepared.after)) {
        throw new CommitError(`${this.name}: after typing the planned lines the device does not hold the planned result (${left.length > 0 ? left.join('; ') : differences(prepared.after, normalizeFabric(now.config))})`, {
          details: { device: this.name, left },
        });
      }
      const tx: Transaction = { id: marker.name, device: this.name, changeSet, state: 'applied' };
      this.pending = { tx, marker: marker.name, expiresAt: marker.expiresAt, before: prepared.beforeState, extra, after: prepared.after };
      this.logger.info({ transaction: tx.id, lines: prepared.lines.length, lockUntil: iso(marker.expiresAt) }, 'applied');
      return tx;
    } catch (e) {
      throw await this.failApply(e, progress);
    }
  }

  /** Undoes what a failed apply wrote (marker, lines); returns the error to throw. */
  private async failApply(e: unknown, p: ApplyProgress): Promise<NetloomError> {
    const reason = messageOf(e);
    // Errors that already say what happened (and that nothing was written) pass through unchanged.
    const telling = e instanceof LockedError || e instanceof InputError || e instanceof NotSupportedError || e instanceof ExhaustedError || (e instanceof CommitError && !isCliRejection(e));
    if (p.marker === undefined) {
      return telling ? (e as NetloomError) : new CommitError(`${this.name}: apply failed: ${reason}; nothing was written`, { cause: e, details: { device: this.name } });
    }
    const marker = p.marker;
    const lockLeft = `netloom's lock marker "${shown(CONFIG.vrf, { name: marker.name })}" may remain until ${iso(marker.expiresAt)}`;
    if (p.typing === undefined) {
      // Only the marker (or part of it) was written: take it away again.
      const removed = await this.bestEffort('remove the lock marker', async () => {
        const view = await this.readRunning();
        if (view.markers.some((m) => m.name === marker.name)) await this.releaseLock(marker.name);
      });
      if (!removed) return new CommitError(`${this.name}: apply failed before any configuration line: ${reason}; ${lockLeft}`, { cause: e, details: { device: this.name } });
      if (telling) return e as NetloomError;
      return new CommitError(`${this.name}: apply failed before any configuration line: ${reason}; the lock marker was taken away again, nothing else was written`, {
        cause: e,
        details: { device: this.name },
      });
    }
    const { lines, before, extra } = p.typing;
    const index = isNetloomError(e) && typeof e.details['lineIndex'] === 'number' ? e.details['lineIndex'] : undefined;
    const what = isCliRejection(e)
      ? `${this.name} refused ${JSON.stringify(e.command)}${index === undefined ? '' : ` (line ${index + 1} of ${lines.length})`}: ${e.deviceMessage}`
      : index !== undefined
        ? `${this.name}: ${reason} at line ${index + 1} of ${lines.length} (${JSON.stringify(lines[index])})`
        : `${this.name}: apply failed: ${reason}`;
    const deviceText = isCliRejection(e) ? { command: e.command, deviceMessage: e.deviceMessage } : {};
    const mayHave = index === undefined ? `any of the ${lines.length} planned lines` : `lines 1..${index + 1} of ${lines.length} (up to ${JSON.stringify(lines[index])})`;
    let undone: string[];
    try {
      undone = await this.restore(before, extra);
    } catch (u) {
      const left = await this.whatIsLeft(before, extra);
      this.abandoned.add(marker.name);
      return new CommitError(
        `${what}; undoing it failed (${messageOf(u)}). ${left === undefined ? `The device may hold ${mayHave}` : left.length === 0 ? 'The device nevertheless holds the configuration before the apply' : `Left on the device: ${left.join('; ')}`}; ${lockLeft}`,
        { cause: e, details: { device: this.name, ...deviceText, ...(left === undefined ? { mayHaveTakenEffect: mayHave } : { left }), undoError: messageOf(u), marker: marker.name } },
      );
    }
    const unlocked = await this.bestEffort('remove the lock marker', () => this.releaseLock(marker.name));
    return new CommitError(
      `${what}; the ${undone.length} inverse line(s) undid what had taken effect: the device is back at the configuration before the apply${unlocked ? '' : `; ${lockLeft}`}`,
      { cause: e, details: { device: this.name, ...deviceText, ...(index === undefined ? {} : { lineIndex: index }), undone } },
    );
  }

  /**
   * Brings what netloom manages back to `target` with the inverse lines (computed from the device as it is now) and
   * verifies it. Returns the lines typed.
   *
   * @throws CommitError naming what still differs; connection errors when the device cannot be reached
   */
  private async restore(target: RgosState, extra: ExtraOwned): Promise<string[]> {
    const now = await this.readRunning(extra);
    const lines = diffStates(now.state, target);
    await this.typeConfig(lines);
    const check = await this.readRunning(extra);
    const left = stateDifferences(check.state, target);
    if (left.length > 0) throw new CommitError(`${this.name}: after the inverse lines the device still differs from the configuration before the apply: ${left.join('; ')}`, { details: { left } });
    return lines;
  }

  /** How the device differs from `target` now, or undefined when it cannot be read. */
  private async whatIsLeft(target: RgosState, extra: ExtraOwned): Promise<string[] | undefined> {
    try {
      return stateDifferences((await this.readRunning(extra)).state, target);
    } catch {
      return undefined;
    }
  }

  // -------------------------------------------------------------------------------------------------------------
  // confirm / rollback

  private pendingFor(tx: Transaction): Pending {
    if (tx.device !== this.name) throw new InputError(`transaction ${tx.id} belongs to ${JSON.stringify(tx.device)}, not ${JSON.stringify(this.name)}`);
    const p = this.pending;
    if (p === undefined || p.tx.id !== tx.id) {
      throw new CommitError(`${this.name}: transaction ${tx.id} is not pending in this session (a transaction is confirmed or rolled back by the session that applied it)`, {
        details: { device: this.name, transaction: tx.id },
      });
    }
    return p;
  }

  private settle(p: Pending, tx: Transaction, state: 'confirmed' | 'rolled-back'): void {
    this.pending = undefined;
    p.tx.state = state;
    tx.state = state;
  }

  private async confirmNow(tx: Transaction): Promise<void> {
    this.ensureOpen();
    if (tx.state === 'confirmed') return;
    if (tx.state === 'rolled-back') throw new CommitError(`${this.name}: transaction ${tx.id} was rolled back; it cannot be confirmed`, { details: { device: this.name, transaction: tx.id } });
    const p = this.pendingFor(tx);
    const view = await this.readRunning();
    if (!view.markers.some((m) => m.name === p.marker)) {
      this.pending = undefined;
      throw new CommitError(
        `${this.name}: transaction ${tx.id} cannot be confirmed: its lock marker is gone (it expired at ${iso(p.expiresAt)} and another writer may have taken over, or it was removed by hand); its lines stay in running, unsaved. Observe and plan again.`,
        { details: { device: this.name, transaction: tx.id } },
      );
    }
    if (this.options.saveOnConfirm) {
      // Saved while the marker is held, so no other writer's half-applied lines can be saved with it.
      const r = await this.run(SESSION.write);
      if (!PARSE.writeOk.test(r.output)) this.logger.warn({ output: r.output }, 'write did not print [OK]');
    }
    await this.releaseLock(p.marker);
    this.settle(p, tx, 'confirmed');
    this.logger.info({ transaction: tx.id, saved: this.options.saveOnConfirm }, 'confirmed');
  }

  private async rollbackNow(tx: Transaction): Promise<void> {
    this.ensureOpen();
    if (tx.state === 'rolled-back') return;
    if (tx.state === 'confirmed') {
      if (tx.changeSet.changes.length === 0) return;
      throw new CommitError(`${this.name}: transaction ${tx.id} is confirmed; it cannot be rolled back (apply a change set that undoes it)`, { details: { device: this.name, transaction: tx.id } });
    }
    await this.undoPending(this.pendingFor(tx), 'rolled back on request');
    tx.state = 'rolled-back';
  }

  /** Rolls the pending transaction back with the inverse lines, verifies, and removes the lock marker. */
  private async undoPending(p: Pending, why: string): Promise<void> {
    let lines: string[];
    try {
      lines = await this.restore(p.before, p.extra);
    } catch (e) {
      const left = await this.whatIsLeft(p.before, p.extra);
      throw new CommitError(
        `${this.name}: rolling back transaction ${p.tx.id} failed (${messageOf(e)}); ${left === undefined ? 'the device could not be read' : `left on the device: ${left.join('; ') || 'nothing'}`}; the lock marker stays until ${iso(p.expiresAt)}`,
        { cause: e, details: { device: this.name, transaction: p.tx.id, ...(left === undefined ? {} : { left }) } },
      );
    }
    await this.releaseLock(p.marker);
    this.settle(p, p.tx, 'rolled-back');
    this.logger.info({ transaction: p.tx.id, why, lines: lines.length }, 'rolled back');
  }
}
