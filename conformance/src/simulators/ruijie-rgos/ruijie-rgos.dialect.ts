/**
 * The Ruijie RGOS dialect of the CLI device engine: Cisco-like EXEC levels and configuration modes, immediate-apply
 * configuration (each accepted line changes running at once; no candidate, no commit), IOS-style errors with carets,
 * `terminal length|width`, `write`, `do`, the `show` commands with output filters, and a fault that refuses the next
 * configuration line matching a pattern.
 *
 * Behaviour follows PROTOCOLS §2 where it has facts; every vendor text and the accepted syntax live in
 * `ruijie-rgos.strings.ts` (UNVERIFIED parts marked there).
 *
 * @packageDocumentation
 */
import { cloneTree, nodeAt, treesEqual, type ConfigNode, type ReadonlyConfigNode } from '../cli-device/config-tree';
import type { ConfigDatastore, WriterRef } from '../cli-device/datastore';
import type { CliDialect, CliSessionInfo, CommandIo, ExecuteResult } from '../cli-device/dialect';
import { command, customParam, intParam, matchCommand, splitWords, textParam, wordParam, type Args, type CommandSpec, type MatchFailure, type MatchResult, type ParamDef } from '../cli-device/grammar';
import type { FaultHandle } from '../cli-device/cli-device';
import * as cfg from './ruijie-rgos.config';
import { GLOBAL_MODE, type ConfigHandler, type Mode, type ModeKind } from './ruijie-rgos.config';
import * as out from './ruijie-rgos.display';
import { applyRgosPipe, splitRgosPipe, type RgosPipeFilter } from './ruijie-rgos.display';
import { DEFAULT_HOSTNAME, DO_PREFIX, interfaceTypes, lines, messages, pager, prompts, questions, reasons, semanticError, syntax, syntaxErrors } from './ruijie-rgos.strings';
import {
  DESCRIPTION_MAX,
  HOSTNAME,
  interfaceOf,
  parseInterfaceName,
  parseIpv4,
  parseIpv4Prefix,
  parseIpv6Prefix,
  parseMac,
  parseMask,
  parseRouteValue,
  parseVlanList,
  formatVlanList,
  VLAN_NAME,
  VLAN_RANGE,
  VNI_RANGE,
  VRF_NAME,
} from './ruijie-rgos.values';

/** Facts and settings the dialect needs from the simulator. */
export interface RgosFacts {
  readonly model: string;
  readonly version: string;
  readonly sysObjectId: string;
  readonly inventory: ReadonlySet<string>;
  /** Lines per page until `terminal length` changes it. */
  readonly pageLines: number;
  /** Users asked the first-login password question. */
  readonly firstLoginUsers: ReadonlySet<string>;
  /** Users whose sessions start in privileged EXEC. */
  readonly privilegedUsers: ReadonlySet<string>;
  /** When the device started (milliseconds since the epoch). */
  readonly startedAt: number;
}

/** What the dialect reports to its simulator. */
export interface RgosDialectHooks {
  /** A configuration line changed running. */
  onConfigChange?(session: RgosSession, command: string, mode: string): void;
  /** A configuration line was refused (a semantic error or an injected failure). */
  onConfigRefused?(session: RgosSession, command: string, reason: string, injected: boolean): void;
  /** `write` saved running. */
  onWrite?(session: RgosSession): void;
}

/** The result of one line: the engine's, plus the device's error text when the line was refused. */
export interface RgosExecuteResult extends ExecuteResult {
  /** The `%` error line(s) when the device refused the line (syntax or semantic error, injected failure). */
  readonly refused?: string;
}

/** One CLI session's state. */
export class RgosSession {
  /** The EXEC level (configuration modes are entered from privileged EXEC). */
  level: 'user' | 'privileged';
  /** The configuration mode stack (`[global]` or `[global, sub-mode]`), undefined outside configuration. */
  modes: Mode[] | undefined;
  /** Lines per page (0: paging off). */
  pageLines: number;
  /** `terminal width` (kept, not used for wrapping). */
  width = 80;
  /** Who this session is to the configuration store. */
  readonly writer: WriterRef;

  constructor(
    readonly info: CliSessionInfo,
    pageLines: number,
    privileged: boolean,
  ) {
    this.pageLines = pageLines;
    this.level = privileged ? 'privileged' : 'user';
    this.writer = { sessionId: info.id, user: info.username, terminal: info.terminal };
  }

