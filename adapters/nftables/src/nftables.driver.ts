/**
 * The nftables firewall driver and session: the device lifecycle of `@netloom/ports` on the one table netloom owns.
 *
 * - **observe** lists the owned table as JSON (`nft -j list table inet netloom`) and rebuilds the config
 *   (`nftables.parse.ts`); a missing table is an empty config.
 * - **plan** validates, diffs with `diffConfig` and renders the change list as the exact lines of one nft script.
 * - **apply** takes the device lock, checks that the change set still fits the device, saves the table's text
 *   (`nft list table`), and runs the whole script as ONE `nft -f -` (the kernel applies it all or nothing).
 * - **rollback** restores the saved text atomically (`add table` + `delete table` + the saved table, one script);
 *   **confirm** drops it. nftables has no confirmed commit: a transaction has no `confirmBy` and never reverts by
 *   itself; an unconfirmed transaction is rolled back when its session closes.
 *
 * @packageDocumentation
 */
import {
  CommitError,
  DeviceConnectionError,
  DeviceProtocolError,
  InputError,
  assertCapabilities,
  capabilitiesForChanges,
  decodeOrThrow,
  diffConfig,
  firewallVocabulary,
  isSafeName,
  type ApplyOptions,
  type ChangeSet,
  type ConnectOptions,
  type DeviceFacts,
  type FirewallConfig,
  type FirewallDriver,
  type FirewallSession,
  type Logger,
  type ObserveResult,
  type PlanOptions,
  type Policy,
  type PortCapabilities,
  type PortFactoryOptions,
  type Transaction,
  type TransactionOptions,
} from '@netloom/ports';
import { EmulatedTransactions, assertPlannedOperations, changesOnto, type PendingTransaction } from '@netloom/local-device';
import { DeviceLock } from './nftables.lock';
import { DEFAULT_FAMILY, DEFAULT_TABLE, NftablesOptionsCodec, type NftablesOptions } from './nftables.options';
import { parseOwnedTable } from './nftables.parse';
import { assertRenderable, renderChanges } from './nftables.render';
import { LocalNftRunner, SshNftRunner, type NftResult, type NftRunner } from './nftables.runner';
import { NftStatements } from './nftables.syntax';
import { nftRunnerTaps } from './nftables.taps';

/** What the nftables adapter supports on the firewall port: everything the port names. */
export const NFTABLES_FIREWALL_CAPABILITIES = { zones: true, addressSets: true, policies: true } as const satisfies PortCapabilities<'firewall'>;

/** The `medium` of the rendered operations. */
export const NFT_MEDIUM = 'nft';

/** Creates the runner of one session (the default: local or SSH, as the options say). */
export type NftRunnerFactory = (opts: { readonly target: PortFactoryOptions['target']; readonly options: NftablesOptions; readonly logger: Logger; readonly connect: ConnectOptions }) => Promise<NftRunner>;

/** The default {@link NftRunnerFactory}: local (optionally in a namespace) or SSH. */
export const defaultRunnerFactory: NftRunnerFactory = async ({ target, options, logger, connect }) => {
  if (options.mode === 'ssh') {
    return SshNftRunner.connect({
      target,
      ...(options.nftPath === undefined ? {} : { nftPath: options.nftPath }),
      ...(options.netns === undefined ? {} : { netns: options.netns }),
      ...(connect.timeoutMs === undefined ? {} : { connectTimeoutMs: connect.timeoutMs }),
      ...(connect.signal === undefined ? {} : { signal: connect.signal }),
      logger,
    });
  }
  if (connect.signal?.aborted === true) throw new DeviceConnectionError(`connect to ${target.name} aborted`);
  return new LocalNftRunner({ ...(options.nftPath === undefined ? {} : { nftPath: options.nftPath }), ...(options.netns === undefined ? {} : { netns: options.netns }) });
};

/** Extra, programmatic options of {@link NftablesDriver} (not from the profile). */
export interface NftablesDriverExtras {
  /** Replaces how runners are made (tests: a recording runner). */
  readonly runnerFactory?: NftRunnerFactory;
  /** Where lock files live (default: the OS temp directory). */
  readonly lockDir?: string;
}

/**
 * The firewall port on nftables for one device.
 * @example
 * const driver = new NftablesDriver({ target: { name: 'vfw1' }, options: { mode: 'local', netns: 'vfw1' }, logger });
 * const session = await driver.connect();
 */
