/**
 * The Ruijie RGOS leaf simulator: an SSH server speaking the RGOS-like CLI of `ruijie-rgos.dialect.ts`, plus the
 * harness API tests and the embedded demo use in-process (running configuration as text and tree, out-of-band
 * changes, statistics, hooks, fault injection).
 *
 * @packageDocumentation
 */
import { InputError, type Logger } from '@netloom/ports';
import { CliDevice, toRegExp, type CliDeviceEvents, type CliDeviceStats, type DeviceEndpoint, type DropTiming, type FaultHandle } from '../cli-device/cli-device';
import { configNode, emptyRoot, sortTree, type ConfigNode, type ReadonlyConfigNode } from '../cli-device/config-tree';
import { ConfigDatastore } from '../cli-device/datastore';
import type { CliSessionInfo, CommandIo } from '../cli-device/dialect';
import { EventHub } from '../cli-device/events';
import { loadHostKey } from '../cli-device/host-key';
import { rgosOrder } from './ruijie-rgos.config';
import { configBody } from './ruijie-rgos.display';
import { RuijieRgosDialect, type RgosDialectHooks, type RgosFacts, type RgosSession } from './ruijie-rgos.dialect';
import { resolveRuijieRgosOptions, type ResolvedRuijieRgosOptions, type RuijieRgosSimulatorOptions } from './ruijie-rgos.options';
import { lines, reasons } from './ruijie-rgos.strings';

/** Counters of a {@link RuijieRgosSimulator} (a snapshot). */
export interface RuijieRgosStats extends CliDeviceStats {
  /** Configuration lines that changed running (shell sessions and out-of-band). */
  configChanges: number;
  /** Configuration lines refused with `% <reason>` (semantic errors and injected failures). */
  configRefusals: number;
  /** Of those, refused by `failNextCommand`. */
  injectedFailures: number;
  /** `write` runs. */
  writes: number;
}

/** Events of a {@link RuijieRgosSimulator}: the engine's plus configuration events. Payloads never hold a password. */
export interface RuijieRgosEvents extends CliDeviceEvents {
  /** A configuration line changed running. `sessionId` is negative for out-of-band writers. */
  'config-change': { readonly sessionId: number; readonly user: string; readonly command: string; readonly mode: string };
  /** A configuration line was refused. */
  'config-refused': { readonly sessionId: number; readonly user: string; readonly command: string; readonly reason: string; readonly injected: boolean };
  /** `write` saved running. */
  write: { readonly sessionId: number; readonly user: string };
}

/** An open CLI session as the harness shows it. */
export interface RuijieRgosSessionInfo {
  readonly sessionId: number;
  readonly user: string;
  /** `user` (`>`), `privileged` (`#`) or `config` (any configuration mode). */
  readonly level: 'user' | 'privileged' | 'config';
  /** The prompt the session shows now. */
  readonly prompt: string;
}

/**
 * A simulated Ruijie RGOS leaf. Construct, `start()`, connect an SSH client (password auth, PTY shell), `stop()`.
 * Configuration is applied immediately, line by line (no candidate, no commit, no configuration lock).
 *
 * @example
 * const sim = new RuijieRgosSimulator({ hostname: 'Leaf1', users: [{ username: 'netloom', password: 's3cret' }] });
 * const { host, port, hostKeyFingerprint } = await sim.start();
 * // ssh netloom@host -p port  →  Leaf1>   enable → Leaf1#   configure terminal → Leaf1(config)#
 * await sim.applyOutOfBand(['vlan 20', 'name foreign']);   // drift, as another admin would
 * sim.runningConfig();  // '!\nversion RGOS 11.0(5)B9P59\nhostname Leaf1\n!\nvlan 20\n name foreign\n!\n...\nend'
 * sim.failNextCommand(/^vxlan vni/); // the next `vxlan vni ...` line is refused with "% ..."
 * await sim.stop();
 */
export class RuijieRgosSimulator {
  private readonly options: ResolvedRuijieRgosOptions;
  private readonly hub: EventHub<RuijieRgosEvents>;
  private readonly store: ConfigDatastore;
  private readonly dialect: RuijieRgosDialect;
  private readonly device: CliDevice<RgosSession>;
  private readonly logger: Logger | undefined;
  private readonly counters = { configChanges: 0, configRefusals: 0, injectedFailures: 0, writes: 0 };
  private readonly facts: RgosFacts;
  private initialApplied = false;
  private oobSeq = 0;