  /** The current configuration mode, if any. */
  get mode(): Mode | undefined {
    return this.modes?.[this.modes.length - 1];
  }
}

type ExecHandler = (s: RgosSession, args: Args, io: CommandIo, filter: RgosPipeFilter | undefined) => Promise<ExecuteResult | void>;
type Handler =
  | { readonly kind: 'config'; readonly run: ConfigHandler }
  | { readonly kind: 'exec'; readonly run: ExecHandler; readonly filterable: boolean };
type Spec = CommandSpec<Handler>;
type Failure = Extract<MatchResult<Handler>, { ok: false }>;

interface InjectedFailure {
  readonly id: number;
  readonly pattern: RegExp;
  readonly reason: string;
}

/** The Ruijie RGOS dialect. One instance serves every session of one simulated device. */
export class RuijieRgosDialect implements CliDialect<RgosSession> {
  readonly pager = pager;
  private readonly userSpecs: Spec[];
  private readonly privilegedSpecs: Spec[];
  private readonly doSpecs: Spec[];
  private readonly configAnySpecs: Spec[];
  private readonly modeSpecs: Record<ModeKind, Spec[]>;
  private readonly open = new Map<number, RgosSession>();
  private readonly injected: InjectedFailure[] = [];
  private injectedSeq = 0;
  private hostCache: { version: number; host: string } | undefined;

  constructor(
    private readonly store: ConfigDatastore,
    private readonly facts: RgosFacts,
    private readonly hooks: RgosDialectHooks = {},
  ) {
    const shows = this.buildShowSpecs();
    this.userSpecs = [...this.table(syntax.user, { enable: this.enable, exit: this.logout }), ...shows];
    const privileged = this.buildPrivilegedSpecs();
    this.privilegedSpecs = [...privileged, ...shows];
    // `do` runs privileged commands from configuration modes; leaving EXEC or entering configuration makes no sense
    // there. UNVERIFIED: which commands RGOS accepts after `do`.
    this.doSpecs = [...privileged.filter((s) => !['disable', 'exit', 'configure'].includes(s.id)), ...shows];
    // UNVERIFIED: RGOS runs `show` commands in configuration modes without `do`.
    this.configAnySpecs = [...this.table(syntax.configAny, { exit: this.configExit, end: this.configEnd }), ...privileged.filter((s) => s.id.startsWith('show ')), ...shows];
    this.modeSpecs = this.buildModeSpecs();
  }

  // -------------------------------------------------------------------------------------------------------------
  // CliDialect

  openSession(info: CliSessionInfo): RgosSession {
    const session = new RgosSession(info, info.interactive ? this.facts.pageLines : 0, this.facts.privilegedUsers.has(info.username));
    this.open.set(info.id, session);
    return session;
  }

  closeSession(session: RgosSession): void {
    this.open.delete(session.info.id);
    session.modes = undefined;
  }

  async greet(session: RgosSession, io: CommandIo): Promise<void> {
    if (!this.facts.firstLoginUsers.has(session.info.username)) return;
    // NOTE: the simulator never changes passwords; netmiko answers `n`.
    const answer = (await io.ask(questions.changePassword)).trim().toLowerCase();
    if (answer === 'y' || answer === 'yes') await io.print(`${messages.passwordUnchanged}\n`);
  }

  prompt(session: RgosSession): string {
    const host = this.hostname();
    const mode = session.mode;
    if (mode !== undefined) return prompts.config(host, mode.name);
    return session.level === 'privileged' ? prompts.privileged(host) : prompts.user(host);
  }

  pageLines(session: RgosSession): number {
    return session.pageLines;
  }

  async execute(session: RgosSession, line: string, io: CommandIo): Promise<RgosExecuteResult> {
    if (line.trim() === '') return { kind: 'empty' };
    const words = splitWords(line);
    const first = words[0]!;
    if (session.modes !== undefined && first.text.toLowerCase() === DO_PREFIX) {
      const second = words[1];
      if (second === undefined) return this.fail(io, line, { ok: false, failure: 'incomplete', column: line.trimEnd().length });
      // Blank out `do` so that caret columns still count from the start of the typed line.
      const rest = ' '.repeat(second.column) + line.slice(second.column);
      return this.dispatch(session, rest, io, [{ specs: this.doSpecs, modeIndex: -1 }]);
    }
    return this.dispatch(session, line, io, this.levels(session));
  }

