/**
 * The fabric port on a Linux router: the device lifecycle of `@netloom/ports` over the namespaces, bridges and legs
 * netloom owns (see `linux-router.names.ts` for the mapping).
 *
 * Linux applies every command at once and has no commit, so the port's transaction is emulated, as the RGOS and
 * nftables adapters do for immediate-apply devices:
 *
 * ```
 * apply:    lock file (O_EXCL; a second writer → LockedError), observe (a stale plan → CommitError, nothing written),
 *           the planned steps in order, each with its undo steps computed from the device as observed,
 *           observe again (must be exactly the planned result)
 * failure:  the undo steps of every step that ran, newest first; observe (must be the config before the apply);
 *           CommitError with the command's own error text (or, when the undo fails, what is left)
 * confirm:  drops the undo steps, frees the lock
 * rollback: the undo steps, newest first; observe (verify); frees the lock
 * close:    rolls an unconfirmed transaction back
 * ```
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
  configEquals,
  decodeOrThrow,
  diffConfig,
  fabricVocabulary,
  isSafeName,
  type AnycastGateway,
  type ApplyOptions,
  type ChangeSet,
  type ConnectOptions,
  type DeviceFacts,
  type FabricConfig,
  type FabricDriver,
  type FabricSession,
  type L2Segment,
  type Logger,
  type ObserveResult,
  type PlanOptions,
  type PortCapabilities,
  type PortFactoryOptions,
  type Transaction,
  type TransactionOptions,
  type Vrf,
} from '@netloom/ports';
import { EmulatedTransactions, assertPlannedOperations, changesOnto, type PendingTransaction } from '@netloom/local-device';
import { DeviceLock } from './linux-router.lock';
import { DEFAULT_NETNS_PREFIX, LinuxRouterOptionsCodec, type LinuxRouterOptions } from './linux-router.options';
import { readCommand, readOwnedConfig } from './linux-router.parse';
import { assertRenderable, commandText, modelOf, renderSteps, type RenderContext, type Step } from './linux-router.render';
import { LocalRouterRunner, routerRunnerTaps, type RouterRunner } from './linux-router.runner';

/**
 * What the Linux router supports on the fabric port: VRFs (namespaces), segments (bridges) with IPv4 and IPv6
 * anycast gateways, access bindings (legs of the uplink), static routes in a VRF (`proto static` routes in its
 * namespace, port API 1.2). No interconnect, no flood VTEPs (no BGP, no VXLAN), no confirmed commit (netloom rolls
 * back itself).
 */
export const LINUX_ROUTER_FABRIC_CAPABILITIES = {
  l2Segment: true,
  vrf: true,
  anycastGateway: true,
  accessBinding: true,
  interconnect: false,
  confirmedCommit: false,
  floodVtep: false,
  staticRoute: true,
} as const satisfies PortCapabilities<'fabric'>;

/** The `medium` of the rendered operations: one argument vector each, shown as a shell-quoted line. */
export const LINUX_ROUTER_MEDIUM = 'argv';

/** Creates the runner of one session (the default: {@link LocalRouterRunner}). */
export type RouterRunnerFactory = (opts: { readonly options: LinuxRouterOptions; readonly connect: ConnectOptions }) => Promise<RouterRunner>;

/** Extra, programmatic options of {@link LinuxRouterDriver} (not from the profile). */
export interface LinuxRouterDriverExtras {
  /** Replaces how runners are made (tests: a recording runner). */
  readonly runnerFactory?: RouterRunnerFactory;
}

/** The render context of the adapter options. */
export function renderContextOf(options: LinuxRouterOptions): RenderContext {
  return {
    uplink: options.uplink,
    netnsPrefix: options.netnsPrefix ?? DEFAULT_NETNS_PREFIX,
    ...(options.netns === undefined ? {} : { hostNetns: options.netns }),
    ...(options.ovs === undefined ? {} : { ovs: { bridge: options.ovs.bridge, ...(options.ovs.db === undefined ? {} : { db: options.ovs.db }) } }),
  };
}

/** The identity of a router for its lock: the host namespace, the uplink and the prefix. */
export function deviceIdentity(options: LinuxRouterOptions): string {
  return `local netns=${options.netns ?? '-'} uplink=${options.uplink} prefix=${options.netnsPrefix ?? DEFAULT_NETNS_PREFIX}`;
}

