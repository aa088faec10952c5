/**
 * The Huawei CloudEngine (VRP8) leaf simulator: an SSH server speaking the CE CLI (see `huawei-ce.dialect.ts`),
 * plus the harness API tests and the embedded demo use in-process (running configuration as text and tree,
 * out-of-band changes, statistics, hooks, fault injection).
 *
 * @packageDocumentation
 */
import { CommitError, InputError, LockedError, type Logger } from '@netloom/ports';
import { CliDevice, type CliDeviceEvents, type CliDeviceStats, type DeviceEndpoint, type DropTiming, type FaultHandle } from '../cli-device/cli-device';
import { cloneTree, configNode, emptyRoot, sortTree, type ConfigNode, type ReadonlyConfigNode } from '../cli-device/config-tree';
import { ConfigDatastore, type CommitFailure, type CommitKind } from '../cli-device/datastore';
import type { CliSessionInfo, CommandIo } from '../cli-device/dialect';
import { EventHub } from '../cli-device/events';
import { loadHostKey } from '../cli-device/host-key';
import { huaweiOrder } from './huawei-ce.config';
import { configBody } from './huawei-ce.display';
import { HuaweiCeDialect } from './huawei-ce.dialect';
import { resolveHuaweiCeOptions, type HuaweiCeSimulatorOptions, type ResolvedHuaweiCeOptions } from './huawei-ce.options';
import { reasons } from './huawei-ce.strings';

/** Counters of a {@link HuaweiCeSimulator} (a snapshot). */
export interface HuaweiCeStats extends CliDeviceStats {
  /** Rollback points created by commits (plain, trial and out-of-band). */
  commits: number;
  /** Commits refused (lock, trial of another session, conflict, injected fault, duplicate label). */
  commitFailures: number;
  /** Rollbacks (`rollback configuration`, `abort trial`, trial expiry). */
  rollbacks: number;
  /** Trials confirmed / aborted / expired. */
  trialsConfirmed: number;
  trialsAborted: number;
  trialsExpired: number;
  /** Configuration commands accepted into candidates. */
  configEdits: number;
}

/** Events of a {@link HuaweiCeSimulator}: the engine's plus configuration events. */
export interface HuaweiCeEvents extends CliDeviceEvents {
  commit: { readonly id: number; readonly user: string; readonly kind: CommitKind; readonly label?: string; readonly description?: string };
  'commit-failed': { readonly kind: CommitFailure['kind']; readonly user: string; readonly sessionId: number; readonly reason?: string };
  'trial-ended': { readonly commitId: number; readonly how: 'confirmed' | 'aborted' | 'expired' };
  'config-edit': { readonly sessionId: number; readonly command: string };
}

/** A rollback point as the harness shows it. */
export interface CommitInfo {
  readonly id: number;
  readonly kind: CommitKind;
  readonly user: string;
  readonly label?: string;
  readonly description?: string;
  /** Milliseconds since the epoch. */
  readonly time: number;
}

/**
 * A simulated Huawei CE leaf. Construct, `start()`, connect an SSH client (password auth, PTY shell), `stop()`.
 *
 * @example
 * const sim = new HuaweiCeSimulator({ hostname: 'Leaf1', users: [{ username: 'netloom', password: 's3cret' }] });
 * const { host, port, hostKeyFingerprint } = await sim.start();
 * // ssh netloom@host -p port  →  <Leaf1>
 * await sim.applyOutOfBand(['bridge-domain 20', 'vxlan vni 20']);   // drift, as another admin would
 * sim.runningConfig();  // '#\nsysname Leaf1\n#\nbridge-domain 20\n vxlan vni 20\n#\n...\nreturn'
 * sim.failNextCommit(); // the next commit prints "Error: Failed to generate committed config. ..."
 * await sim.stop();
 */
