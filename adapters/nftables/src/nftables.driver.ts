/**
 * The nftables firewall driver and session: the device lifecycle of `@netloom/ports` on the one table netloom owns.
 *
 * - **observe** lists the owned table as JSON (`nft -j list table inet netloom`) and rebuilds the config
 *   (`nftables.parse.ts`); a missing table is an empty config.
 * - **plan** validates, diffs with `diffConfig` and renders the change list as the exact lines of one nft script.
 * - **apply** takes the device lock, checks that the change set still fits the device, saves the table's text
 *   (`nft list table`), and runs the whole script as ONE `nft -f -` (the kernel applies it all or nothing).
 *   Zones' legs (port API 1.2, `nftables.legs.ts`) are commands around it: legs that appear (or change) are made
 *   before the script, legs that go are removed after it. A failed command undoes the leg commands of this apply
 *   that ran, newest first, and the saved table is put back when the script already ran.
 * - **rollback** undoes the leg commands and restores the saved text atomically (`add table` + `delete table` + the
 *   saved table, one script); **confirm** drops them. nftables has no confirmed commit: a transaction has no
 *   `confirmBy` and never reverts by itself; an unconfirmed transaction is rolled back when its session closes.
 *
 * @packageDocumentation
 */
import {
  CommitError,
  DeviceConnectionError,
  DeviceProtocolError,
  InputError,
  NotSupportedError,
  assertCapabilities,
  capabilitiesForChanges,
  configEquals,
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
  type Zone,
  type PortFactoryOptions,
  type RenderedOperation,
  type Transaction,
  type TransactionOptions,
} from '@netloom/ports';
import { EmulatedTransactions, changesOnto, commandText, type PendingTransaction } from '@netloom/local-device';
import { attachLegs, forwardStep, legsOfConfig, observedLegsOfConfig, readForwarding, readLegs, renderLegSteps, type LegContext, type LegStep, type LegSteps, type ObservedLeg } from './nftables.legs';
import { DeviceLock } from './nftables.lock';
import { DEFAULT_FAMILY, DEFAULT_TABLE, NftablesOptionsCodec, type NftablesOptions } from './nftables.options';
import { parseOwnedTable } from './nftables.parse';
import { assertRenderable, renderChanges } from './nftables.render';
import { LocalNftRunner, SshNftRunner, type NftResult, type NftRunner } from './nftables.runner';
import { NftStatements } from './nftables.syntax';
import { nftRunnerTaps } from './nftables.taps';

/** What the nftables adapter supports on the firewall port: everything the port names (legs since port API 1.2). */
export const NFTABLES_FIREWALL_CAPABILITIES = { zones: true, addressSets: true, policies: true, legs: true } as const satisfies PortCapabilities<'firewall'>;

/** The `medium` of the rendered nft script lines. */
export const NFT_MEDIUM = 'nft';
/** The `medium` of the rendered leg commands: one argument vector each, shown as a shell-quoted line. */
export const LEG_MEDIUM = 'argv';

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
  /** Where and how the zones' legs are made. */
  readonly legs: LegContext;
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
    this.legs = legContextOf(this.options);
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

/** Turns empty optional lists (legs too) and `log: false` into absent: the device cannot tell them apart, and they mean the same. */
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
  const zone: Record<string, Zone> = {};
  for (const [k, z] of Object.entries(config.zone)) {
    if (z.legs !== undefined && z.legs.length === 0) {
      const { legs: _none, ...rest } = z;
      zone[k] = rest as Zone;
    } else zone[k] = z;
  }
  return { ...config, zone, policy };
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

/** The leg context of the adapter options: the firewall's namespace and the OVS bridge, if any. */
export function legContextOf(options: NftablesOptions): LegContext {
  return {
    ...(options.netns === undefined ? {} : { netns: options.netns }),
    ...(options.ovs === undefined
      ? {}
      : { ovs: { bridge: options.ovs.bridge, ...(options.ovs.db === undefined ? {} : { db: options.ovs.db }), ...(options.ovs.netns === undefined ? {} : { netns: options.ovs.netns }) } }),
  };
}

/** What a firewall holds: the config (legs in their zones) and every interface with a leg marker. */
export interface FirewallView {
  readonly config: FirewallConfig;
  readonly legs: ReadonlyMap<string, ObservedLeg>;
  /** The names of the interfaces of the firewall's namespace. */
  readonly interfaces: readonly string[];
}

/** Options of {@link readFirewall}. */
export interface ReadFirewallOptions extends ReadOwnedOptions {
  readonly legs: LegContext;
}

/**
 * The owned table ({@link readOwnedConfig}) and the legs (`readLegs`), the legs moved into their zones.
 * @throws DeviceProtocolError, DeviceConnectionError, DeviceTimeoutError
 */
