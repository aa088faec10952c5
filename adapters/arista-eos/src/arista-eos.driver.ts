/**
 * The fabric driver and session for Arista EOS over eAPI: the shared device lifecycle of `@netloom/ports` on a
 * switch's configuration sessions.
 *
 * One transaction = one configuration session `netloom-<transaction id>`: the rendered lines, a look at
 * `show session-config diffs`, then `commit timer hh:mm:ss` (the switch rolls back by itself unless confirmed).
 * Confirm = `configure session <name> commit`; rollback = `configure session <name> abort`. Any failure before the
 * commit aborts the session, so the running-config is untouched; the error carries the switch's text.
 *
 * @packageDocumentation
 */
import { randomBytes } from 'node:crypto';
import * as t from 'io-ts';
import {
  CommitError,
  DeviceAuthError,
  DeviceConnectionError,
  FABRIC_KIND_ORDER,
  FabricConfigCodec,
  InputError,
  LockedError,
  applyChanges,
  assertCapabilities,
  capabilitiesForChanges,
  decodeOrThrow,
  decodeProblems,
  diffConfig,
  fabricVocabulary,
  isNetloomError,
  isSafeName,
  struct,
  DeviceProtocolError,
  type ApplyOptions,
  type ChangeSet,
  type ConnectOptions,
  type DeviceFacts,
  type FabricConfig,
  type FabricDriver,
  type FabricSession,
  type InputProblem,
  type Logger,
  type ObserveResult,
  type PlanOptions,
  type PortCapabilities,
  type PortFactoryOptions,
  type Transaction,
  type TransactionOptions,
} from '@netloom/ports';
import { renderChanges, type RenderSettings } from './arista-eos.commands';
import { EapiClient, EapiCommandError } from './arista-eos.eapi';
import { AristaEosOptionsCodec, DEFAULT_CONFIRM_TIMEOUT_SEC, DEFAULT_SEGMENT_VLANS, type AristaEosOptions } from './arista-eos.options';
import { observeFabric } from './arista-eos.parsers';
import { readEosState, type EosState } from './arista-eos.running-config';

/** What the adapter supports on EOS. Interconnects (VRB) are not mapped yet (see the README). */
export const ARISTA_EOS_SUPPORTS = {
  l2Segment: true,
  vrf: true,
  anycastGateway: true,
  accessBinding: true,
  interconnect: false,
  confirmedCommit: true,
  floodVtep: true,
} as const satisfies PortCapabilities<'fabric'>;

/** The prefix of the configuration sessions this adapter opens. */
export const SESSION_PREFIX = 'netloom-';

/** The commit timer EOS accepts at most (23:59:59). */
const MAX_TIMER_SEC = 86_399;

const VersionCodec = struct('ShowVersion', { modelName: t.string, version: t.string }, { serialNumber: t.string, systemMacAddress: t.string }, { unknownFields: 'strip' });
const HostnameCodec = struct('ShowHostname', { hostname: t.string }, {}, { unknownFields: 'strip' });
const TextCodec = struct('TextResult', { output: t.string }, {}, { unknownFields: 'strip' });
const SessionsCodec = struct(
  'ShowConfigurationSessions',
  { sessions: t.record(t.string, struct('ConfigurationSession', { state: t.string }, { commitTimerExpireTime: t.number }, { unknownFields: 'strip' })) },
  {},
  { unknownFields: 'strip' },
);

const hhmmss = (sec: number): string => {
  const pad = (n: number): string => String(n).padStart(2, '0');
  return `${pad(Math.floor(sec / 3600))}:${pad(Math.floor((sec % 3600) / 60))}:${pad(sec % 60)}`;
};

/** Drops empty route-target lists: EOS cannot tell "none" from "absent", and observe reports them absent. */
function normalize(config: FabricConfig): FabricConfig {
  const vrf: Record<string, FabricConfig['vrf'][string]> = {};
  for (const [k, v] of Object.entries(config.vrf)) {
    const { importRouteTargets, exportRouteTargets, ...rest } = v;
    vrf[k] = { ...rest, ...(importRouteTargets !== undefined && importRouteTargets.length > 0 ? { importRouteTargets } : {}), ...(exportRouteTargets !== undefined && exportRouteTargets.length > 0 ? { exportRouteTargets } : {}) };
  }
  return { ...config, vrf };
}