/** Drops what the router cannot tell from absent: empty route-target and gateway address lists. */
export function normalizeFabric(config: FabricConfig): FabricConfig {
  const vrf: Record<string, Vrf> = {};
  for (const [k, v] of Object.entries(config.vrf)) {
    const { importRouteTargets, exportRouteTargets, ...rest } = v;
    vrf[k] = { ...rest, ...((importRouteTargets?.length ?? 0) > 0 ? { importRouteTargets } : {}), ...((exportRouteTargets?.length ?? 0) > 0 ? { exportRouteTargets } : {}) };
  }
  const segment: Record<string, L2Segment> = {};
  for (const [k, s] of Object.entries(config.segment)) {
    const { anycastGateway, ...rest } = s;
    if (anycastGateway === undefined) {
      segment[k] = s;
      continue;
    }
    const { ipv4, ipv6, ...g } = anycastGateway;
    const gateway = { ...g, ...((ipv4?.length ?? 0) > 0 ? { ipv4 } : {}), ...((ipv6?.length ?? 0) > 0 ? { ipv6 } : {}) } as AnycastGateway;
    segment[k] = { ...rest, anycastGateway: gateway };
  }
  return { ...config, vrf, segment };
}

/**
 * The fabric port on a Linux router for one device.
 * @example
 * const driver = new LinuxRouterDriver({ target: { name: 'router1' }, options: { uplink: 'eth1' }, logger });
 * const session = await driver.connect();
 */
export class LinuxRouterDriver implements FabricDriver {
  readonly port = 'fabric' as const;
  readonly target: PortFactoryOptions['target'];
  readonly options: LinuxRouterOptions;
  readonly ctx: RenderContext;
  readonly logger: Logger;
  readonly identity: string;
  readonly #extras: LinuxRouterDriverExtras;
  #sessions = 0;

  constructor(opts: PortFactoryOptions, extras: LinuxRouterDriverExtras = {}) {
    const name = opts.target.name;
    if (!isSafeName(name)) throw new InputError(`linux-router fabric: target name ${JSON.stringify(name)} is not a safe name`);
    this.target = opts.target;
    this.options = decodeOrThrow(LinuxRouterOptionsCodec, opts.options ?? {}, `options of linux-router fabric ${name}`);
    this.ctx = renderContextOf(this.options);
    this.logger = opts.logger.child({ adapter: 'linux-router', port: 'fabric', device: name });
    this.identity = deviceIdentity(this.options);
    this.#extras = extras;
  }

  /**
   * Opens a session: checks that `ip` runs and that the uplink exists.
   * @throws DeviceConnectionError (no `ip`, no namespace, no uplink), DeviceTimeoutError
   */
  async connect(opts: ConnectOptions = {}): Promise<LinuxRouterSession> {
    if (opts.signal?.aborted === true) throw new DeviceConnectionError(`connect to ${this.target.name} aborted`);
    const raw = this.#extras.runnerFactory === undefined ? new LocalRouterRunner(opts.timeoutMs === undefined ? {} : { timeoutMs: opts.timeoutMs }) : await this.#extras.runnerFactory({ options: this.options, connect: opts });
    const runner = routerRunnerTaps.wrap(this.target.name, raw);
    const session = new LinuxRouterSession(this, runner, ++this.#sessions, new DeviceLock(this.identity, this.target.name, this.options.stateDir));
    try {
      await session.checkUplink();
    } catch (e) {
      await runner.close();
      throw e;
    }
    this.logger.debug({ session: session.id }, 'connected');
    return session;
  }
}

/** What undoes a pending router transaction. */
interface Undo {
  /** The steps that ran, in order (their undo runs newest first). */
  readonly done: readonly Step[];
  /** The owned config before the apply (what rollback must reach). */
  readonly before: FabricConfig;
}

/** A session with one Linux router. */
export class LinuxRouterSession implements FabricSession {
  readonly id: number;
  readonly runner: RouterRunner;
  readonly #driver: LinuxRouterDriver;
  readonly #txs: EmulatedTransactions<Undo>;