export async function readFirewall(opts: ReadFirewallOptions): Promise<FirewallView> {
  const table = await readOwnedConfig(opts);
  const view = await readLegs(opts.runner, opts.device, opts.legs);
  return { config: normalizeConfig(attachLegs(table, view.legs, opts.device, opts.logger)), legs: view.legs, interfaces: view.links.map((l) => l.ifname) };
}

/** The rendered operations of a change: the leg commands before the script, the script's lines, the leg commands after it. */
export function operationsOf(lines: readonly string[], steps: LegSteps): RenderedOperation[] {
  const argv = (s: LegStep): RenderedOperation => ({ medium: LEG_MEDIUM, text: commandText(s.argv) });
  return [...steps.pre.map(argv), ...lines.map((text) => ({ medium: NFT_MEDIUM, text })), ...steps.post.map(argv)];
}

/** The identity of a device for the lock: where nft runs, the namespace, the table. */
export function deviceIdentity(target: PortFactoryOptions['target'], options: NftablesOptions): string {
  const where = options.mode === 'ssh' ? `ssh ${target.address ?? '?'}:${target.port ?? 22}` : 'local';
  return `${where} netns=${options.netns ?? '-'} ${options.family ?? DEFAULT_FAMILY} ${options.table ?? DEFAULT_TABLE}`;
}

/** The table to put back: its text before the apply (`null`: there was none). */
interface TableRestore {
  readonly snapshot: string | null;
}

/** What undoes a pending nftables transaction. */
interface Undo {
  /** The table's text before the apply; `null`: there was no table. */
  readonly snapshot: string | null;
  /** The leg commands that ran before the script, in order (undone newest first, after the table is restored). */
  readonly pre: readonly LegStep[];
  /** The leg commands that ran after the script (undone first). */
  readonly post: readonly LegStep[];
  /** The config before the apply (what a rollback must reach). */
  readonly before: FirewallConfig;
}

const MISSING = /No such file or directory/;

/**
 * Fails unless the planned operations are exactly `expected` (texts and media, in order): the device changed since the
 * plan, or the operations were edited.
 * @throws CommitError
 */