export class HuaweiCeSimulator {
  private readonly options: ResolvedHuaweiCeOptions;
  private readonly hub: EventHub<HuaweiCeEvents>;
  private readonly store: ConfigDatastore;
  private readonly dialect: HuaweiCeDialect;
  private readonly device: CliDevice<ReturnType<HuaweiCeDialect['openSession']>>;
  private readonly logger: Logger | undefined;
  private readonly counters = { commits: 0, commitFailures: 0, rollbacks: 0, trialsConfirmed: 0, trialsAborted: 0, trialsExpired: 0, configEdits: 0 };
  private initialTree: ConfigNode;
  private initialApplied = false;
  private oobSeq = 0;

  /** @throws InputError when an option is invalid (every problem listed with its path). */
  constructor(options: HuaweiCeSimulatorOptions = {}) {
    this.options = resolveHuaweiCeOptions(options);
    this.logger = this.options.logger;
    this.hub = new EventHub<HuaweiCeEvents>((error) => this.logger?.warn({ err: error instanceof Error ? error.message : String(error) }, 'simulator: event listener threw'));
    const initial = emptyRoot();
    initial.children.push(configNode(`sysname ${this.options.hostname}`));
    for (const port of this.options.ports) initial.children.push(configNode(`interface ${port}`));
    this.initialTree = initial;
    this.store = new ConfigDatastore({
      initial,
      ...(this.options.clock !== undefined ? { clock: this.options.clock } : {}),
      trialScale: this.options.trialScale,
      listener: {
        onCommit: (r) => {
          if (r.kind === 'rollback') this.counters.rollbacks++;
          else this.counters.commits++;
          this.hub.emit('commit', {
            id: r.id,
            user: r.user,
            kind: r.kind,
            ...(r.label !== undefined ? { label: r.label } : {}),
            ...(r.description !== undefined ? { description: r.description } : {}),
          });
        },
        onCommitFailed: (f, writer) => {
          this.counters.commitFailures++;
          this.hub.emit('commit-failed', {
            kind: f.kind,
            user: writer.user,
            sessionId: writer.sessionId,
            ...(f.kind === 'conflict' || f.kind === 'injected' ? { reason: f.reason } : {}),
          });
        },
        onTrialEnded: (trial, how) => {
          if (how === 'confirmed') this.counters.trialsConfirmed++;
          else if (how === 'aborted') this.counters.trialsAborted++;
          else this.counters.trialsExpired++;
          this.hub.emit('trial-ended', { commitId: trial.commitId, how });
        },
      },
    });
    const startedAt = this.store.clock.now();
    this.dialect = new HuaweiCeDialect(
      this.store,
      {
        model: this.options.model,
        vrpVersion: this.options.vrpVersion,
        softwareVersion: this.options.softwareVersion,
        inventory: new Set(this.options.ports),
        pageLines: this.options.pageLines,
        firstLoginUsers: new Set(this.options.users.filter((u) => u.firstLogin === true).map((u) => u.username)),
        startedAt,
        initial: () => this.initialTree,
      },
      {
        onConfigEdit: (sessionId, command) => {
          this.counters.configEdits++;
          this.hub.emit('config-edit', { sessionId, command });
        },
      },
    );
    this.device = new CliDevice({
      dialect: this.dialect,
      users: this.options.users,
      host: this.options.host,
      port: this.options.port,
      ...(this.options.hostKey !== undefined ? { hostKey: loadHostKey(this.options.hostKey) } : {}),
      ...(this.logger !== undefined ? { logger: this.logger } : {}),
      emit: (type, event) => this.hub.emit(type, event as HuaweiCeEvents[typeof type]),
    });
  }

  /** The SSH host key fingerprint (`SHA256:...`), known before `start()`. */
  get hostKeyFingerprint(): string {
    return this.device.hostKeyFingerprint;
  }

  /** Where the simulator listens, once started. */
  get endpoint(): DeviceEndpoint | undefined {
    return this.device.endpoint;
  }

  /**
   * Applies `initialConfig` (first call only) and starts listening.
   *
   * @throws InputError when an `initialConfig` line is refused; DeviceConnectionError when the port cannot be bound.
   */
  async start(): Promise<DeviceEndpoint> {
    if (!this.initialApplied) {
      this.initialApplied = true;
      if (this.options.initialConfig.length > 0) {
        const tree = await this.runLines(this.options.initialConfig, 'initialConfig');
        this.store.reset(tree);
        this.initialTree = cloneTree(tree);
      }
    }
    return this.device.start();
  }

