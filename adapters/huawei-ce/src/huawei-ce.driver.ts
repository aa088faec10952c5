/**
 * The fabric port over the VRP8 SSH CLI: one `CliSession` per netloom session, the two-stage commit per transaction.
 *
 * ```
 * apply:    configuration exclusive                      (a second writer gets LockedError)
 *           display current-configuration               (stale plan? foreign object in the way? → CommitError)
 *           display configuration commit list           (the last rollback point, for recovery)
 *           system-view, <the planned lines>
 *           display configuration candidate changes     (must be exactly the plan; else clear, CommitError)
 *           commit trial <s>   (commitMode plain: commit)
 *           display configuration commit list           (the transaction id is the device's commit id)
 *           return                                       (the lock is kept until confirm or rollback)
 * confirm:  system-view, commit, return (confirms the trial), check running, undo configuration exclusive
 * rollback: system-view, abort trial, return   (plain: rollback configuration to commit-id <previous>)
 * failure:  clear configuration candidate / abort trial / rollback configuration to commit-id, then CommitError
 *           with the device's text; the device is at its last committed configuration
 * ```
 *
 * The trial belongs to the CLI session that committed it, so a transaction lives and dies with its session: a
 * connection lost between apply and confirm means the trial is aborted (or expires on the device by itself).
 *
 * @packageDocumentation
 */
import {
  CliCommandError,
  CliCommitError,
  CliLockedError,
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
  DeviceProtocolError,
  DeviceTimeoutError,
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
  type L2Segment,
  type Logger,
  type NetloomError,
  type ObserveResult,
  type PlanOptions,
  type PortCapabilities,
  type PortFactoryOptions,
  type Transaction,
  type TransactionOptions,
  type Vrf,
  type AccessBinding,
} from '@netloom/ports';
import type * as t from 'io-ts';
import { CONFIG, PARSE, SESSION, SYSTEM_PROMPT, TRIAL_SECONDS, line, vrp8Dialect } from './huawei-ce.commands';
import { resolveOptions, type RenderSettings, type ResolvedOptions } from './huawei-ce.options';
import {
  applyCandidateChanges,
  foreignProjection,
  markedSegmentVnis,
  parseCandidateChanges,
  parseCommitList,
  parseConfigText,
  parseVersion,
  readFabric,
  type CommitRow,
  type ConfigNode,
  type DeviceIndex,
  type FabricView,
} from './huawei-ce.parse';
import { assertGatewaysSupported, bridgeDomainOf, deviceProblems, renderChanges } from './huawei-ce.render';

/** What the adapter supports (with `commitMode: 'plain'` a device lacks `confirmedCommit`). */
export const HUAWEI_CE_SUPPORTS = {
  fabric: { l2Segment: true, vrf: true, anycastGateway: true, accessBinding: true, interconnect: false, confirmedCommit: true, floodVtep: true },
} as const satisfies { readonly fabric: PortCapabilities<'fabric'> };

/** Backoff before the second reconnect attempt, doubled after each failure. */
const RECONNECT_DELAY_MS = 250;

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Read through a function so the check after an await is not narrowed away by the one before it. */
const isAborted = (signal: AbortSignal | undefined): boolean => signal?.aborted === true;

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

// ---------------------------------------------------------------------------------------------------------------
// Target and connection