  constructor(driver: LinuxRouterDriver, runner: RouterRunner, id: number, lock: DeviceLock) {
    this.#driver = driver;
    this.runner = runner;
    this.id = id;
    this.#txs = new EmulatedTransactions<Undo>({
      device: driver.target.name,
      port: 'fabric',
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

  /** Fails unless the uplink exists in the router host's namespace. @throws DeviceConnectionError */
  async checkUplink(): Promise<void> {
    const { ctx } = this.#driver;
    const argv = [...(ctx.hostNetns === undefined ? ['ip'] : ['ip', '-n', ctx.hostNetns]), '-json', 'link', 'show', 'dev', ctx.uplink];
    const r = await this.runner.run(argv);
    if (r.code !== 0) {
      throw new DeviceConnectionError(`${this.#name} (${this.runner.where}): the uplink ${ctx.uplink}${ctx.hostNetns === undefined ? '' : ` in namespace ${ctx.hostNetns}`} cannot be read: ${r.stderr.trim()}`, {
        details: { device: this.#name, uplink: ctx.uplink, stderr: r.stderr.trim() },
      });
    }
  }

  async facts(): Promise<DeviceFacts> {
    this.#txs.assertOpen();
    const uname = await readCommand(this.runner, this.#name, ['uname', '-n', '-r']);
    const [hostname = '', kernel = ''] = uname.stdout.trim().split(/\s+/);
    const version = await readCommand(this.runner, this.#name, ['ip', '-V']);
    const iproute2 = /iproute2-([0-9A-Za-z.+~-]+)/.exec(version.stdout + version.stderr)?.[1];
    if (kernel === '' || iproute2 === undefined) throw new DeviceProtocolError(`${this.#name}: cannot tell the kernel or iproute2 version from ${JSON.stringify((uname.stdout + version.stdout).slice(0, 200))}`);
    const { ctx } = this.#driver;
    return {
      vendor: 'Linux',
      model: 'linux-router',
      osVersion: kernel,
      ...(hostname === '' ? {} : { hostname }),
      extra: { iproute2, runner: this.runner.where, uplink: ctx.uplink, netnsPrefix: ctx.netnsPrefix, legs: ctx.ovs === undefined ? '802.1Q' : `ovs ${ctx.ovs.bridge}` },
    };
  }

  #observe(): Promise<FabricConfig> {
    return readOwnedConfig({ runner: this.runner, device: this.#name, ctx: this.#driver.ctx, logger: this.#driver.logger });
  }

  async observe(): Promise<ObserveResult<FabricConfig>> {
    this.#txs.assertOpen();
    return { config: await this.#observe(), observedAt: new Date().toISOString() };
  }

  /** The steps from `current` to `next`. */
  steps(current: FabricConfig, next: FabricConfig): Step[] {
    const { ctx } = this.#driver;
    return renderSteps(modelOf(current, ctx), modelOf(next, ctx), ctx);
  }

  async plan(opts: PlanOptions<FabricConfig>): Promise<ChangeSet> {
    this.#txs.assertOpen();
    const name = this.#name;
    const desired = normalizeFabric(decodeOrThrow(fabricVocabulary.configCodec, opts.desired, `desired fabric config of ${name}`));
    assertCapabilities('fabric', name, fabricVocabulary.capabilitiesUsed(desired), LINUX_ROUTER_FABRIC_CAPABILITIES);
    assertRenderable(desired, this.#driver.ctx, `desired fabric config of ${name}`);
    const observed = opts.observed === undefined ? await this.#observe() : normalizeFabric(decodeOrThrow(fabricVocabulary.configCodec, opts.observed, `observed fabric config of ${name}`));
    const changes = diffConfig({ desired, observed, order: fabricVocabulary.order });
    assertCapabilities('fabric', name, capabilitiesForChanges(fabricVocabulary, changes), LINUX_ROUTER_FABRIC_CAPABILITIES);
    const steps = changes.length === 0 ? [] : this.steps(observed, desired);
    return { device: name, port: 'fabric', changes, operations: steps.map((s) => ({ medium: LINUX_ROUTER_MEDIUM, text: commandText(s.argv) })) };
  }

  apply(opts: ApplyOptions): Promise<Transaction> {
    const { changeSet } = opts;
    return this.#txs.apply(opts, {
      beforeLock: () => assertCapabilities('fabric', this.#name, capabilitiesForChanges(fabricVocabulary, changeSet.changes), LINUX_ROUTER_FABRIC_CAPABILITIES),
      write: () => this.#write(changeSet),
    });
  }

  /** Checks that the change set still fits, runs the steps and verifies the result (under the lock). */
  async #write(changeSet: ChangeSet): Promise<{ undo: Undo; log: Record<string, unknown> }> {
    const name = this.#name;
    const wording = { device: name, noun: 'router' };
    const current = await this.#observe();
    let next = changesOnto(current, changeSet.changes, wording);
    next = normalizeFabric(decodeOrThrow(fabricVocabulary.configCodec, next, `fabric config of ${name} after the change set`));
    assertRenderable(next, this.#driver.ctx, `fabric config of ${name} after the change set`);
    const steps = this.steps(current, next);
    assertPlannedOperations(changeSet.operations, steps.map((s) => commandText(s.argv)), LINUX_ROUTER_MEDIUM, 'the commands', wording);
    const done: Step[] = [];
    for (const [index, step] of steps.entries()) {
      let failure: string;
      let cause: unknown;
      try {
        const r = await this.runner.run(step.argv, { write: true });
        if (r.code === 0) {
          done.push(step);
          continue;
        }
        failure = `${step.what === undefined ? '' : `${step.what}: `}${commandText(step.argv)} failed (exit ${r.code}): ${r.stderr.trim()}`;
      } catch (e) {
        failure = `${step.what === undefined ? '' : `${step.what}: `}${commandText(step.argv)} could not run: ${e instanceof Error ? e.message : String(e)}`;
        cause = e;
      }
      await this.#undo(done, current, `${name}: step ${index + 1} of ${steps.length}, ${failure}`, cause, { command: commandText(step.argv), ...(step.what === undefined ? {} : { about: step.what }) });
    }
    const after = await this.#observe();
    if (!configEquals(after, next)) await this.#undo(done, current, `${name}: after the ${steps.length} step(s) the router does not read back as planned`, undefined);
    return { undo: { done, before: current }, log: { steps: steps.length } };
  }
  /**
   * Runs the undo of `done` (newest first), verifies `before`, and throws the CommitError that explains `what`
   * (`failed`: the step that failed, into the error's details).
   */
  async #undo(done: readonly Step[], before: FabricConfig, what: string, cause: unknown, failed?: { readonly command: string; readonly about?: string }): Promise<never> {
    const problems = await this.#runUndo(done);
    const now = await this.#observe().catch(() => undefined);
    const back = now !== undefined && configEquals(now, before);
    this.#driver.logger.warn({ what, undone: done.length, problems }, back ? 'apply failed; undone' : 'apply failed; the undo did not restore the router');
    throw new CommitError(
      back
        ? `${what}; the undo of the ${done.length} step(s) that ran restored the router to its configuration before the apply`
        : `${what}; undoing the ${done.length} step(s) that ran did not restore the router (${problems.join('; ') || 'it reads back differently'}): observe and plan again`,
      {
        ...(cause === undefined ? {} : { cause }),
        details: { device: this.#name, undone: done.length, restored: back, ...(failed === undefined ? {} : { failedStep: failed }), ...(problems.length > 0 ? { undoProblems: problems } : {}) },
      },
    );
  }

  /** The undo steps of `done`, newest first; every one is tried. Returns what failed. */
  async #runUndo(done: readonly Step[]): Promise<string[]> {
    const problems: string[] = [];
    for (const step of [...done].reverse()) {
      for (const argv of step.undo) {
        try {
          const r = await this.runner.run(argv, { write: true });
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

  /** Runs the undo steps of `pending` and verifies the router reads back as before it. @throws CommitError */
  async #restore(pending: PendingTransaction<Undo>): Promise<void> {
    const problems = await this.#runUndo(pending.undo.done);
    const now = await this.#observe();
    if (!configEquals(now, pending.undo.before)) {
      throw new CommitError(`${this.#name}: rolling back transaction ${pending.tx.id} did not restore the router (${problems.join('; ') || 'it reads back differently'})`, {
        details: { device: this.#name, transaction: pending.tx.id, undoProblems: problems },
      });
    }
  }

  close(): Promise<void> {
    return this.#txs.close();
  }
}