  /** Stops listening, cuts every connection and cancels a pending trial timer. */
  async stop(): Promise<void> {
    this.store.dispose();
    await this.device.stop();
  }

  /**
   * The running configuration as `display current-configuration` prints it, without the `!` header lines: from the
   * first `#` to `return`, lines joined with `\n`.
   */
  runningConfig(): string {
    return configBody(this.store.running()).join('\n');
  }

  /** The running configuration as a tree (lines in display order), a copy. */
  runningTree(): ReadonlyConfigNode {
    return sortTree(this.store.running(), huaweiOrder);
  }

  /** The configuration last written by `save`, in the same form as {@link runningConfig}; undefined before any save. */
  savedConfig(): string | undefined {
    const saved = this.store.saved();
    return saved === undefined ? undefined : configBody(saved).join('\n');
  }

  /** Rollback points, oldest first. */
  commitHistory(): readonly CommitInfo[] {
    return this.store.history().map((r) => ({
      id: r.id,
      kind: r.kind,
      user: r.user,
      time: r.time,
      ...(r.label !== undefined ? { label: r.label } : {}),
      ...(r.description !== undefined ? { description: r.description } : {}),
    }));
  }

  /** Whether a trial commit waits for confirmation. */
  get trialPending(): boolean {
    return this.store.pendingTrial !== undefined;
  }

  /** Which session holds `configuration exclusive`, if any. */
  get lockHolder(): { readonly sessionId: number; readonly user: string } | undefined {
    const l = this.store.lock;
    return l === undefined ? undefined : { sessionId: l.sessionId, user: l.user };
  }

  /**
   * Commits configuration lines as another administrator would: the lines are typed in the system view of a
   * separate session (view commands like `bridge-domain 20` enter their view; `quit` leaves it), then committed.
   * Returns the new commit id, or undefined when the lines changed nothing.
   *
   * @throws InputError when the device refuses a line (the message holds the device's error text);
   *         LockedError when another session holds `configuration exclusive` or a trial; CommitError when the
   *         commit fails (a conflict or an injected fault).
   * @example
   * await sim.applyOutOfBand(['bridge-domain 30', ' vxlan vni 30', ' description foreign']);
   */
  async applyOutOfBand(lines: readonly string[] | string, opts: { readonly user?: string } = {}): Promise<number | undefined> {
    const list = typeof lines === 'string' ? lines.split('\n') : lines;
    const { session, io, output } = this.pseudoSession(opts.user ?? 'oob-admin');
    try {
      await this.typeLines(session, io, output, list, 'out-of-band line');
      if (session.candidate?.dirty !== true) return undefined;
      const blocker = this.store.writeBlocker(session.writer);
      if (blocker !== undefined) {
        const holder = blocker.kind === 'locked' ? blocker.holder : blocker.kind === 'trial-busy' ? blocker.owner : undefined;
        throw new LockedError(`out-of-band change refused: ${blocker.kind === 'locked' ? 'configuration exclusive' : 'a trial commit'} is held by session ${holder?.sessionId ?? '?'} (${holder?.user ?? '?'})`, {
          details: { kind: blocker.kind },
        });
      }
      output.length = 0;
      const before = this.store.history().length;
      const ok = await this.dialect.commit(session, io, {});
      if (!ok) throw new CommitError(`out-of-band commit failed: ${output.join('').trim()}`, { details: { deviceText: output.join('').trim() } });
      const rec = this.store.history()[before];
      return rec?.id;
    } finally {
      this.dialect.closeSession(session);
    }
  }

  /** Counters since construction (a snapshot). */
  get stats(): HuaweiCeStats {
    const c = this.device.counters;
    return { ...c, perKind: { ...c.perKind }, ...this.counters };
  }