export class NftablesDriver implements FirewallDriver {
  readonly port = 'firewall' as const;
  readonly target: PortFactoryOptions['target'];
  readonly options: NftablesOptions;
  readonly family: string;
  readonly table: string;
  readonly logger: Logger;
  /** Identifies the device for the lock: where nft runs and which table. */
  readonly identity: string;
  readonly #extras: NftablesDriverExtras;
  #sessions = 0;

  constructor(opts: PortFactoryOptions, extras: NftablesDriverExtras = {}) {
    const name = opts.target.name;
    if (!isSafeName(name)) throw new InputError(`nftables firewall: target name ${JSON.stringify(name)} is not a safe name`);
    this.target = opts.target;
    this.options = decodeOrThrow(NftablesOptionsCodec, opts.options ?? {}, `options of nftables firewall ${name}`);
    this.family = this.options.family ?? DEFAULT_FAMILY;
    this.table = this.options.table ?? DEFAULT_TABLE;
    this.logger = opts.logger.child({ adapter: 'nftables', port: 'firewall', device: name });
    this.identity = deviceIdentity(opts.target, this.options);
    this.#extras = extras;
  }

  /**
   * Opens a session: starts the runner and checks that `nft` answers.
   * @throws DeviceConnectionError, DeviceAuthError, DeviceTimeoutError, InputError (SSH target incomplete)
   */
  async connect(opts: ConnectOptions = {}): Promise<NftablesSession> {
    const factory = this.#extras.runnerFactory ?? defaultRunnerFactory;
    const raw = await factory({ target: this.target, options: this.options, logger: this.logger, connect: opts });
    const runner = nftRunnerTaps.wrap(this.target.name, raw);
    const session = new NftablesSession(this, runner, ++this.#sessions, new DeviceLock(this.identity, this.target.name, this.#extras.lockDir));
    try {
      await session.version();
    } catch (e) {
      await runner.close();
      throw e;
    }
    this.logger.debug({ session: session.id, where: runner.where }, 'connected');
    return session;
  }
}

/** Turns empty optional lists and `log: false` into absent: the device cannot tell them apart, and they mean the same. */
export function normalizeConfig(config: FirewallConfig): FirewallConfig {
  const policy: Record<string, Policy> = {};
  for (const [k, p] of Object.entries(config.policy)) {
    const out: Record<string, unknown> = { ...p };
    for (const f of ['sourceAddresses', 'sourceAddressSets', 'destinationAddresses', 'destinationAddressSets', 'ports'] as const) {
      if ((p[f]?.length ?? 0) === 0) delete out[f];
    }
    if (p.log !== true) delete out['log'];
    policy[k] = out as unknown as Policy;
  }
  return { ...config, policy };
}

/** Runs nft for a read on `runner`; a refusal (not root) becomes `DeviceConnectionError`. */
async function readWith(runner: NftRunner, device: string, args: readonly string[]): Promise<NftResult> {
  const r = await runner.run(args);
  if (r.code !== 0 && NOT_PERMITTED.test(r.stderr)) {
    throw new DeviceConnectionError(`${device} (${runner.where}): nft ${args.join(' ')} was refused: ${r.stderr.trim()} (nft needs root or CAP_NET_ADMIN)`, {
      details: { device, stderr: r.stderr.trim() },
    });
  }
  return r;
}

/** Options of {@link readOwnedConfig}. */
export interface ReadOwnedOptions {
  readonly runner: NftRunner;
  /** The device's name, for messages. */
  readonly device: string;
  readonly family: string;
  readonly table: string;
  /** Where objects that netloom cannot map are reported (warn). */
  readonly logger?: Logger;
  /** Check the rules of `forward` (default true; false for a table without one). */
  readonly checkForward?: boolean;
}

/**
 * Lists `family table` as JSON and rebuilds the firewall config it holds (normalised: see {@link normalizeConfig}).
 * A missing table is an empty config.
 *
 * @throws DeviceProtocolError (a reply that does not validate), DeviceConnectionError, DeviceTimeoutError
 */
export async function readOwnedConfig(opts: ReadOwnedOptions): Promise<FirewallConfig> {
  const { runner, device, family, table } = opts;
  const r = await readWith(runner, device, ['-j', 'list', 'table', family, table]);
  if (r.code !== 0) {
    if (MISSING.test(r.stderr)) return firewallVocabulary.empty();
    throw new DeviceProtocolError(`${device} (${runner.where}): nft -j list table ${family} ${table} failed: ${r.stderr.trim()}`, { details: { device, stderr: r.stderr.trim() } });
  }
  const report = parseOwnedTable(r.stdout, family, table, { ...(opts.checkForward === undefined ? {} : { checkForward: opts.checkForward }) });
  if (report.skipped.length > 0) opts.logger?.warn({ skipped: report.skipped }, 'objects in the table that netloom did not write as they are; plan re-creates them when desired');
  return normalizeConfig(report.config);
}

/** The identity of a device for the lock: where nft runs, the namespace, the table. */
export function deviceIdentity(target: PortFactoryOptions['target'], options: NftablesOptions): string {
  const where = options.mode === 'ssh' ? `ssh ${target.address ?? '?'}:${target.port ?? 22}` : 'local';
  return `${where} netns=${options.netns ?? '-'} ${options.family ?? DEFAULT_FAMILY} ${options.table ?? DEFAULT_TABLE}`;
}

/** What undoes a pending nftables transaction. */
interface Undo {
  /** The table's text before the apply; `null`: there was no table. */
  readonly snapshot: string | null;
}

const MISSING = /No such file or directory/;
const NOT_PERMITTED = /Operation not permitted|Permission denied/;

/** A session with one nftables firewall. */
export class NftablesSession implements FirewallSession {
  readonly id: number;
  readonly runner: NftRunner;
  readonly #driver: NftablesDriver;
  readonly #statements: NftStatements;
  readonly #txs: EmulatedTransactions<Undo>;