  // -------------------------------------------------------------------------------------------------------------
  // Harness hooks

  /** Open sessions (not the out-of-band ones). */
  sessions(): RgosSession[] {
    return [...this.open.values()].filter((s) => s.info.id > 0);
  }

  /** Arms a fault: the next configuration line matching `pattern` is refused with `% <reason>`. */
  failNextCommand(pattern: RegExp, reason: string): FaultHandle {
    const f: InjectedFailure = { id: ++this.injectedSeq, pattern, reason };
    this.injected.push(f);
    return {
      clear: () => {
        const i = this.injected.findIndex((x) => x.id === f.id);
        if (i >= 0) this.injected.splice(i, 1);
      },
    };
  }

  /** Disarms every armed configuration-line failure. */
  clearInjectedFailures(): void {
    this.injected.splice(0);
  }

  /** The host name the prompt shows: the running `hostname`, or the default. */
  hostname(): string {
    if (this.hostCache?.version !== this.store.version) {
      this.hostCache = { version: this.store.version, host: cfg.childValue(this.store.running(), lines.hostname.match) ?? DEFAULT_HOSTNAME };
    }
    return this.hostCache.host;
  }

  // -------------------------------------------------------------------------------------------------------------
  // Dispatch

  /** The command sets to try, innermost first; `modeIndex` is the configuration mode a set belongs to (-1: EXEC). */
  private levels(session: RgosSession): Array<{ specs: Spec[]; modeIndex: number }> {
    const modes = session.modes;
    if (modes === undefined) return [{ specs: session.level === 'privileged' ? this.privilegedSpecs : this.userSpecs, modeIndex: -1 }];
    const out: Array<{ specs: Spec[]; modeIndex: number }> = [];
    for (let i = modes.length - 1; i >= 0; i--) {
      const own = this.modeSpecs[modes[i]!.kind];
      out.push({ specs: i === modes.length - 1 ? [...own, ...this.configAnySpecs] : own, modeIndex: i });
    }
    return out;
  }

  private async dispatch(session: RgosSession, line: string, io: CommandIo, levels: Array<{ specs: Spec[]; modeIndex: number }>): Promise<RgosExecuteResult> {
    const attempt = (text: string): { ok: true; spec: Spec; args: Args; modeIndex: number } | { ok: false; failure: Failure } => {
      let best: Failure | undefined;
      for (const { specs, modeIndex } of levels) {
        const r = matchCommand(specs, text);
        if (r.ok) return { ok: true, spec: r.spec, args: r.args, modeIndex };
        // The failure that got furthest wins; on a tie a specific one beats "unrecognized" (`v` in a sub-mode is
        // unknown there but ambiguous in global configuration).
        if (best === undefined || r.column > best.column || (r.column === best.column && best.failure === 'unrecognized')) best = r;
      }
      return { ok: false, failure: best! };
    };
    let hit = attempt(line);
    let filter: RgosPipeFilter | undefined;
    if (!hit.ok && line.includes('|')) {
      const pipe = splitRgosPipe(line)!;
      const base = attempt(pipe.command);
      if (base.ok && base.spec.handler.kind === 'exec' && base.spec.handler.filterable) {
        if ('error' in pipe) return this.fail(io, line, { ok: false, ...pipe.error });
        hit = base;
        filter = pipe.filter;
      } else if (!base.ok) hit = base;
    }
    if (!hit.ok) return this.fail(io, line, hit.failure);
    const { spec, args, modeIndex } = hit;
    if (spec.handler.kind === 'exec') return (await spec.handler.run(session, args, io, filter)) ?? { kind: spec.id };
    const refused = await this.runConfig(session, modeIndex, spec.handler.run, args, line.trim(), io);
    return refused === undefined ? { kind: spec.id } : { kind: spec.id, refused };
  }