  /** @throws InputError when an option is invalid (every problem listed with its path). */
  constructor(options: RuijieRgosSimulatorOptions = {}) {
    this.options = resolveRuijieRgosOptions(options);
    this.logger = this.options.logger;
    this.hub = new EventHub<RuijieRgosEvents>((error) => this.logger?.warn({ err: error instanceof Error ? error.message : String(error) }, 'simulator: event listener threw'));
    this.store = new ConfigDatastore({ initial: this.baseTree(), ...(this.options.clock !== undefined ? { clock: this.options.clock } : {}) });
    this.facts = {
      model: this.options.model,
      version: this.options.version,
      sysObjectId: this.options.sysObjectId,
      inventory: new Set(this.options.ports),
      pageLines: this.options.pageLines,
      firstLoginUsers: new Set(this.options.users.filter((u) => u.firstLogin === true).map((u) => u.username)),
      privilegedUsers: new Set(this.options.users.filter((u) => u.privileged === true).map((u) => u.username)),
      startedAt: this.store.clock.now(),
    };
    const hooks: RgosDialectHooks = {
      onConfigChange: (s, command, mode) => {
        this.counters.configChanges++;
        this.hub.emit('config-change', { sessionId: s.info.id, user: s.info.username, command, mode });
      },
      onConfigRefused: (s, command, reason, injected) => {
        this.counters.configRefusals++;
        if (injected) this.counters.injectedFailures++;
        this.hub.emit('config-refused', { sessionId: s.info.id, user: s.info.username, command, reason, injected });
      },
      onWrite: (s) => {
        this.counters.writes++;
        this.hub.emit('write', { sessionId: s.info.id, user: s.info.username });
      },
    };
    this.dialect = new RuijieRgosDialect(this.store, this.facts, hooks);
    this.device = new CliDevice({
      dialect: this.dialect,
      users: this.options.users,
      host: this.options.host,
      port: this.options.port,
      ...(this.options.hostKey !== undefined ? { hostKey: loadHostKey(this.options.hostKey) } : {}),
      ...(this.logger !== undefined ? { logger: this.logger } : {}),
      emit: (type, event) => this.hub.emit(type, event as RuijieRgosEvents[typeof type]),
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
   * Applies `initialConfig` (first call only, without events or statistics) and starts listening.
   *
   * @throws InputError when an `initialConfig` line is refused; DeviceConnectionError when the port cannot be bound.
   */
  async start(): Promise<DeviceEndpoint> {
    if (!this.initialApplied) {
      this.initialApplied = true;
      if (this.options.initialConfig.length > 0) this.store.reset(await this.initialTree(this.options.initialConfig));
    }
    return this.device.start();
  }

  /** Stops listening and cuts every connection. Idempotent. */
  async stop(): Promise<void> {
    this.store.dispose();
    await this.device.stop();
  }

  /** The running configuration as `show running-config` prints it after its header: from the first `!` to `end`. */
  runningConfig(): string {
    return configBody(this.store.running(), this.options.version).join('\n');
  }

  /** The running configuration as a tree (lines in `show running-config` order), a copy. */
  runningTree(): ReadonlyConfigNode {
    return sortTree(this.store.running(), rgosOrder);
  }

  /** The configuration last saved by `write`, in the same form as {@link runningConfig}; undefined before any. */
  savedConfig(): string | undefined {
    const saved = this.store.saved();
    return saved === undefined ? undefined : configBody(saved, this.options.version).join('\n');
  }

  /** The open CLI sessions and the level each is at (RGOS has no configuration lock: several may configure). */
  sessions(): RuijieRgosSessionInfo[] {
    return this.dialect.sessions().map((s) => ({
      sessionId: s.info.id,
      user: s.info.username,
      level: s.modes !== undefined ? 'config' : s.level,
      prompt: this.dialect.prompt(s),
    }));
  }

  /**
   * Types configuration lines as another administrator would: in `configure terminal` of a separate session (mode
   * commands like `vlan 20` enter their mode; `exit` leaves it; blank and `!` lines are skipped). Each line takes
   * effect at once, so when a line is refused the lines before it stay applied. Returns how many lines changed
   * running.
   *
   * @throws InputError when the device refuses a line (the message holds the device's `%` text and the line number).
   * @example
   * await sim.applyOutOfBand(['vlan 30', 'name foreign', 'exit', 'interface TenGigabitEthernet 0/5', 'shutdown']);
   */
  async applyOutOfBand(configLines: readonly string[] | string, opts: { readonly user?: string } = {}): Promise<number> {
    const list = typeof configLines === 'string' ? configLines.split('\n') : configLines;
    const before = this.counters.configChanges;
    await this.typeLines(this.dialect, opts.user ?? 'oob-admin', list, 'out-of-band line');
    return this.counters.configChanges - before;
  }

  /** Counters since construction (a snapshot). */
  get stats(): RuijieRgosStats {
    const c = this.device.counters;
    return { ...c, perKind: { ...c.perKind }, ...this.counters };
  }

  /**
   * Subscribes to an event; returns the function that unsubscribes.
   *
   * @example
   * const off = sim.on('config-change', (e) => console.log(e.user, e.command));
   */
  on<K extends keyof RuijieRgosEvents>(type: K, listener: (event: RuijieRgosEvents[K]) => void): () => void {
    return this.hub.on(type, listener);
  }

  /** Resolves with the next event of `type` (matching `predicate`, when given). */
  next<K extends keyof RuijieRgosEvents>(type: K, predicate?: (event: RuijieRgosEvents[K]) => boolean): Promise<RuijieRgosEvents[K]> {
    return this.hub.next(type, predicate);
  }

  /**
   * The next configuration line (of any session, or out of band) whose typed text matches `pattern` is refused: it
   * prints `% <reason>` and changes nothing — on an immediate-apply device, the closest thing to a failed commit.
   * One-shot per call.
   *
   * @example sim.failNextCommand(/^member vni 10\b/, 'Hardware resources are insufficient');
   */
  failNextCommand(pattern: RegExp | string, reason: string = reasons.injectedDefault): FaultHandle {
    return this.dialect.failNextCommand(toRegExp(pattern), reason);
  }

  /**
   * Closes the TCP connection when a line matching `pattern` arrives: `when: 'before'` (default) the line is not
   * executed; `'after'` it is executed (a configuration line takes effect) but its output never reaches the client.
   * One-shot unless `once: false`.
   *
   * @example sim.dropConnectionDuring(/^vxlan vni/);  // the line never takes effect; the session is gone
   */
  dropConnectionDuring(pattern: RegExp | string, opts: { readonly when?: DropTiming; readonly once?: boolean } = {}): FaultHandle {
    return this.device.dropConnectionDuring(pattern, opts);
  }

  /** Delays lines matching `pattern` by `ms` before they run (until cleared; `once: true` for one line). */
  delayCommand(pattern: RegExp | string, ms: number, opts: { readonly once?: boolean } = {}): FaultHandle {
    return this.device.delayCommand(pattern, ms, opts);
  }

  /** Disarms every fault (command faults and armed line failures). */
  clearFaults(): void {
    this.device.clearFaults();
    this.dialect.clearInjectedFailures();
  }

  // -------------------------------------------------------------------------------------------------------------

  /** The configuration before `initialConfig`: the host name and every physical port. */
  private baseTree(): ConfigNode {
    const root = emptyRoot();
    root.children.push(configNode(lines.hostname.render(this.options.hostname)));
    for (const port of this.options.ports) root.children.push(configNode(lines.iface.render(port)));
    return root;
  }

  /** Applies `initialConfig` on a scratch store and dialect, so the real one records no change and no event. */
  private async initialTree(initial: readonly string[]): Promise<ConfigNode> {
    const scratch = new ConfigDatastore({ initial: this.baseTree() });
    await this.typeLines(new RuijieRgosDialect(scratch, this.facts), 'system', initial, 'initialConfig line');
    return scratch.running();
  }

  private async typeLines(dialect: RuijieRgosDialect, user: string, list: readonly string[], what: string): Promise<void> {
    const info: CliSessionInfo = { id: -1 - this.oobSeq++, username: user, remote: 'out-of-band', terminal: 'VTY 99', pty: false, interactive: false };
    const session = dialect.openSession(info);
    const io: CommandIo = { promptShown: '', print: () => Promise.resolve(), ask: () => Promise.resolve('') };
    try {
      session.level = 'privileged';
      await dialect.execute(session, 'configure terminal', io);
      for (let i = 0; i < list.length; i++) {
        const line = list[i]!.trim();
        if (line === '' || line.startsWith('!')) continue;
        const { refused } = await dialect.execute(session, line, io);
        if (refused !== undefined) throw new InputError(`${what} ${i + 1} ("${line}") was refused by the device: ${refused}`, [{ path: `lines[${i}]`, reason: refused }]);
      }
    } finally {
      dialect.closeSession(session);
    }
  }
}

/** Creates a {@link RuijieRgosSimulator} (not started). */
export function createRuijieRgosSimulator(options: RuijieRgosSimulatorOptions = {}): RuijieRgosSimulator {
  return new RuijieRgosSimulator(options);
}