/** How to reach one device, resolved from the target and the options. */
interface Connection {
  readonly host: string;
  readonly port: number;
  readonly username: string;
  readonly password?: string;
  readonly privateKey?: string;
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
  if ((password === undefined || password === '') && (privateKey === undefined || privateKey === '')) {
    problems.push({ path: 'target.credentials', reason: 'a password or a private key is required' });
  }
  let hostKey: HostKeyPolicy | undefined;
  const hk = target.hostKey;
  if (hk?.verify === false) hostKey = { insecureAcceptAny: true };
  else if (hk?.fingerprint !== undefined) hostKey = { fingerprintSha256: hk.fingerprint };
  else if (hk?.knownHostsFile !== undefined) hostKey = { knownHostsFile: hk.knownHostsFile };
  else problems.push({ path: 'target.hostKey', reason: 'the SSH host key must be verified: give hostKey.fingerprint (SHA256:...) or hostKey.knownHostsFile, or set hostKey.verify: false' });
  if (problems.length > 0 || host === undefined || username === undefined || hostKey === undefined) throw InputError.fromProblems(`Huawei CE device ${target.name}`, problems);
  return {
    host,
    port: options.port ?? target.port ?? 22,
    username,
    hostKey,
    ...(password === undefined || password === '' ? {} : { password }),
    ...(privateKey === undefined || privateKey === '' ? {} : { privateKey }),
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Driver

/**
 * The fabric driver for one CloudEngine leaf: validates the target and options at construction, opens one SSH CLI
 * session per `connect()`.
 *
 * @example
 * const driver = new HuaweiCeFabricDriver({ target: { name: 'leaf1', address: '10.0.0.1',
 *   credentials: { username: 'netloom', password }, hostKey: { verify: true, fingerprint: 'SHA256:...' } },
 *   options: { trialSeconds: 300 }, logger });
 * const session = await driver.connect();
 */
export class HuaweiCeFabricDriver implements FabricDriver {
  readonly port = 'fabric' as const;
  /** What this device offers (`confirmedCommit` only with `commitMode: 'trial'`). */
  readonly capabilities: PortCapabilities<'fabric'>;
  /** The options with defaults applied. */
  readonly options: ResolvedOptions;
  /** The inventory name of the switch. */
  readonly name: string;
  private readonly connection: Connection;
  private readonly logger: Logger;

  /** @throws InputError for a bad target (no address, credentials or host key policy) or bad options */
  constructor(opts: PortFactoryOptions) {
    const name = opts.target.name;
    if (!isSafeName(name)) throw new InputError(`Huawei CE device: target name ${JSON.stringify(name)} is not a safe name`, [{ path: 'target.name', reason: 'not a safe name' }]);
    this.name = name;
    this.options = resolveOptions(opts.options, name);
    this.connection = connectionOf(opts.target, this.options);
    this.capabilities = { ...HUAWEI_CE_SUPPORTS.fabric, confirmedCommit: this.options.commitMode === 'trial' };
    const secrets = [this.connection.password ?? '', this.connection.privateKey ?? ''];
    this.logger = redactingLogger(opts.logger, secrets).child({ adapter: 'huawei-ce', port: 'fabric', device: name });
  }

  /**
   * Opens an SSH CLI session (host key verified before the password is sent; paging off).
   *
   * @throws DeviceConnectionError (unreachable, host key not trusted), DeviceAuthError, DeviceTimeoutError
   */
  async connect(opts: ConnectOptions = {}): Promise<HuaweiCeFabricSession> {
    if (isAborted(opts.signal)) throw new DeviceConnectionError(`connect to ${this.name} aborted`);
    const c = this.connection;
    const connectMs = opts.timeoutMs ?? this.options.connectTimeoutMs;
    const cli = await CliSession.open({
      host: c.host,
      port: c.port,
      username: c.username,
      ...(c.password === undefined ? {} : { password: c.password }),
      ...(c.privateKey === undefined ? {} : { privateKey: c.privateKey }),
      hostKey: c.hostKey,
      dialect: vrp8Dialect,
      timeouts: { connectMs, loginMs: connectMs, commandMs: this.options.commandTimeoutMs },
      reconnect: { auto: false },
      logger: this.logger,
    });
    if (isAborted(opts.signal)) {
      await cli.close();
      throw new DeviceConnectionError(`connect to ${this.name} aborted`);
    }
    this.logger.debug({ host: c.host, port: c.port }, 'connected');
    return this.attach(cli);
  }

  /**
   * A session over a CLI session opened elsewhere, typically a replay of a recorded transcript: the same adapter
   * code then runs against the recording, deterministically, without a device.
   *
   * @example
   * const recorded = transcriptFromJson(fs.readFileSync('fixtures/leaf1/apply.json', 'utf8'));
   * const session = driver.attach(await openReplaySession(recorded, vrp8Dialect));
   * await session.observe(); // what the recording answered
   */
  attach(cli: CliSession): HuaweiCeFabricSession {
    return new HuaweiCeFabricSession(this.name, this.connection.username, cli, this.options, this.capabilities, this.logger);
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Session

/** The transaction this session holds (applied, not yet confirmed or rolled back). */
interface Pending {
  readonly tx: Transaction;
  /** The device's commit id of the transaction. */
  readonly commitId: number;
  /** The newest commit id before it (undefined: none). */
  readonly previous: number | undefined;
  /** The owned objects before and after the transaction. */
  readonly before: FabricConfig;
  readonly after: FabricConfig;
  /** The connection the trial belongs to. */
  readonly epoch: number;
}

/** What happened so far inside one apply (to know how to undo it). */
interface ApplyProgress {
  locked: boolean;
  inSystemView: boolean;
  commitSent: boolean;
  previous: number | undefined;
  before: FabricConfig | undefined;
}

const KIND_CODECS: Readonly<Record<string, t.Mixed>> = { vrf: VrfCodec, segment: L2SegmentCodec, binding: AccessBindingCodec, interconnect: InterconnectCodec, floodVtep: FloodVtepCodec };

/**
 * One session with one CloudEngine leaf: the shared device lifecycle (`facts`, `observe`, `plan`, `apply`, `confirm`,
 * `rollback`, `close`) over one SSH CLI session, plus {@link HuaweiCeFabricSession.transcript}. Calls are serialised.
 */
export class HuaweiCeFabricSession implements FabricSession {
  private epoch = 0;
  private closed = false;
  private queue: Promise<unknown> = Promise.resolve();
  private pending: Pending | undefined;
  private sequence = 0;
  private readonly render: RenderSettings;

  /** @internal Made by {@link HuaweiCeFabricDriver.connect}. */
  constructor(
    readonly name: string,
    private readonly username: string,
    private readonly cli: CliSession,
    private readonly options: ResolvedOptions,
    private readonly capabilities: PortCapabilities<'fabric'>,
    private readonly logger: Logger,
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

  /** Vendor, model, software version, host name (`display version` and the prompt). @throws DeviceProtocolError */
  async facts(): Promise<DeviceFacts> {
    return this.serial(() =>
      this.read(async () => {
        const r = await this.run(SESSION.displayVersion);
        return parseVersion(r.output, r.view, `display version of ${this.name}`);
      }),
    );
  }

  /** The objects netloom owns, from `display current-configuration` (see `readFabric`). @throws DeviceProtocolError */
  async observe(): Promise<ObserveResult<FabricConfig>> {
    return this.serial(() => this.observeNow());
  }

  /**
   * The changes from `observed` (observed now when absent) to `desired`, and their exact VRP lines. Writes nothing.
   *
   * @throws InputError (invalid config, CloudEngine limits), NotSupportedError (interconnects, IPv6 gateways)
   */
  async plan(opts: PlanOptions<FabricConfig>): Promise<ChangeSet> {
    this.ensureOpen();
    const desired = normalizeFabric(decodeOrThrow(FabricConfigCodec, opts.desired, `desired fabric config of ${this.name}`));
    const problems = deviceProblems(desired, this.render);
    if (problems.length > 0) throw InputError.fromProblems(`desired fabric config of ${this.name} (CloudEngine limits)`, problems);
    assertCapabilities('fabric', this.name, fabricCapabilitiesUsed(desired), this.capabilities);
    assertGatewaysSupported(desired, this.name);
    const observed = normalizeFabric(
      opts.observed === undefined ? (await this.observe()).config : decodeOrThrow(FabricConfigCodec, opts.observed, `observed fabric config of ${this.name}`),
    );
    const changes = diffConfig({ desired, observed, order: FABRIC_KIND_ORDER });
    assertCapabilities('fabric', this.name, capabilitiesForChanges(fabricVocabulary, changes), this.capabilities);
    const lines = renderChanges(changes, this.render);
    return { device: this.name, port: 'fabric', changes, operations: lines.map((text) => ({ medium: 'cli', text })) };
  }

  /**
   * Applies a change set in one two-stage commit (see the module documentation); the transaction id is the device's
   * commit id and the exclusive lock is held until confirm or rollback.
   *
   * @throws CommitError (with the device's text; the device is at its last committed configuration), LockedError,
   *   InputError (another device's or a tampered change set, a confirm window outside 60..65535 s), NotSupportedError
   */
  async apply(opts: ApplyOptions): Promise<Transaction> {
    return this.serial(() => this.applyNow(opts));
  }

  /** Confirms the trial (`commit` in the same CLI session) and frees the lock. Idempotent. @throws CommitError */
  async confirm(opts: TransactionOptions): Promise<void> {
    return this.serial(() => this.confirmNow(opts.transaction));
  }

  /** `abort trial` (plain mode: `rollback configuration to commit-id`) and frees the lock. Idempotent. @throws CommitError */
  async rollback(opts: TransactionOptions): Promise<void> {
    return this.serial(() => this.rollbackNow(opts.transaction));
  }

  /** Rolls back an unconfirmed transaction (best effort: a trial also expires on the device), then logs out. */
  async close(): Promise<void> {
    if (this.closed) return;
    await this.serial(async () => {
      if (this.closed) return;
      const pending = this.pending;
      if (pending !== undefined) {
        try {
          await this.undoPending(pending, 'the session closed before confirming');
        } catch (e) {
          this.logger.warn({ transaction: pending.tx.id, err: e instanceof Error ? e.message : String(e) }, 'close: rolling back the unconfirmed transaction failed');
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

  /** The CLI session, re-opened with backoff when the connection was lost. */
  private async usable(): Promise<CliSession> {
    this.ensureOpen();
    if (this.cli.state === 'open') return this.cli;
    let delay = RECONNECT_DELAY_MS;
    let last: unknown = new DeviceConnectionError(`the CLI session to ${this.name} was lost and reconnectAttempts is 0`);
    for (let attempt = 1; attempt <= this.options.reconnectAttempts; attempt++) {
      try {
        await this.cli.reconnect();
        this.epoch++;
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

  private async readRunning(): Promise<{ tree: ConfigNode; view: FabricView }> {
    const r = await this.run(SESSION.displayRunning);
    const subject = `display current-configuration of ${this.name}`;
    const tree = parseConfigText(r.output, subject);
    const view = readFabric(tree, this.render, subject);
    for (const w of view.warnings) this.logger.warn({ warning: w }, 'ignored a malformed netloom object');
    return { tree, view };
  }

  private async commitRows(): Promise<CommitRow[]> {
    const r = await this.run(SESSION.displayCommitList);
    return parseCommitList(r.output, `display configuration commit list of ${this.name}`);
  }

  private async observeNow(): Promise<ObserveResult<FabricConfig>> {
    return this.read(async () => {
      const { view } = await this.readRunning();
      return { config: view.config, observedAt: new Date().toISOString() };
    });
  }

  /** Runs `job` and ignores its failure (clean-up steps whose failure must not hide the original error). */
  private async bestEffort(what: string, job: () => Promise<unknown>): Promise<void> {
    try {
      await job();
    } catch (e) {
      this.logger.warn({ step: what, err: e instanceof Error ? e.message : String(e) }, 'clean-up step failed');
    }
  }

  /** Back to the user view (netloom's resting place between calls) if the session is in a configuration view. */
  private async toUserView(): Promise<void> {
    if (SYSTEM_PROMPT.test(this.cli.prompt)) await this.run(SESSION.returnToUser);
  }

  /** Enters the system view from wherever the session is. */
  private async enterSystemView(): Promise<void> {
    await this.toUserView();
    await this.run(SESSION.systemView);
  }

  private async unlock(): Promise<void> {
    if (this.cli.state !== 'open') return; // the lock ended with the lost session
    await this.bestEffort(SESSION.unlock, () => this.cli.run(SESSION.unlock));
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

  private trialSecondsOf(confirmWithinSec: number | undefined): number {
    if (confirmWithinSec === undefined) return this.options.trialSeconds;
    const sec = Math.ceil(confirmWithinSec);
    if (!Number.isFinite(confirmWithinSec) || sec < TRIAL_SECONDS.min || sec > TRIAL_SECONDS.max) {
      throw new InputError(`confirmWithinSec must be ${TRIAL_SECONDS.min}..${TRIAL_SECONDS.max} seconds on a CloudEngine (commit trial), got ${String(confirmWithinSec)}`, [
        { path: 'confirmWithinSec', reason: `outside ${TRIAL_SECONDS.min}..${TRIAL_SECONDS.max}` },
      ]);
    }
    return sec;
  }

  /** Why the changes cannot be written onto this device as it is now (foreign objects in the way, prerequisites). */
  private conflicts(changes: readonly Change[], index: DeviceIndex): string[] {
    const out: string[] = [];
    const foreignVni = (vni: number): void => {
      const holder = index.vnis.get(vni);
      if (holder !== undefined && !holder.marked) out.push(`VNI ${vni} is bound to ${holder.owner}, which netloom does not own`);
    };
    for (const c of changes) {
      if (c.after === undefined) continue;
      if (c.kind === 'vrf' && c.op === 'create') {
        const v = c.after as Vrf;
        if (index.vpnInstances.get(v.name)?.marked === false) out.push(`ip vpn-instance ${v.name} exists and netloom does not own it`);
        foreignVni(v.l3Vni);
      } else if (c.kind === 'segment') {
        const seg = c.after as L2Segment;
        const bd = bridgeDomainOf(seg.l2Vni, this.render);
        if (c.op === 'create') {
          if (index.bridgeDomains.get(bd)?.marked === false) out.push(`bridge-domain ${bd} exists and netloom does not own it`);
          foreignVni(seg.l2Vni);
          if (!index.evpnOverlay) out.push(`${CONFIG.evpnOverlay} is not configured (an EVPN prerequisite of the underlay)`);
          if (this.render.ingressReplication && !index.nve) out.push(`${CONFIG.nve} is not configured (the VTEP); configure it, or set ingressReplication: false`);
        }
        if (seg.vrf !== undefined && index.vbdifs.get(bd)?.marked === false) out.push(`interface Vbdif${bd} exists and netloom does not own it`);
      } else if (c.kind === 'binding' && c.op === 'create') {
        const b = c.after as AccessBinding;
        if (index.subinterfaces.get(`${b.interface}.${b.vlan}`)?.marked === false) out.push(`interface ${b.interface}.${b.vlan} exists and netloom does not own it`);
      } else if (c.kind === 'floodVtep' && c.op === 'create' && !index.nve) {
        out.push(`${CONFIG.nve} is not configured (the VTEP the head-end peer list belongs to); configure it`);
      }
    }
    return [...new Set(out)];
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
    const trial = this.options.commitMode === 'trial';
    const seconds = trial ? this.trialSecondsOf(opts.confirmWithinSec) : 0;
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
    const lines = renderChanges(changes, this.render);
    const ops = changeSet.operations;
    if (ops.length !== lines.length || ops.some((o, i) => o.medium !== 'cli' || o.text !== lines[i])) {
      throw new InputError(`change set for ${this.name}: its operations are not what this adapter renders for its changes (plan again with this adapter)`, [
        { path: 'operations', reason: 'do not match the changes' },
      ]);
    }

    const progress: ApplyProgress = { locked: false, inSystemView: false, commitSent: false, previous: undefined, before: undefined };
    try {
      await this.run(SESSION.lock);
      progress.locked = true;
      const running = await this.readRunning();
      const before = normalizeFabric(running.view.config);
      progress.before = before;
      let after: FabricConfig;
      try {
        after = normalizeFabric(applyChanges(before, changes));
      } catch (e) {
        throw new CommitError(`${this.name}: the change set no longer fits the device (${e instanceof Error ? e.message : String(e)}); nothing was written. Observe and plan again.`, {
          cause: e,
          details: { device: this.name, written: 0 },
        });
      }
      after = normalizeFabric(decodeOrThrow(FabricConfigCodec, after, `fabric config of ${this.name} after the change set`));
      const problems = deviceProblems(after, this.render);
      if (problems.length > 0) throw InputError.fromProblems(`fabric config of ${this.name} after the change set (CloudEngine limits)`, problems);
      const conflicts = this.conflicts(changes, running.view.index);
      if (conflicts.length > 0) {
        throw new CommitError(`${this.name}: the change set cannot be applied: ${conflicts.join('; ')}; nothing was written`, { details: { device: this.name, conflicts, written: 0 } });
      }
      progress.previous = (await this.commitRows())[0]?.id;

      await this.enterSystemView();
      progress.inSystemView = true;
      try {
        await (await this.usable()).runAll(lines);
      } catch (e) {
        if (isCliRejection(e)) {
          throw new CommitError(`${this.name} refused ${JSON.stringify(e.command)}: ${e.deviceMessage}; the candidate was discarded, nothing was committed`, {
            cause: e,
            details: { device: this.name, command: e.command, deviceMessage: e.deviceMessage },
          });
        }
        throw e;
      }
      await this.verifyCandidate(running.tree, after);

      progress.commitSent = true;
      const commitLine = trial ? line(SESSION.commitTrial, { seconds }) : SESSION.commit;
      await this.run(commitLine);
      const ours = this.firstNewCommit(await this.commitRows(), progress.previous);
      if (ours === undefined || ours.user !== this.username) {
        throw new DeviceProtocolError(`${this.name}: "${commitLine}" answered without an error but the commit list shows no new rollback point by ${this.username}`);
      }
      await this.run(SESSION.returnToUser);
      progress.inSystemView = false;

      const tx: Transaction = {
        id: String(ours.id),
        device: this.name,
        changeSet,
        state: 'applied',
        ...(trial ? { confirmBy: new Date(Date.now() + seconds * 1000).toISOString() } : {}),
      };
      this.pending = { tx, commitId: ours.id, previous: progress.previous, before, after, epoch: this.epoch };
      this.logger.info({ transaction: tx.id, lines: lines.length, trialSeconds: trial ? seconds : undefined }, 'applied');
      return tx;
    } catch (e) {
      throw await this.failApply(e, progress);
    }
  }

  /** Checks that the candidate holds exactly the planned result and touches nothing netloom does not own. */
  private async verifyCandidate(running: ConfigNode, expected: FabricConfig): Promise<void> {
    const subject = `display configuration candidate changes of ${this.name}`;
    const r = await this.run(SESSION.displayCandidateChanges);
    const candidate = applyCandidateChanges(running, parseCandidateChanges(r.output, subject), subject);
    const view = readFabric(candidate, this.render, subject);
    const owned = normalizeFabric(view.config);
    if (!configEquals(owned, expected)) {
      throw new CommitError(`${this.name}: the candidate configuration is not what was planned (${differences(expected, owned)}); it was discarded, nothing was committed`, {
        details: { device: this.name, candidate: r.output },
      });
    }
    const vnis = new Set([...markedSegmentVnis(running), ...markedSegmentVnis(candidate)]);
    if (foreignProjection(running, vnis) !== foreignProjection(candidate, vnis)) {
      throw new CommitError(`${this.name}: the candidate configuration changes objects netloom does not own; it was discarded, nothing was committed`, {
        details: { device: this.name, candidate: r.output },
      });
    }
  }

  /** Leaves the device at its last committed configuration after a failed apply; returns the error to throw. */
  private async failApply(e: unknown, p: ApplyProgress): Promise<NetloomError> {
    const reason = e instanceof Error ? e.message : String(e);
    const answered = isCliRejection(e) || !(e instanceof DeviceConnectionError || e instanceof DeviceTimeoutError);
    if (p.commitSent && !(e instanceof CliCommitError || e instanceof CliLockedError || e instanceof CliCommandError)) {
      // The commit may have happened: find out, and undo it.
      let outcome: string;
      try {
        outcome = await this.undoUncertainCommit(p.previous, p.before);
      } catch (recovery) {
        const why = recovery instanceof Error ? recovery.message : String(recovery);
        await this.unlock();
        return new CommitError(
          `${this.name}: apply failed after the commit was sent (${reason}), and undoing it failed (${why}). ${this.options.commitMode === 'trial' ? 'The device reverts a trial commit by itself when its timer expires.' : 'Check the device.'}`,
          { cause: e, details: { device: this.name, recovery: why } },
        );
      }
      await this.unlock();
      return new CommitError(`${this.name}: apply failed after the commit was sent (${reason}); ${outcome}; the device is at its last committed configuration`, {
        cause: e,
        details: { device: this.name, outcome },
      });
    }
    if (this.cli.state === 'broken' && this.options.reconnectAttempts > 0) {
      // Re-opening closes the old connection, so the device ends that session: its candidate and lock go with it.
      await this.bestEffort('reconnect', () => this.usable());
    } else if (this.cli.state === 'open') {
      if (p.inSystemView) {
        await this.bestEffort(SESSION.clearCandidate, () => this.cli.run(SESSION.clearCandidate));
        await this.bestEffort(SESSION.returnToUser, () => this.cli.run(SESSION.returnToUser));
      }
      if (p.locked) await this.unlock();
    }
    if (e instanceof LockedError || e instanceof InputError || e instanceof NotSupportedError) return e;
    if (e instanceof CommitError && !(e instanceof CliCommitError)) return e;
    const deviceText = isCliRejection(e) ? e.deviceMessage : undefined;
    const where = answered ? '' : ' (the device discards an uncommitted candidate with its session)';
    return new CommitError(`${this.name}: apply failed: ${deviceText ?? reason}; nothing was committed${where}, the device is at its last committed configuration`, {
      cause: e,
      details: { device: this.name, ...(deviceText === undefined ? {} : { deviceMessage: deviceText }) },
    });
  }

  /**
   * After a commit whose outcome is unknown (the connection dropped): if the newest rollback point is netloom's and
   * newer than `previous`, abort the trial (or roll back to `previous`). Returns what was done.
   */
  private async undoUncertainCommit(previous: number | undefined, before: FabricConfig | undefined): Promise<string> {
    await this.usable();
    await this.toUserView();
    const rows = await this.commitRows();
    const fresh = rows.filter((r) => previous === undefined || r.id > previous);
    const ours = this.firstNewCommit(rows, previous);
    if (ours === undefined) return 'the commit did not happen';
    // In trial mode nobody else can commit during the trial (a newer point is its expiry); in plain mode rolling back
    // to `previous` would also undo someone else's later commit.
    if (ours.user !== this.username || (this.options.commitMode === 'plain' && fresh.length > 1)) {
      throw new CommitError(`${this.name}: rollback points after ${String(previous)} are ${fresh.map((r) => `${r.id} by ${r.user}`).join(', ')}: not rolling back what may not be netloom's`);
    }
    await this.revert(ours.id, previous);
    if (before !== undefined) await this.expectOwned(before, `after undoing commit ${ours.id}`);
    return `commit ${ours.id} was ${this.options.commitMode === 'trial' ? 'aborted (abort trial)' : `rolled back to ${previous === undefined ? 'the configuration before it' : `commit ${previous}`}`}`;
  }

  /** The oldest rollback point newer than `previous` (rows are newest first): the commit made after `previous`. */
  private firstNewCommit(rows: readonly CommitRow[], previous: number | undefined): CommitRow | undefined {
    const fresh = rows.filter((r) => previous === undefined || r.id > previous);
    return fresh[fresh.length - 1];
  }

  /** Undoes commit `commitId`: `abort trial` (trial mode) or `rollback configuration to commit-id <previous>`. */
  private async revert(commitId: number, previous: number | undefined): Promise<void> {
    if (this.options.commitMode === 'trial') {
      await this.enterSystemView();
      try {
        await this.run(SESSION.abortTrial);
      } catch (e) {
        // The trial already ended (it expired): the device rolled it back by itself.
        if (!(e instanceof CliCommandError && PARSE.noTrial.test(e.deviceMessage))) throw e;
        this.logger.info({ commit: commitId }, 'abort trial: no trial pending any more (expired)');
      } finally {
        await this.bestEffort(SESSION.returnToUser, () => this.cli.run(SESSION.returnToUser));
      }
      return;
    }
    await this.toUserView();
    await this.run(previous === undefined ? line(SESSION.rollbackLast, { n: 1 }) : line(SESSION.rollbackToCommit, { id: previous }));
  }

  private async expectOwned(expected: FabricConfig, when: string): Promise<void> {
    const now = normalizeFabric((await this.readRunning()).view.config);
    if (!configEquals(now, expected)) throw new CommitError(`${this.name}: ${when}, the device does not hold the expected configuration (${differences(expected, now)})`);
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
    if (this.options.commitMode === 'trial') {
      if (this.epoch !== p.epoch || this.cli.state !== 'open') {
        // Only the session that committed the trial can confirm it, and that session is gone.
        await this.undoPending(p, 'the connection was lost before confirm');
        throw new CommitError(`${this.name}: transaction ${tx.id} cannot be confirmed: the CLI session that committed the trial was lost; the trial was rolled back`, {
          details: { device: this.name, transaction: tx.id },
        });
      }
      await this.enterSystemView();
      try {
        await this.run(SESSION.commit);
      } finally {
        await this.bestEffort(SESSION.returnToUser, () => this.cli.run(SESSION.returnToUser));
      }
      const now = normalizeFabric((await this.readRunning()).view.config);
      if (!configEquals(now, p.after)) {
        await this.unlock();
        this.settle(p, tx, 'rolled-back');
        throw new CommitError(`${this.name}: transaction ${tx.id} was rolled back by the device before it was confirmed (commit trial expired: ${differences(p.after, now)})`, {
          details: { device: this.name, transaction: tx.id },
        });
      }
    }
    await this.unlock();
    this.settle(p, tx, 'confirmed');
    this.logger.info({ transaction: tx.id }, 'confirmed');
  }

  private async rollbackNow(tx: Transaction): Promise<void> {
    this.ensureOpen();
    if (tx.state === 'rolled-back') return;
    if (tx.state === 'confirmed') {
      if (tx.changeSet.changes.length === 0) return;
      throw new CommitError(`${this.name}: transaction ${tx.id} is confirmed; it cannot be rolled back (apply a change set that undoes it)`, { details: { device: this.name, transaction: tx.id } });
    }
    const p = this.pendingFor(tx);
    await this.undoPending(p, 'rolled back on request');
    tx.state = 'rolled-back';
  }

  /** Rolls the pending transaction back (whatever the state of the connection) and frees the lock. */
  private async undoPending(p: Pending, why: string): Promise<void> {
    if (this.options.commitMode === 'trial' && (this.epoch !== p.epoch || this.cli.state !== 'open')) {
      // Another connection: abort the trial only if it is still netloom's newest rollback point.
      await this.usable();
      const newest = (await this.commitRows())[0];
      if (newest?.id === p.commitId) await this.revert(p.commitId, p.previous);
    } else {
      await this.revert(p.commitId, p.previous);
    }
    await this.expectOwned(p.before, `after rolling back transaction ${p.tx.id}`);
    await this.unlock();
    this.settle(p, p.tx, 'rolled-back');
    this.logger.info({ transaction: p.tx.id, why }, 'rolled back');
  }
}