  private async fail(io: CommandIo, line: string, failure: Failure): Promise<RgosExecuteResult> {
    const kinds: Record<MatchFailure, string> = { unrecognized: 'invalid-input', 'wrong-parameter': 'invalid-input', incomplete: 'incomplete', ambiguous: 'ambiguous' };
    let text: string;
    switch (failure.failure) {
      case 'incomplete':
        text = syntaxErrors.incomplete;
        await io.print(`${text}\n\n`);
        break;
      case 'ambiguous':
        text = syntaxErrors.ambiguous(line.trim());
        await io.print(`${text}\n`);
        break;
      default:
        text = syntaxErrors.invalidInput;
        await io.print(`${' '.repeat(io.promptShown.length + failure.column)}^\n${text}\n\n`);
    }
    return { kind: kinds[failure.failure], refused: text };
  }

  /**
   * Runs a configuration line: checks an armed failure, applies the handler to a copy of running and, when that
   * changed anything, installs the copy at once (one rollback point per change in the engine's store). Returns the
   * error text when the line was refused.
   */
  private async runConfig(session: RgosSession, modeIndex: number, handler: ConfigHandler, args: Args, commandText: string, io: CommandIo): Promise<string | undefined> {
    const modes = session.modes!;
    const mode = modes[modeIndex]!;
    const refuse = async (reason: string, injected: boolean): Promise<string> => {
      const text = semanticError(reason);
      await io.print(`${text}\n`);
      this.hooks.onConfigRefused?.(session, commandText, reason, injected);
      return text;
    };
    const armed = this.injected.findIndex((f) => {
      f.pattern.lastIndex = 0;
      return f.pattern.test(commandText);
    });
    if (armed >= 0) {
      const [fault] = this.injected.splice(armed, 1);
      return refuse(fault!.reason, true);
    }
    const before = this.store.running();
    const tree = cloneTree(before);
    const node = nodeAt<ConfigNode>(tree, mode.path);
    if (node === undefined) {
      // Another session removed the block this session's mode edits.
      session.modes = [GLOBAL_MODE];
      return refuse(reasons.modeGone, false);
    }
    const notices: string[] = [];
    const outcome = handler({ root: tree, node, info: (t) => notices.push(t) }, args);
    if (outcome !== undefined && 'error' in outcome) return refuse(outcome.error, false);
    if (!treesEqual(before, tree)) this.install(session, tree, mode, commandText);
    if (notices.length > 0) await io.print(`${notices.join('\n')}\n`);
    session.modes = modes.slice(0, modeIndex + 1);
    if (outcome !== undefined && 'enter' in outcome) session.modes.push(outcome.enter);
    return undefined;
  }

  private install(session: RgosSession, tree: ReadonlyConfigNode, mode: Mode, commandText: string): void {
    // Nothing awaits between computing `tree` from running and this commit, so running cannot have changed.
    const outcome = this.store.commit({
      writer: session.writer,
      edits: [{ path: mode.path, command: commandText, apply: (root) => void (root.children = cloneTree(tree).children) }],
    });
    if (outcome.ok) this.hooks.onConfigChange?.(session, commandText, mode.name);
  }

  // -------------------------------------------------------------------------------------------------------------
  // Command tables

  private params(): Record<string, ParamDef> {
    const inventory = this.facts.inventory;
    const params: Record<string, ParamDef> = {
      pageLines: intParam(0, 512),
      width: intParam(0, 512),
      hostname: wordParam(63, HOSTNAME),
      vlan: intParam(VLAN_RANGE.min, VLAN_RANGE.max),
      vni: intParam(VNI_RANGE.min, VNI_RANGE.max),
      vrf: wordParam(31, VRF_NAME),
      vlanName: wordParam(32, VLAN_NAME),
      text: textParam(DESCRIPTION_MAX),
      rd: customParam(parseRouteValue),
      rt: customParam(parseRouteValue),
      ip: customParam(parseIpv4),
      mask: customParam(parseMask),
      prefix: customParam(parseIpv4Prefix),
      ipv6Prefix: customParam(parseIpv6Prefix),
      mac: customParam(parseMac),
      vlanList: customParam((raw) => {
        const list = parseVlanList(raw);
        return list === undefined ? undefined : formatVlanList(list);
      }),
      ifJoined: customParam((raw) => parseInterfaceName(raw, inventory)?.name),
    };
    for (const type of this.usableTypes()) params[`ifn_${type.name}`] = customParam((raw) => interfaceOf(type, raw, inventory)?.name);
    return params;
  }

  /** Physical types present in the inventory, and every virtual type. */
  private usableTypes(): typeof interfaceTypes {
    const present = new Set([...this.facts.inventory].map((n) => n.split(' ')[0]));
    return interfaceTypes.filter((t) => t.kind !== 'physical' || present.has(t.name));
  }