  /**
   * Subscribes to an event; returns the function that unsubscribes.
   *
   * @example
   * const off = sim.on('commit', (e) => console.log('commit', e.id));
   */
  on<K extends keyof HuaweiCeEvents>(type: K, listener: (event: HuaweiCeEvents[K]) => void): () => void {
    return this.hub.on(type, listener);
  }

  /** Resolves with the next event of `type` (matching `predicate`, when given). */
  next<K extends keyof HuaweiCeEvents>(type: K, predicate?: (event: HuaweiCeEvents[K]) => boolean): Promise<HuaweiCeEvents[K]> {
    return this.hub.next(type, predicate);
  }

  /**
   * The next commit (of any session, or out of band) fails: it prints `Error: Failed to generate committed config.
   * <reason>.` and changes nothing; the session's candidate stays as it was.
   */
  failNextCommit(reason: string = reasons.injectedDefault): void {
    this.store.failNextCommit(reason);
  }

  /**
   * Closes the TCP connection when a line matching `pattern` arrives: `when: 'before'` (default) the command is
   * not executed; `'after'` it is executed (a commit takes effect) but its output never reaches the client.
   * One-shot unless `once: false`.
   *
   * @example sim.dropConnectionDuring(/^commit/);  // the adapter's commit never happens; running is unchanged
   */
  dropConnectionDuring(pattern: RegExp | string, opts: { readonly when?: DropTiming; readonly once?: boolean } = {}): FaultHandle {
    return this.device.dropConnectionDuring(pattern, opts);
  }

  /** Delays commands matching `pattern` by `ms` before they run (until cleared; `once: true` for one command). */
  delayCommand(pattern: RegExp | string, ms: number, opts: { readonly once?: boolean } = {}): FaultHandle {
    return this.device.delayCommand(pattern, ms, opts);
  }

  /** Disarms every fault (command faults and pending commit failures). */
  clearFaults(): void {
    this.device.clearFaults();
    this.store.clearInjectedFailures();
  }

  // -------------------------------------------------------------------------------------------------------------

  private pseudoSession(user: string): { session: ReturnType<HuaweiCeDialect['openSession']>; io: CommandIo; output: string[] } {
    const info: CliSessionInfo = { id: -1 - this.oobSeq++, username: user, remote: 'out-of-band', terminal: 'VTY 99', pty: false, interactive: false };
    const session = this.dialect.openSession(info);
    const output: string[] = [];
    const io: CommandIo = {
      promptShown: '',
      print: (text) => {
        output.push(text);
        return Promise.resolve();
      },
      ask: () => Promise.resolve(''),
    };
    return { session, io, output };
  }

  private async typeLines(session: ReturnType<HuaweiCeDialect['openSession']>, io: CommandIo, output: string[], lines: readonly string[], what: string): Promise<void> {
    await this.dialect.execute(session, 'system-view', io);
    for (let i = 0; i < lines.length; i++) {
      const line = lines[i]!.trim();
      if (line === '' || line === '#' || line === 'return') continue;
      output.length = 0;
      await this.dialect.execute(session, line, io);
      const text = output.join('').trim();
      if (/^Error/m.test(text)) {
        const reason = text.split('\n').filter((l) => l.startsWith('Error')).join(' ');
        throw new InputError(`${what} ${i + 1} ("${line}") was refused by the device: ${reason}`, [{ path: `lines[${i}]`, reason }]);
      }
    }
  }

  private async runLines(lines: readonly string[], what: string): Promise<ConfigNode> {
    const { session, io, output } = this.pseudoSession('system');
    try {
      await this.typeLines(session, io, output, lines, `${what} line`);
      const result = this.store.replay(session.candidate?.edits ?? []);
      if (!result.ok) throw new InputError(`${what}: ${result.reason}`, [{ path: what, reason: result.reason }]);
      return result.tree;
    } finally {
      this.dialect.closeSession(session);
    }
  }
}

/** Creates a {@link HuaweiCeSimulator} (not started). */
export function createHuaweiCeSimulator(options: HuaweiCeSimulatorOptions = {}): HuaweiCeSimulator {
  return new HuaweiCeSimulator(options);
}