/** The rules EOS adds to the vocabulary, checked on the desired config before the switch is asked anything. */
export function eosProblems(config: FabricConfig): InputProblem[] {
  const problems: InputProblem[] = [];
  const macs = new Map<string, string>();
  for (const [k, s] of Object.entries(config.segment)) {
    const g = s.anycastGateway;
    if (g === undefined) continue;
    if (g.mac === undefined) problems.push({ path: `segment[${JSON.stringify(k)}].anycastGateway.mac`, reason: 'required on EOS: "ip address virtual" needs the switch-wide "ip virtual-router mac-address"' });
    else macs.set(k, g.mac);
  }
  if (new Set(macs.values()).size > 1) {
    for (const [k, mac] of macs) problems.push({ path: `segment[${JSON.stringify(k)}].anycastGateway.mac`, reason: `${mac}: EOS has one virtual-router MAC per switch; every anycast gateway must use the same MAC` });
  }
  const perPort = new Map<string, string>();
  for (const [k, b] of Object.entries(config.binding)) {
    const id = `${b.interface}\u0000${b.l2Vni}`;
    const other = perPort.get(id);
    if (other !== undefined) problems.push({ path: `binding[${JSON.stringify(k)}].l2Vni`, reason: `${b.interface} already carries segment ${b.l2Vni} (binding ${JSON.stringify(other)}); EOS carries a segment on one VLAN per port` });
    else perPort.set(id, k);
  }
  return problems;
}

interface TxRecord {
  state: Transaction['state'];
  readonly session: string;
}

/** The fabric driver for one EOS switch. */
export class AristaEosDriver implements FabricDriver {
  readonly port = 'fabric' as const;
  readonly name: string;
  readonly options: AristaEosOptions;
  readonly logger: Logger;
  readonly #factory: PortFactoryOptions;

  /** @throws InputError (an invalid target name or options) */
  constructor(opts: PortFactoryOptions) {
    const name = opts.target.name;
    if (!isSafeName(name)) throw new InputError(`arista-eos: target name ${JSON.stringify(name)} is not a safe name`);
    this.name = name;
    this.options = decodeOrThrow(AristaEosOptionsCodec, opts.options ?? {}, `options of arista-eos device ${name}`);
    this.logger = opts.logger.child({ adapter: 'arista-eos', device: name });
    this.#factory = opts;
  }

  /** Opens a session: checks that eAPI answers and accepts the credentials. @throws DeviceConnectionError, DeviceAuthError, DeviceTimeoutError */
  async connect(opts: ConnectOptions = {}): Promise<AristaEosSession> {
    const target = this.#factory.target;
    if (opts.signal?.aborted === true) throw new DeviceConnectionError(`${this.name}: connect aborted`);
    if (target.address === undefined) throw new DeviceConnectionError(`${this.name}: the inventory entry has no address`, { details: { device: this.name } });
    if (target.tls?.verify === false) this.logger.warn({}, 'TLS certificate verification is off for this switch (tls.verify: false)');
    const client = new EapiClient({
      device: this.name,
      host: target.address,
      port: target.port ?? this.options.port ?? 443,
      ...(target.credentials === undefined ? {} : { credentials: target.credentials }),
      tls: { verify: target.tls?.verify ?? true, ...(target.tls?.ca === undefined ? {} : { ca: target.tls.ca }) },
      timeoutMs: this.options.timeoutMs ?? 30_000,
      retries: this.options.retries ?? 3,
      retryBackoffMs: this.options.retryBackoffMs ?? 200,
      logger: this.logger,
    });
    try {
      await client.run(['show hostname'], opts.timeoutMs === undefined ? {} : { timeoutMs: opts.timeoutMs });
    } catch (e) {
      client.close();
      if (e instanceof EapiCommandError) throw new DeviceProtocolError(`${this.name}: "show hostname" failed: ${e.deviceText}`, { cause: e, details: { device: this.name } });
      throw e;
    }
    this.logger.debug({}, 'connected');
    return new AristaEosSession(this, client);
  }

  /** @internal The renderer's settings. */
  get renderSettings(): RenderSettings {
    return {
      segmentVlans: this.options.segmentVlans ?? DEFAULT_SEGMENT_VLANS,
      ...(this.options.vrfAsn === undefined ? {} : { vrfAsn: this.options.vrfAsn }),
      ...(this.options.routerId === undefined ? {} : { routerId: this.options.routerId }),
    };
  }
}