  /**
   * Builds the specs of one syntax table section. `{iface}` expands to `<type keyword> <number>` per interface type
   * and to a joined name; the interface name reaches the handler as the `iface` argument.
   */
  private table<K extends string>(section: Readonly<Record<K, readonly string[]>>, handlers: Readonly<Record<K, Handler | ExecHandler>>, filterable: readonly NoInfer<K>[] = []): Spec[] {
    const params = this.params();
    const specs: Spec[] = [];
    for (const id of Object.keys(section) as K[]) {
      const h = handlers[id];
      const handler: Handler = typeof h === 'function' ? { kind: 'exec', run: h, filterable: filterable.includes(id) } : h;
      for (const form of section[id]) {
        if (!form.includes('{iface}')) {
          specs.push(command<Handler>(id, form, params, handler));
          continue;
        }
        const variants = [...this.usableTypes().map((t) => ({ text: `${t.name.toLowerCase()} <ifn_${t.name}>`, param: `ifn_${t.name}` })), { text: '<ifJoined>', param: 'ifJoined' }];
        for (const v of variants) {
          const withName = (args: Args): Args => ({ ...args, iface: args[v.param]! });
          const wrapped: Handler =
            handler.kind === 'config'
              ? { kind: 'config', run: (ctx, args) => handler.run(ctx, withName(args)) }
              : { kind: 'exec', run: (s, args, io, f) => handler.run(s, withName(args), io, f), filterable: handler.filterable };
          specs.push(command<Handler>(id, form.replace('{iface}', v.text), params, wrapped));
        }
      }
    }
    return specs;
  }

  private readonly enable: ExecHandler = (s) => {
    s.level = 'privileged';
    return Promise.resolve();
  };

  private readonly logout: ExecHandler = () => Promise.resolve({ kind: 'exit', logout: true });

  private readonly configExit: ExecHandler = (s) => {
    if (s.modes !== undefined && s.modes.length > 1) s.modes = s.modes.slice(0, -1);
    else s.modes = undefined;
    return Promise.resolve();
  };

  private readonly configEnd: ExecHandler = (s) => {
    s.modes = undefined;
    return Promise.resolve();
  };

  private buildPrivilegedSpecs(): Spec[] {
    const running = (): ReadonlyConfigNode => this.store.running();
    return this.table(
      syntax.privileged,
      {
        disable: (s) => {
          s.level = 'user';
          return Promise.resolve();
        },
        exit: this.logout,
        configure: async (s, _a, io) => {
          s.modes = [GLOBAL_MODE];
          await io.print(`${messages.enterConfig}\n`);
        },
        'terminal length': (s, a) => {
          s.pageLines = Number(a['pageLines']);
          return Promise.resolve();
        },
        'terminal width': (s, a) => {
          s.width = Number(a['width']);
          return Promise.resolve();
        },
        write: async (s, _a, io) => {
          await io.print(`${messages.writeBuilding}\n`);
          this.store.save();
          this.hooks.onWrite?.(s);
          await io.print(`${messages.writeOk}\n`);
        },
        'show running-config': (_s, _a, io, f) => this.printLines(io, out.runningConfig(running(), this.facts.version), f),
        'show running-config interface': (_s, a, io, f) => this.printLines(io, out.runningInterface(running(), String(a['iface'])), f),
      },
      ['show running-config', 'show running-config interface'],
    );
  }

  private buildShowSpecs(): Spec[] {
    const running = (): ReadonlyConfigNode => this.store.running();
    const f = this.facts;
    return this.table(
      syntax.shows,
      {
        'show version': (_s, _a, io, flt) =>
          this.printLines(io, out.version({ model: f.model, version: f.version, sysObjectId: f.sysObjectId, startedAt: f.startedAt, now: this.store.clock.now() }), flt),
        'show interfaces status': (_s, _a, io, flt) => this.printLines(io, out.interfacesStatus(running(), f.inventory), flt),
        'show vxlan': (_s, _a, io, flt) => this.printLines(io, out.vxlanSummary(running()), flt),
        'show vxlan vni': (_s, _a, io, flt) => this.printLines(io, out.vxlanVni(running()), flt),
      },
      ['show version', 'show interfaces status', 'show vxlan', 'show vxlan vni'],
    );
  }