function assertPlanned(planned: readonly RenderedOperation[], expected: readonly RenderedOperation[], device: string): void {
  if (!configEquals(planned.map((o) => [o.medium, o.text]), expected.map((o) => [o.medium, o.text]))) {
    throw new CommitError(
      `${device}: the change set's operations are not the script and leg commands these changes need on the device as it is now (objects outside the change set changed since the plan, or the operations were edited); nothing was written. Observe and plan again.`,
      { details: { device, written: 0 } },
    );
  }
}
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
  #readNft(args: readonly string[]): Promise<NftResult> {
    return readWith(this.runner, this.#name, args);
  }

  /** `nft --version` → the version text (`1.0.6`). @throws DeviceProtocolError */
  async version(): Promise<string> {
    const r = await this.#readNft(['--version']);
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

  /** The owned config (legs in their zones) and the marked interfaces, as the device holds them now. */
  #read(): Promise<FirewallView> {
    const d = this.#driver;
    return readFirewall({ runner: this.runner, device: this.#name, family: d.family, table: d.table, logger: d.logger, legs: d.legs });
  }

  /** The owned config as the device holds it now. */
  async #observe(): Promise<FirewallConfig> {
    return (await this.#read()).config;
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
    let observed: FirewallConfig;
    let legs: ReadonlyMap<string, ObservedLeg>;
    if (opts.observed === undefined) {
      const view = await this.#read();
      observed = view.config;
      legs = view.legs;
    } else {
      observed = normalizeConfig(decodeOrThrow(firewallVocabulary.configCodec, opts.observed, `observed firewall config of ${name}`));
      legs = observedLegsOfConfig(observed);
    }
    const changes = diffConfig({ desired, observed, order: firewallVocabulary.order });
    assertCapabilities('firewall', name, capabilitiesForChanges(firewallVocabulary, changes), NFTABLES_FIREWALL_CAPABILITIES);
    if (changes.length === 0) return { device: name, port: 'firewall', changes, operations: [] };
    const lines = renderChanges({ statements: this.#statements, changes, next: desired });
    return { device: name, port: 'firewall', changes, operations: operationsOf(lines, renderLegSteps(legs, legsOfConfig(desired), this.#driver.legs)) };
  }

  /** The table's text now, or `null` when there is no table. */
  async #snapshot(): Promise<string | null> {
    const { family, table } = this.#driver;
    const r = await this.#readNft(['list', 'table', family, table]);
    if (r.code === 0) return r.stdout;
    if (MISSING.test(r.stderr)) return null;
    throw new DeviceProtocolError(`${this.#name} (${this.runner.where}): nft list table ${family} ${table} failed: ${r.stderr.trim()}`, { details: { device: this.#name, stderr: r.stderr.trim() } });
  }

  apply(opts: ApplyOptions): Promise<Transaction> {
    return this.#txs.apply(opts, { write: () => this.#write(opts.changeSet) });
  }

  /**
   * Checks that the change set still fits the device, then (under the lock): the leg commands that create, the script,
   * the leg commands that delete. A failure undoes what this apply did and throws (CommitError; NotSupportedError when
   * the firewall cannot make a leg at all).
   */
  async #write(changeSet: ChangeSet): Promise<{ undo: Undo; log: Record<string, unknown> }> {
    const name = this.#name;
    const ctx = this.#driver.legs;
    assertCapabilities('firewall', name, capabilitiesForChanges(firewallVocabulary, changeSet.changes), NFTABLES_FIREWALL_CAPABILITIES);
    const wording = { device: name, noun: 'device' };
    const current = await this.#read();
    let next = changesOnto(current.config, changeSet.changes, wording);
    next = normalizeConfig(decodeOrThrow(firewallVocabulary.configCodec, next, `firewall config of ${name} after the change set`));
    assertRenderable(next, `firewall config of ${name} after the change set`);
    const lines = renderChanges({ statements: this.#statements, changes: changeSet.changes, next });
    const rendered = renderLegSteps(current.legs, legsOfConfig(next), ctx);
    assertPlanned(changeSet.operations, operationsOf(lines, rendered), name);
    this.#assertUplinks(rendered, legsOfConfig(next), current.interfaces);
    // The undo of switching forwarding on is known only now.
    const pre = rendered.pre.map((step) => (step.leg === undefined && step.argv.join(' ') === forwardStep(ctx).argv.join(' ') ? undefined : step));
    const forwarding = pre.includes(undefined) ? await readForwarding(this.runner, name, ctx) : undefined;
    const steps: LegSteps = { pre: pre.map((step) => step ?? forwardStep(ctx, forwarding)), post: rendered.post };
    const snapshot = await this.#snapshot();
    const donePre = await this.#runSteps(steps.pre, [], current.config, undefined, 'before the script');
    const r = await this.runner.run(['-f', '-'], `${lines.join('\n')}\n`);
    if (r.code !== 0) {
      const text = r.stderr.trim();
      this.#driver.logger.warn({ stderr: text }, 'nft rejected the script; nothing of it was applied');
      await this.#fail(`${name}: nft rejected the change set, so nothing of the script was applied (nft applies a script all or nothing). nft said: ${text}`, [], undefined, donePre, current.config, undefined, { stderr: text });
    }
    const donePost = await this.#runSteps(steps.post, donePre, current.config, { snapshot }, 'after the script');
    return { undo: { snapshot, pre: donePre, post: donePost, before: current.config }, log: { lines: lines.length, legCommands: donePre.length + donePost.length } };
  }

  /**
   * An 802.1Q leg needs its uplink in the firewall's namespace: without it the firewall offers no leg on that trunk.
   * @throws NotSupportedError naming the leg
   */
  #assertUplinks(steps: LegSteps, next: ReadonlyMap<string, { readonly zone: string; readonly uplink: string; readonly vlan: number }>, interfaces: readonly string[]): void {
    if (this.#driver.legs.ovs !== undefined) return;
    const made = new Set(steps.pre.flatMap((s) => (s.leg === undefined ? [] : [s.leg.interface])));
    for (const [iface, l] of next) {
      if (!made.has(iface) || interfaces.includes(l.uplink)) continue;
      const where = this.#driver.legs.netns === undefined ? 'its namespace' : `namespace ${this.#driver.legs.netns}`;
      throw new NotSupportedError(`${this.#name}: leg ${iface} of zone ${l.zone} needs VLAN ${l.vlan} of uplink ${l.uplink}, but ${where} has no interface ${l.uplink}, so the firewall offers no leg on it (or give the adapter the ovs option); nothing was written`, {
        details: { device: this.#name, leg: iface, zone: l.zone, uplink: l.uplink, written: 0 },
      });
    }
  }

  /**
   * Runs leg steps in order; on a failure undoes them, then restores the table (when `table` is given: the script
   * ran), then undoes `earlier`, and throws. Returns the steps that ran.
   */
  async #runSteps(steps: readonly LegStep[], earlier: readonly LegStep[], before: FirewallConfig, table: TableRestore | undefined, phase: string): Promise<LegStep[]> {
    const done: LegStep[] = [];
    for (const [index, step] of steps.entries()) {
      let failure: string;
      let cause: unknown;
      let stderr = '';
      try {
        const r = await this.runner.exec(step.argv, { write: true });
        if (r.code === 0) {
          done.push(step);
          continue;
        }
        stderr = r.stderr.trim();
        failure = `${commandText(step.argv)} failed (exit ${r.code}): ${stderr}`;
      } catch (e) {
        failure = `${commandText(step.argv)} could not run: ${e instanceof Error ? e.message : String(e)}`;
        cause = e;
      }
      const what = step.leg === undefined ? 'switching IPv4 forwarding on' : `leg ${step.leg.interface}${step.leg.zone === undefined ? '' : ` of zone ${step.leg.zone}`}`;
      const unsupported = /Unknown device type|Operation not supported/.test(stderr) && step.argv.includes('vlan') ? 'this kernel cannot make 802.1Q sub-interfaces (CONFIG_VLAN_8021Q); give the adapter the ovs option' : undefined;
      await this.#fail(`${this.#name}: ${what}: step ${index + 1} of ${steps.length} ${phase}, ${failure}${unsupported === undefined ? '' : ` (${unsupported})`}`, done, table, earlier, before, cause, {
        ...(step.leg === undefined ? {} : { leg: step.leg.interface }),
        ...(stderr === '' ? {} : { stderr }),
        ...(unsupported === undefined ? {} : { unsupported: true }),
      });
    }
    return done;
  }

  /** Undoes `later` (newest first), restores the table (when `table` is given), undoes `earlier`, verifies `before` and throws. */
  async #fail(what: string, later: readonly LegStep[], table: TableRestore | undefined, earlier: readonly LegStep[], before: FirewallConfig, cause: unknown, details: Record<string, unknown>): Promise<never> {
    const problems = await this.#undo(later, table, earlier);
    const now = await this.#observe().catch(() => undefined);
    const back = now !== undefined && configEquals(now, before);
    this.#driver.logger.warn({ what, undone: later.length + earlier.length, problems }, back ? 'apply failed; undone' : 'apply failed; the undo did not restore the firewall');
    const message = back
      ? `${what}; what this apply did was undone, and the firewall is at its last committed configuration`
      : `${what}; undoing this apply did not restore the firewall (${problems.join('; ') || 'it reads back differently'}): observe and plan again`;
    const options = { ...(cause === undefined ? {} : { cause }), details: { device: this.#name, restored: back, ...details, ...(problems.length > 0 ? { undoProblems: problems } : {}) } };
    if (details['unsupported'] === true && back) throw new NotSupportedError(message, options);
    throw new CommitError(message, options);
  }

  /** The undo commands of `later` (newest first), the table's restore (when `table` is given), the undo of `earlier`. Returns what failed. */
  async #undo(later: readonly LegStep[], table: TableRestore | undefined, earlier: readonly LegStep[]): Promise<string[]> {
    const problems = await this.#undoSteps(later);
    if (table !== undefined) {
      const r = await this.runner.run(['-f', '-'], this.restoreScript(table.snapshot));
      if (r.code !== 0) problems.push(`restoring the table: ${r.stderr.trim()}`);
    }
    problems.push(...(await this.#undoSteps(earlier)));
    return problems;
  }

  async #undoSteps(done: readonly LegStep[]): Promise<string[]> {
    const problems: string[] = [];
    for (const step of [...done].reverse()) {
      for (const argv of step.undo) {
        try {
          const r = await this.runner.exec(argv, { write: true });
          if (r.code !== 0) problems.push(`${commandText(argv)}: ${r.stderr.trim()}`);
        } catch (e) {
          problems.push(`${commandText(argv)}: ${e instanceof Error ? e.message : String(e)}`);
        }
      }
    }
    return problems;
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

  /** Undoes the leg commands of `pending` and restores its saved table (one atomic script). @throws CommitError */
  async #restore(pending: PendingTransaction<Undo>): Promise<void> {
    const { pre, post, snapshot, before } = pending.undo;
    if (pre.length + post.length === 0) {
      const r = await this.runner.run(['-f', '-'], this.restoreScript(snapshot));
      if (r.code === 0) return;
      const text = r.stderr.trim();
      throw new CommitError(`${this.#name}: restoring the table before transaction ${pending.tx.id} failed; the device still holds it. nft said: ${text}`, {
        details: { device: this.#name, transaction: pending.tx.id, stderr: text },
      });
    }
    const problems = await this.#undo(post, { snapshot }, pre);
    const now = await this.#observe();
    if (!configEquals(now, before)) {
      throw new CommitError(`${this.#name}: rolling back transaction ${pending.tx.id} did not restore the firewall (${problems.join('; ') || 'it reads back differently'})`, {
        details: { device: this.#name, transaction: pending.tx.id, undoProblems: problems },
      });
    }
  }

  close(): Promise<void> {
    return this.#txs.close();
  }
}