/** A session with one EOS switch. */
export class AristaEosSession implements FabricSession {
  readonly #driver: AristaEosDriver;
  readonly #client: EapiClient;
  readonly #transactions = new Map<string, TxRecord>();
  #pending: Transaction | undefined;
  #closed = false;

  constructor(driver: AristaEosDriver, client: EapiClient) {
    this.#driver = driver;
    this.#client = client;
  }

  get #name(): string {
    return this.#driver.name;
  }

  #open(): void {
    if (this.#closed) throw new DeviceConnectionError(`${this.#name}: the session is closed`);
  }

  /** Runs read-only commands; a refused read is a protocol problem (the switch does not speak the eAPI we expect). */
  async #read(cmds: readonly string[], format: 'json' | 'text' = 'json'): Promise<unknown[]> {
    try {
      return await this.#client.run(cmds, { format });
    } catch (e) {
      if (!(e instanceof EapiCommandError)) throw e;
      throw new DeviceProtocolError(`${this.#name}: the switch refused a read: ${e.deviceText}`, { cause: e, details: { device: this.#name, code: e.code } });
    }
  }

  #decode<A, O>(codec: t.Type<A, O, unknown>, value: unknown, what: string): A {
    const r = decodeProblems(codec, value);
    if (r.value !== undefined) return r.value;
    throw new DeviceProtocolError(`${this.#name}: unexpected reply to "${what}": ${r.problems.map((p) => `${p.path || '(root)'}: ${p.reason}`).join('; ')}`, {
      details: { device: this.#name, command: what, problems: r.problems },
    });
  }

  async facts(): Promise<DeviceFacts> {
    this.#open();
    const [version, host] = await this.#read(['show version', 'show hostname']);
    const v = this.#decode(VersionCodec, version, 'show version');
    const h = this.#decode(HostnameCodec, host, 'show hostname');
    return {
      vendor: 'Arista',
      model: v.modelName,
      osVersion: v.version,
      ...(v.serialNumber === undefined ? {} : { serial: v.serialNumber }),
      hostname: h.hostname,
      ...(v.systemMacAddress === undefined ? {} : { extra: { systemMac: v.systemMacAddress } }),
    };
  }

  /** The switch's configuration as the adapter reads it (`show running-config`, text). */
  async readState(): Promise<EosState> {
    const [out] = await this.#read(['show running-config'], 'text');
    return readEosState(this.#decode(TextCodec, out, 'show running-config').output);
  }

  async observe(): Promise<ObserveResult<FabricConfig>> {
    this.#open();
    const observed = observeFabric(await this.readState());
    if (observed.skipped.length > 0) this.#driver.logger.warn({ skipped: observed.skipped }, 'owned objects that cannot be read were left out of observe');
    return { config: observed.config, observedAt: new Date().toISOString() };
  }

  async plan(opts: PlanOptions<FabricConfig>): Promise<ChangeSet> {
    this.#open();
    const subject = `desired fabric config of ${this.#name}`;
    const desired = normalize(decodeOrThrow(FabricConfigCodec, opts.desired, subject));
    const problems = eosProblems(desired);
    if (problems.length > 0) throw InputError.fromProblems(subject, problems);
    assertCapabilities('fabric', this.#name, fabricVocabulary.capabilitiesUsed(desired), ARISTA_EOS_SUPPORTS);
    let state: EosState | undefined;
    let observed: FabricConfig;
    if (opts.observed === undefined) {
      state = await this.readState();
      observed = observeFabric(state).config;
    } else observed = decodeOrThrow(FabricConfigCodec, opts.observed, `observed fabric config of ${this.#name}`);
    const changes = diffConfig({ desired, observed, order: FABRIC_KIND_ORDER });
    assertCapabilities('fabric', this.#name, capabilitiesForChanges(fabricVocabulary, changes), ARISTA_EOS_SUPPORTS);
    if (changes.length === 0) return { device: this.#name, port: 'fabric', changes, operations: [] };
    state ??= await this.readState();
    const rendered = renderChanges(changes, state, this.#driver.renderSettings, subject);
    return { device: this.#name, port: 'fabric', changes, operations: rendered.lines.map((text) => ({ medium: 'cli', text })) };
  }

  async #sessions(): Promise<Record<string, { state: string; commitTimerExpireTime?: number }>> {
    const [out] = await this.#read(['show configuration sessions']);
    return this.#decode(SessionsCodec, out, 'show configuration sessions').sessions;
  }

  async #abort(session: string, why: string): Promise<void> {
    try {
      await this.#client.run(['enable', `configure session ${session}`, 'abort']);
    } catch (e) {
      // The switch discards an uncommitted session after 24 h by itself; nothing was committed either way.
      this.#driver.logger.warn({ session, reason: e instanceof Error ? e.message : String(e) }, `could not abort the configuration session after ${why}`);
    }
  }

  async apply(opts: ApplyOptions): Promise<Transaction> {
    this.#open();
    const { changeSet } = opts;
    const device = this.#name;
    if (changeSet.device !== device || changeSet.port !== 'fabric') {
      throw new InputError(`change set for ${changeSet.port} device ${JSON.stringify(changeSet.device)} applied to fabric device ${JSON.stringify(device)}`);
    }
    const seconds = opts.confirmWithinSec ?? this.#driver.options.confirmTimeoutSec ?? DEFAULT_CONFIRM_TIMEOUT_SEC;
    if (!Number.isFinite(seconds) || seconds <= 0 || seconds > MAX_TIMER_SEC) {
      throw new InputError(`confirmWithinSec must be a number of seconds in 1..${MAX_TIMER_SEC} (the longest EOS commit timer), got ${String(opts.confirmWithinSec)}`);
    }
    const id = `${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`;
    if (changeSet.changes.length === 0) {
      const tx: Transaction = { id, device, changeSet, state: 'confirmed' };
      this.#transactions.set(id, { state: 'confirmed', session: `${SESSION_PREFIX}${id}` });
      return tx;
    }
    const pending = this.#pending;
    if (pending !== undefined) {
      // The switch may have settled it meanwhile (its commit timer expired, or someone confirmed it).
      const rec = this.#record(pending);
      const state = (await this.#sessions())[rec.session]?.state;
      if (state === 'pendingCommitTimer') {
        throw new LockedError(`${device} is locked: transaction ${pending.id} of this session is not confirmed yet; confirm or roll it back first`, { details: { device, transaction: pending.id } });
      }
      this.#settle(pending, rec, state === 'completed' ? 'confirmed' : 'rolled-back');
    }
    assertCapabilities('fabric', device, capabilitiesForChanges(fabricVocabulary, changeSet.changes), ARISTA_EOS_SUPPORTS);

    const sessions = await this.#sessions();
    const holder = Object.entries(sessions).find(([n, s]) => n.startsWith(SESSION_PREFIX) && s.state === 'pendingCommitTimer');
    if (holder !== undefined) {
      throw new LockedError(`${device} is locked: configuration session ${holder[0]} of another netloom writer waits for its confirm; retry after it is confirmed or rolled back`, {
        details: { device, session: holder[0] },
      });
    }
    const lines = await this.#checkFresh(changeSet);
    const session = `${SESSION_PREFIX}${id}`;
    const log = this.#driver.logger.child({ session });
    try {
      await this.#client.run(['enable', `configure session ${session}`, ...lines]);
    } catch (e) {
      await this.#abort(session, 'a refused line');
      throw this.#commitError(e, 'while loading the change into the configuration session', 2);
    }
    let diff: string;
    try {
      const out = await this.#client.run(['enable', `configure session ${session}`, 'show session-config diffs'], { format: 'text' });
      diff = this.#decode(TextCodec, out[2], 'show session-config diffs').output;
    } catch (e) {
      await this.#abort(session, 'a failed diff');
      throw this.#commitError(e, 'while reading the session diff', 2);
    }
    if (diff.trim() === '') {
      await this.#abort(session, 'an empty diff');
      throw new CommitError(`${device}: the configuration session holds no change although the plan has ${changeSet.changes.length}; nothing was committed. Observe and plan again.`, { details: { device, session } });
    }
    log.debug({ diff }, 'session diff');
    const started = Date.now();
    await this.#commit(session, seconds);
    const tx: Transaction = { id, device, changeSet, state: 'applied', confirmBy: new Date(started + seconds * 1000).toISOString() };
    this.#transactions.set(id, { state: 'applied', session });
    this.#pending = tx;
    log.debug({ changes: changeSet.changes.length, confirmWithinSec: seconds }, 'applied with a commit timer');
    return tx;
  }

  /** Re-reads the switch and refuses a change set planned against another state. Returns the lines to send. */
  async #checkFresh(changeSet: ChangeSet): Promise<readonly string[]> {
    const device = this.#name;
    const state = await this.readState();
    const current = observeFabric(state).config;
    let next: unknown;
    try {
      next = applyChanges(current, changeSet.changes);
    } catch (e) {
      throw new CommitError(`${device}: the change set does not fit the switch's configuration (${e instanceof Error ? e.message : String(e)}); nothing was written. Observe and plan again.`, {
        cause: e,
        details: { device, written: 0 },
      });
    }
    const result = decodeOrThrow(FabricConfigCodec, next, `fabric config of ${device} after the change set`);
    const problems = eosProblems(result);
    if (problems.length > 0) throw InputError.fromProblems(`fabric config of ${device} after the change set`, problems);
    let lines: readonly string[];
    try {
      lines = renderChanges(changeSet.changes, state, this.#driver.renderSettings, `change set for ${device}`).lines;
    } catch (e) {
      throw new CommitError(`${device}: the switch can no longer take the change set (${e instanceof Error ? e.message : String(e)}); nothing was written. Observe and plan again.`, { cause: e, details: { device, written: 0 } });
    }
    const planned = changeSet.operations.map((o) => o.text);
    if (lines.length !== planned.length || lines.some((l, i) => l !== planned[i])) {
      const at = lines.findIndex((l, i) => l !== planned[i]);
      throw new CommitError(`${device}: the switch changed since the plan (line ${at + 1} would now be ${JSON.stringify(lines[at] ?? '(none)')}, the plan says ${JSON.stringify(planned[at] ?? '(none)')}); nothing was written. Observe and plan again.`, {
        details: { device, written: 0 },
      });
    }
    return lines;
  }

  #commitError(e: unknown, when: string, offset: number): Error {
    const device = this.#name;
    if (e instanceof DeviceAuthError) return e;
    if (e instanceof EapiCommandError) {
      const line = e.index === undefined ? undefined : e.index - offset + 1;
      return new CommitError(`${device}: the switch refused ${line === undefined ? 'a line' : `line ${line}`} ${when}: ${e.deviceText}; the session was aborted, nothing was committed`, {
        cause: e,
        details: { device, code: e.code, errors: [...e.errors] },
      });
    }
    const text = e instanceof Error ? e.message : String(e);
    return new CommitError(`${device}: ${when} failed (${text}); the session was aborted, nothing was committed`, { cause: e, details: { device } });
  }

  async #commit(session: string, seconds: number): Promise<void> {
    const device = this.#name;
    try {
      // A lost reply cannot be told from a lost request here: never retried blindly, the session's state decides.
      await this.#client.run(['enable', `configure session ${session}`, `commit timer ${hhmmss(seconds)}`], { retry: false });
      return;
    } catch (e) {
      if (e instanceof EapiCommandError) {
        await this.#abort(session, 'a refused commit');
        if (e.errors.some((x) => /pending commit timer/i.test(x))) {
          throw new LockedError(`${device} is locked: ${e.deviceText}; nothing was committed`, { cause: e, details: { device, session } });
        }
        throw this.#commitError(e, 'at commit', 2);
      }
      if (!isNetloomError(e) || e instanceof DeviceAuthError) throw e;
      let state: string | undefined;
      try {
        state = (await this.#sessions())[session]?.state;
      } catch (again) {
        throw new CommitError(`${device}: the commit's reply was lost and the session's state cannot be read (${again instanceof Error ? again.message : String(again)}); the switch rolls back by itself within ${seconds} s unless confirmed`, {
          cause: e,
          details: { device, session },
        });
      }
      if (state === 'pendingCommitTimer') {
        this.#driver.logger.warn({ session }, 'the commit reply was lost, but the switch holds the commit timer: continuing');
        return;
      }
      await this.#abort(session, 'a lost commit');
      throw new CommitError(`${device}: the commit was lost (${e.message}); the session was aborted, nothing was committed`, { cause: e, details: { device, session, state: state ?? null } });
    }
  }

  #record(tx: Transaction): TxRecord {
    if (tx.device !== this.#name) throw new InputError(`transaction ${tx.id} belongs to ${JSON.stringify(tx.device)}, not ${JSON.stringify(this.#name)}`);
    let rec = this.#transactions.get(tx.id);
    if (rec === undefined) {
      // A transaction of another session: the switch's session of the same name tells its state.
      rec = { state: tx.state, session: `${SESSION_PREFIX}${tx.id}` };
      this.#transactions.set(tx.id, rec);
    }
    return rec;
  }

  #settle(tx: Transaction, rec: TxRecord, state: Transaction['state']): void {
    rec.state = state;
    tx.state = state;
    if (this.#pending?.id === tx.id) this.#pending = undefined;
  }

  async confirm(opts: TransactionOptions): Promise<void> {
    this.#open();
    const tx = opts.transaction;
    const rec = this.#record(tx);
    if (rec.state === 'confirmed') return this.#settle(tx, rec, 'confirmed');
    if (rec.state === 'rolled-back') throw new CommitError(`${this.#name}: transaction ${tx.id} was rolled back; it cannot be confirmed`, { details: { device: this.#name, transaction: tx.id } });
    const before = (await this.#sessions())[rec.session]?.state;
    if (before === 'completed') return this.#settle(tx, rec, 'confirmed');
    if (before !== 'pendingCommitTimer') {
      this.#settle(tx, rec, 'rolled-back');
      throw new CommitError(`${this.#name}: transaction ${tx.id} was rolled back by the switch (its commit timer expired before the confirm); apply it again`, {
        details: { device: this.#name, transaction: tx.id, session: rec.session },
      });
    }
    try {
      await this.#client.run(['enable', `configure session ${rec.session} commit`], { retry: false });
    } catch (e) {
      const after = await this.#sessions().then(
        (s) => s[rec.session]?.state,
        () => undefined,
      );
      if (after === 'completed') return this.#settle(tx, rec, 'confirmed');
      if (after === undefined) this.#settle(tx, rec, 'rolled-back');
      throw new CommitError(`${this.#name}: confirming transaction ${tx.id} failed (${e instanceof Error ? e.message : String(e)})`, { cause: e, details: { device: this.#name, transaction: tx.id } });
    }
    this.#settle(tx, rec, 'confirmed');
  }

  async rollback(opts: TransactionOptions): Promise<void> {
    this.#open();
    const tx = opts.transaction;
    const rec = this.#record(tx);
    if (rec.state === 'rolled-back') return this.#settle(tx, rec, 'rolled-back');
    if (rec.state === 'confirmed') {
      if (tx.changeSet.changes.length === 0) return;
      throw new CommitError(`${this.#name}: transaction ${tx.id} is confirmed; it cannot be rolled back (apply a change set that undoes it)`, { details: { device: this.#name, transaction: tx.id } });
    }
    const state = (await this.#sessions())[rec.session]?.state;
    if (state === 'completed') {
      this.#settle(tx, rec, 'confirmed');
      throw new CommitError(`${this.#name}: transaction ${tx.id} was confirmed meanwhile; it cannot be rolled back`, { details: { device: this.#name, transaction: tx.id } });
    }
    if (state === 'pendingCommitTimer') {
      try {
        await this.#client.run(['enable', `configure session ${rec.session} abort`]);
      } catch (e) {
        const after = await this.#sessions().then(
          (s) => s[rec.session]?.state,
          () => 'unknown',
        );
        if (after !== undefined) throw new CommitError(`${this.#name}: rolling back transaction ${tx.id} failed (${e instanceof Error ? e.message : String(e)})`, { cause: e, details: { device: this.#name, transaction: tx.id } });
      }
    }
    this.#settle(tx, rec, 'rolled-back');
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    const pending = this.#pending;
    if (pending !== undefined) {
      try {
        await this.rollbackForClose(pending);
      } catch (e) {
        this.#driver.logger.warn({ transaction: pending.id, reason: e instanceof Error ? e.message : String(e) }, 'closing: could not roll back the unconfirmed transaction; the switch rolls it back when its commit timer expires');
      }
    }
    this.#client.close();
  }

  private async rollbackForClose(tx: Transaction): Promise<void> {
    const rec = this.#record(tx);
    await this.#client.run(['enable', `configure session ${rec.session} abort`]);
    this.#settle(tx, rec, 'rolled-back');
    this.#driver.logger.warn({ transaction: tx.id }, 'session closed with an unconfirmed transaction: rolled back');
  }
}