  private buildModeSpecs(): Record<ModeKind, Spec[]> {
    const c = (run: ConfigHandler): Handler => ({ kind: 'config', run });
    const byName = (make: (name: string) => ConfigHandler): Handler => c((ctx, args) => make(String(args['iface']))(ctx, args));
    const global = this.table(syntax.global, {
      hostname: c(cfg.setHostname),
      'no hostname': c(cfg.noHostname),
      vlan: c(cfg.vlan),
      'no vlan': c(cfg.noVlan),
      'vrf definition': c(cfg.vrfDefinition),
      'no vrf definition': c(cfg.noVrfDefinition),
      interface: byName(cfg.interfaceHandler),
      'no interface': byName(cfg.noInterfaceHandler),
    });
    const vlan = this.table(syntax.vlan, {
      name: c(cfg.vlanName),
      'no name': c(cfg.noVlanName),
      description: c(cfg.description),
      'no description': c(cfg.noDescription),
      'vxlan vni': c(cfg.vlanVxlanVni),
      'no vxlan vni': c(cfg.noVlanVxlanVni),
    });
    const vrf = this.table(syntax.vrf, {
      description: c(cfg.description),
      'no description': c(cfg.noDescription),
      rd: c(cfg.rd),
      'no rd': c(cfg.noRd),
      vni: c(cfg.vrfVni),
      'no vni': c(cfg.noVrfVni),
      'route-target import': c(cfg.routeTarget('import')),
      'route-target export': c(cfg.routeTarget('export')),
      'route-target both': c(cfg.routeTarget('both')),
      'no route-target import': c(cfg.noRouteTarget('import')),
      'no route-target export': c(cfg.noRouteTarget('export')),
      'no route-target both': c(cfg.noRouteTarget('both')),
    });
    const ifaceAny = this.table(syntax.ifaceAny, {
      description: c(cfg.description),
      'no description': c(cfg.noDescription),
      shutdown: c(cfg.shutdown),
      'no shutdown': c(cfg.noShutdown),
    });
    const physical = this.table(syntax.physical, {
      'switchport mode trunk': c(cfg.switchportTrunk),
      'switchport mode access': c(cfg.switchportAccess),
      'no switchport mode': c(cfg.switchportAccess),
      'switchport trunk allowed vlan all': c(cfg.allowedVlan('all')),
      'switchport trunk allowed vlan none': c(cfg.allowedVlan('none')),
      'switchport trunk allowed vlan only': c(cfg.allowedVlan('only')),
      'switchport trunk allowed vlan add': c(cfg.allowedVlan('add')),
      'switchport trunk allowed vlan remove': c(cfg.allowedVlan('remove')),
      'no switchport trunk allowed vlan': c(cfg.allowedVlan('all')),
    });
    const routed = this.table(syntax.routed, {
      'vrf forwarding': c(cfg.vrfForwarding),
      'no vrf forwarding': c(cfg.noVrfForwarding),
      'ip address': c(cfg.ipAddress),
      'no ip address': c(cfg.noIpAddress),
      'ipv6 address': c(cfg.ipv6Address),
      'no ipv6 address': c(cfg.noIpv6Address),
    });
    const svi = this.table(syntax.svi, {
      'mac-address': c(cfg.macAddress),
      'no mac-address': c(cfg.noMacAddress),
      'anycast-gateway': c(cfg.anycastGateway),
      'no anycast-gateway': c(cfg.noAnycastGateway),
    });
    const nve = this.table(syntax.nve, {
      'source-interface': byName(cfg.sourceInterface),
      'no source-interface': c(cfg.noSourceInterface),
      'member vni': c(cfg.memberVni(false)),
      'member vni associate-vrf': c(cfg.memberVni(true)),
      'no member vni': c(cfg.noMemberVni),
    });
    return {
      global,
      vlan,
      vrf,
      physical: [...ifaceAny, ...physical],
      svi: [...ifaceAny, ...routed, ...svi],
      loopback: [...ifaceAny, ...routed],
      nve: [...ifaceAny, ...nve],
    };
  }

  private async printLines(io: CommandIo, text: readonly string[], filter: RgosPipeFilter | undefined): Promise<void> {
    const shown = applyRgosPipe(text, filter);
    if (shown.length > 0) await io.print(`${shown.join('\n')}\n`);
  }
}