  constructor(driver: NftablesDriver, runner: NftRunner, id: number, lock: DeviceLock) {
    this.#driver = driver;
    this.runner = runner;
    this.id = id;
    this.#statements = new NftStatements(driver.family, driver.table);
    this.#txs = new EmulatedTransactions<Undo>({
      device: driver.target.name,
      port: 'firewall',
      session: id,
      lock,
      logger: driver.logger,
      restore: (pending) => this.#restore(pending),
      closeRunner: () => runner.close(),
    });
  }

  get #name(): string {
    return this.#driver.target.name;
  }

  /** Runs nft for a read; maps a refusal to a device error. */
  #read(args: readonly string[]): Promise<NftResult> {
    return readWith(this.runner, this.#name, args);
  }

  /** `nft --version` → the version text (`1.0.6`). @throws DeviceProtocolError */
  async version(): Promise<string> {
    const r = await this.#read(['--version']);
    const m = /v?([0-9]+\.[0-9]+(\.[0-9]+)*)/.exec(r.stdout);
    if (r.code !== 0 || m === null) throw new DeviceProtocolError(`${this.#name} (${this.runner.where}): nft --version answered ${JSON.stringify((r.stdout + r.stderr).trim().slice(0, 200))}`);
    return m[1]!;
  }

  async facts(): Promise<DeviceFacts> {
    this.#txs.assertOpen();
    const osVersion = await this.version();
    const sys = await this.runner.system();
    return {
      vendor: 'netfilter',
      model: 'nftables',
      osVersion,
      ...(sys.hostname === '' ? {} : { hostname: sys.hostname }),
      extra: { kernel: sys.kernel, runner: this.runner.where, table: `${this.#driver.family} ${this.#driver.table}` },
    };
  }

  /** The owned config as the device holds it now. */
  async #observe(): Promise<FirewallConfig> {
    return readOwnedConfig({ runner: this.runner, device: this.#name, family: this.#driver.family, table: this.#driver.table, logger: this.#driver.logger });
  }

  async observe(): Promise<ObserveResult<FirewallConfig>> {
    this.#txs.assertOpen();
    const config = await this.#observe();
    return { config, observedAt: new Date().toISOString() };
  }

  async plan(opts: PlanOptions<FirewallConfig>): Promise<ChangeSet> {
    this.#txs.assertOpen();
    const name = this.#name;
    const desired = normalizeConfig(decodeOrThrow(firewallVocabulary.configCodec, opts.desired, `desired firewall config of ${name}`));
    assertCapabilities('firewall', name, firewallVocabulary.capabilitiesUsed(desired), NFTABLES_FIREWALL_CAPABILITIES);
    assertRenderable(desired, `desired firewall config of ${name}`);
    const observed =
      opts.observed === undefined ? await this.#observe() : normalizeConfig(decodeOrThrow(firewallVocabulary.configCodec, opts.observed, `observed firewall config of ${name}`));
    const changes = diffConfig({ desired, observed, order: firewallVocabulary.order });
    assertCapabilities('firewall', name, capabilitiesForChanges(firewallVocabulary, changes), NFTABLES_FIREWALL_CAPABILITIES);
    const lines = renderChanges({ statements: this.#statements, changes, next: desired });
    return { device: name, port: 'firewall', changes, operations: lines.map((text) => ({ medium: NFT_MEDIUM, text })) };
  }

  /** The table's text now, or `null` when there is no table. */
  async #snapshot(): Promise<string | null> {
    const { family, table } = this.#driver;
    const r = await this.#read(['list', 'table', family, table]);
    if (r.code === 0) return r.stdout;
    if (MISSING.test(r.stderr)) return null;
    throw new DeviceProtocolError(`${this.#name} (${this.runner.where}): nft list table ${family} ${table} failed: ${r.stderr.trim()}`, { details: { device: this.#name, stderr: r.stderr.trim() } });
  }

  apply(opts: ApplyOptions): Promise<Transaction> {
    return this.#txs.apply(opts, { write: () => this.#write(opts.changeSet) });
  }

  /** Checks that the change set still fits the device, saves the table and runs the script (under the lock). */
  async #write(changeSet: ChangeSet): Promise<{ undo: Undo; log: Record<string, unknown> }> {
    const name = this.#name;
    assertCapabilities('firewall', name, capabilitiesForChanges(firewallVocabulary, changeSet.changes), NFTABLES_FIREWALL_CAPABILITIES);
    const wording = { device: name, noun: 'device' };
    const current = await this.#observe();
    let next = changesOnto(current, changeSet.changes, wording);
    next = normalizeConfig(decodeOrThrow(firewallVocabulary.configCodec, next, `firewall config of ${name} after the change set`));
    assertRenderable(next, `firewall config of ${name} after the change set`);
    const lines = renderChanges({ statements: this.#statements, changes: changeSet.changes, next });
    assertPlannedOperations(changeSet.operations, lines, NFT_MEDIUM, 'the script', wording);
    const snapshot = await this.#snapshot();
    const r = await this.runner.run(['-f', '-'], `${lines.join('\n')}\n`);
    if (r.code !== 0) {
      const text = r.stderr.trim();
      this.#driver.logger.warn({ stderr: text }, 'nft rejected the script; nothing was applied');
      throw new CommitError(`${name}: nft rejected the change set, so nothing of it was applied (nft applies a script all or nothing); the device is at its last committed configuration. nft said: ${text}`, {
        details: { device: name, written: 0, restored: true, stderr: text },
      });
    }
    return { undo: { snapshot }, log: { lines: lines.length } };
  }

  confirm(opts: TransactionOptions): Promise<void> {
    return this.#txs.confirm(opts.transaction);
  }

  rollback(opts: TransactionOptions): Promise<void> {
    return this.#txs.rollback(opts.transaction);
  }

  /** The script that puts the table back as it was before the pending transaction. */
  restoreScript(snapshot: string | null): string {
    const s = this.#statements;
    // `add` first so that `delete` cannot fail on a table someone removed meanwhile.
    return `${s.addTable()}\n${s.deleteTable()}\n${snapshot ?? ''}`;
  }

  /** Restores the table saved before `pending` in one atomic script. @throws CommitError */
  async #restore(pending: PendingTransaction<Undo>): Promise<void> {
    const r = await this.runner.run(['-f', '-'], this.restoreScript(pending.undo.snapshot));
    if (r.code !== 0) {
      const text = r.stderr.trim();
      throw new CommitError(`${this.#name}: restoring the table before transaction ${pending.tx.id} failed; the device still holds it. nft said: ${text}`, {
        details: { device: this.#name, transaction: pending.tx.id, stderr: text },
      });
    }
  }

  close(): Promise<void> {
    return this.#txs.close();
  }
}
