/**
 * The Huawei CloudEngine (VRP8) dialect of the CLI device engine: views and prompts, the command tables per view,
 * the two-stage commit flow (per-session candidate, `commit [trial|label|description]`, `abort trial`,
 * `clear configuration candidate`, rollback points), `configuration exclusive`, `screen-length`, `save` and the
 * `display` commands.
 *
 * Behaviour follows PROTOCOLS §1; where it had no fact the VRP8-typical behaviour was chosen and marked
 * `// UNVERIFIED:` (all vendor texts live in `huawei-ce.strings.ts`).
 *
 * @packageDocumentation
 */
import { nodeAt, type ConfigNode, type ReadonlyConfigNode } from '../cli-device/config-tree';
import { Candidate, type ConfigDatastore, type ConfigEdit, type CommitFailure, type WriterRef } from '../cli-device/datastore';
import type { CliDialect, CliSessionInfo, CommandIo, ExecuteResult } from '../cli-device/dialect';
import {
  applyPipe,
  command,
  customParam,
  intParam,
  matchCommand,
  numArg,
  splitPipe,
  splitWords,
  strArg,
  textParam,
  wordParam,
  type Args,
  type CommandSpec,
  type MatchFailure,
  type MatchResult,
  type ParamDef,
  type PipeFilter,
} from '../cli-device/grammar';
import * as cfg from './huawei-ce.config';
import { LINES, viewOf, type ConfigHandler, type View, type ViewKind } from './huawei-ce.config';
import * as show from './huawei-ce.display';
import { commitErrors, infos, pager, prompts, questions, reasons, semanticError, syntaxErrors } from './huawei-ce.strings';
import { BD_RANGE, parseInterfaceName, parseIpv4, parseMac, parseMask, parseRouteValue, TRIAL_RANGE, VLAN_RANGE, VNI_RANGE, VPN_NAME } from './huawei-ce.values';

/** Facts and settings the dialect needs from the simulator. */
export interface HuaweiCeFacts {
  readonly model: string;
  readonly vrpVersion: string;
  readonly softwareVersion: string;
  readonly inventory: ReadonlySet<string>;
  /** Lines per page until `screen-length` changes it (VRP default: 24). */
  readonly pageLines: number;
  /** Users asked the first-login password question. */
  readonly firstLoginUsers: ReadonlySet<string>;
  /** When the device started (milliseconds since the epoch). */
  readonly startedAt: number;
  /** The configuration before the first commit (target of `rollback configuration last <all>`). */
  readonly initial: () => ReadonlyConfigNode;
}

/** What the dialect reports to its simulator. */
export interface HuaweiCeDialectHooks {
  /** A configuration command was accepted into a candidate. */
  onConfigEdit?(sessionId: number, command: string): void;
}

/** One CLI session's state. */
export class HuaweiSession {
  /** The view stack; `views[0]` is the user view. */
  views: View[] = [USER_VIEW];
  /** The candidate, while in system view or below. */
  candidate: Candidate | undefined;
  /** Lines per page (0: paging off). */
  pageLines: number;
  /** Who this session is to the configuration store. */
  readonly writer: WriterRef;

  constructor(
    readonly info: CliSessionInfo,
    pageLines: number,
  ) {
    this.pageLines = pageLines;
    this.writer = { sessionId: info.id, user: info.username, terminal: info.terminal };
  }

  /** The current view. */
  get view(): View {
    return this.views[this.views.length - 1]!;
  }
}

const USER_VIEW: View = { kind: 'user', path: [], name: '' };

type ExecHandler = (s: HuaweiSession, args: Args, io: CommandIo, filter: PipeFilter | undefined) => Promise<ExecuteResult | void>;
type Handler = { readonly kind: 'config'; readonly run: ConfigHandler } | { readonly kind: 'exec'; readonly run: ExecHandler };
type Spec = CommandSpec<Handler>;

function caret(io: CommandIo, column: number, failure: MatchFailure): string {
  const text =
    failure === 'unrecognized'
      ? syntaxErrors.unrecognized
      : failure === 'incomplete'
        ? syntaxErrors.incomplete
        : failure === 'ambiguous'
          ? syntaxErrors.ambiguous
          : syntaxErrors.wrongParameter;
  return `${' '.repeat(io.promptShown.length + column)}^\n${text}\n`;
}

/** The Huawei CE dialect. One instance serves every session of one simulated device. */
export class HuaweiCeDialect implements CliDialect<HuaweiSession> {
  readonly pager = pager;
  // UNVERIFIED: the SSH identification string of CE switches.
  readonly sshIdent = 'HUAWEI-1.5';
  private readonly configSpecs: Record<ViewKind, Spec[]>;
  private readonly commonSpecs: Spec[];
  private readonly userSpecs: Spec[];
  private readonly configModeSpecs: Spec[];
  private openSessions = 0;
  private hostCache: { version: number; host: string } | undefined;

  constructor(
    private readonly store: ConfigDatastore,
    private readonly facts: HuaweiCeFacts,
    private readonly hooks: HuaweiCeDialectHooks = {},
  ) {
    this.configSpecs = this.buildConfigSpecs();
    this.commonSpecs = this.buildCommonSpecs();
    this.userSpecs = this.buildUserSpecs();
    this.configModeSpecs = this.buildConfigModeSpecs();
  }

  // -------------------------------------------------------------------------------------------------------------
  // CliDialect

  openSession(info: CliSessionInfo): HuaweiSession {
    this.openSessions++;
    return new HuaweiSession(info, info.interactive ? this.facts.pageLines : 0);
  }

  closeSession(session: HuaweiSession): void {
    this.openSessions--;
    session.candidate = undefined;
    session.views = [USER_VIEW];
    this.store.releaseLock(session.writer);
  }

  async greet(session: HuaweiSession, io: CommandIo): Promise<void> {
    if (this.facts.firstLoginUsers.has(session.info.username)) {
      // NOTE: the simulator never changes passwords; any answer continues (netmiko answers N).
      await io.ask(`${questions.changePassword}`);
    }
    await io.print(`${infos.loginBanner(this.openSessions, show.formatTime(this.store.clock.now())).join('\n')}\n`);
  }

  prompt(session: HuaweiSession): string {
    const host = this.hostname();
    if (session.views.length === 1) return prompts.user(host);
    return prompts.system(host, session.candidate?.dirty === true, session.view.name);
  }

  pageLines(session: HuaweiSession): number {
    return session.pageLines;
  }

  async execute(session: HuaweiSession, line: string, io: CommandIo): Promise<ExecuteResult> {
    if (line.trim() === '') return { kind: 'empty' };
    let commandLine = line;
    let filter: PipeFilter | undefined;
    const first = splitWords(line)[0]?.text.toLowerCase() ?? '';
    if (first.length > 0 && 'display'.startsWith(first) && line.includes('|')) {
      const pipe = splitPipe(line);
      if (pipe.error !== undefined) {
        await io.print(caret(io, pipe.error.column, pipe.error.failure));
        return { kind: pipe.error.failure };
      }
      commandLine = pipe.command;
      filter = pipe.filter;
    }
    // The current view first, then its parent views (VRP runs a command of an upper view from a sub-view and moves
    // there). UNVERIFIED: that it moves to the upper view when the command opens no view of its own.
    const tried: Array<{ index: number; result: MatchResult<Handler> }> = [];
    for (let index = session.views.length - 1; index >= 0; index--) {
      const specs = index === session.views.length - 1 ? this.specsFor(session.views[index]!.kind, true) : this.specsFor(session.views[index]!.kind, false);
      if (specs.length === 0) continue;
      const result = matchCommand(specs, commandLine);
      if (result.ok) return this.run(session, index, result.spec, result.args, commandLine.trim(), io, filter);
      tried.push({ index, result });
      if (session.views[index]!.kind === 'user' || session.views[index]!.kind === 'system') break;
    }
    let best = tried[0]!.result as Extract<MatchResult<Handler>, { ok: false }>;
    for (const t of tried.slice(1)) {
      const r = t.result as Extract<MatchResult<Handler>, { ok: false }>;
      if (r.column > best.column) best = r;
    }
    await io.print(caret(io, best.column, best.failure));
    return { kind: best.failure };
  }

  // -------------------------------------------------------------------------------------------------------------
  // Dispatch

  private specsFor(kind: ViewKind, current: boolean): Spec[] {
    if (kind === 'user') return current ? [...this.userSpecs, ...this.commonSpecs] : [];
    const own = this.configSpecs[kind];
    return current ? [...own, ...this.configModeSpecs, ...this.commonSpecs] : own;
  }

  private async run(session: HuaweiSession, viewIndex: number, spec: Spec, args: Args, commandText: string, io: CommandIo, filter: PipeFilter | undefined): Promise<ExecuteResult> {
    if (spec.handler.kind === 'exec') {
      const out = await spec.handler.run(session, args, io, filter);
      return out ?? { kind: spec.id };
    }
    await this.runConfig(session, viewIndex, spec.handler.run, args, commandText, io);
    return { kind: spec.id };
  }

  private async runConfig(session: HuaweiSession, viewIndex: number, handler: ConfigHandler, args: Args, commandText: string, io: CommandIo): Promise<void> {
    const candidate = session.candidate;
    if (candidate === undefined) throw new Error('internal: configuration command outside the system view');
    const view = session.views[viewIndex]!;
    const edit = this.makeEdit(view.path, commandText, handler, args);
    const reason = candidate.edit(edit.edit);
    const captured = edit.finish();
    if (reason !== undefined) {
      await io.print(`${semanticError(reason)}\n`);
      return;
    }
    this.hooks.onConfigEdit?.(session.info.id, commandText);
    if (captured.infos.length > 0) await io.print(`${captured.infos.join('\n')}\n`);
    session.views = session.views.slice(0, viewIndex + 1);
    if (captured.enter !== undefined) session.views.push(captured.enter);
  }

  /**
   * An edit whose `apply` reports infos and the entered view only for its first (interactive) run; replays during
   * a commit are silent.
   */
  private makeEdit(path: readonly string[], commandText: string, handler: ConfigHandler, args: Args): { edit: ConfigEdit; finish: () => { infos: string[]; enter?: View } } {
    const capture: { active: boolean; infos: string[]; enter?: View } = { active: true, infos: [] };
    const inventory = this.facts.inventory;
    const apply = (root: ConfigNode): string | undefined => {
      const node = nodeAt(root, path);
      if (node === undefined) return reasons.viewGone;
      const outcome = handler({ root, node, path, inventory, info: (t) => (capture.active ? capture.infos.push(t) : undefined) }, args);
      if (outcome !== undefined && 'error' in outcome) return outcome.error;
      if (outcome !== undefined && 'enter' in outcome && capture.active) capture.enter = outcome.enter;
      return undefined;
    };
    return {
      edit: { path, command: commandText, apply },
      finish: () => {
        capture.active = false;
        return { infos: capture.infos, ...(capture.enter !== undefined ? { enter: capture.enter } : {}) };
      },
    };
  }

  private hostname(): string {
    if (this.hostCache?.version !== this.store.version) {
      const running = this.store.running();
      this.hostCache = { version: this.store.version, host: cfg.childValue(running, LINES.sysname) ?? 'HUAWEI' };
    }
    return this.hostCache.host;
  }

  // -------------------------------------------------------------------------------------------------------------
  // Commit flow

  private failureText(failure: CommitFailure): string {
    switch (failure.kind) {
      case 'locked':
        return commitErrors.locked(failure.holder.user, failure.holder.sessionId);
      case 'trial-busy':
        return commitErrors.trialBusy(failure.owner.user, failure.owner.sessionId);
      case 'label-exists':
        return commitErrors.labelExists(failure.label);
      case 'conflict':
      case 'injected':
        return commitErrors.failed(failure.reason);
    }
  }

  /** Commits the session's candidate; prints what the device prints. Returns whether running now has it. */
  async commit(session: HuaweiSession, io: CommandIo, opts: { label?: string; description?: string; trialSeconds?: number }): Promise<boolean> {
    const candidate = session.candidate!;
    const trial = this.store.pendingTrial;
    if (trial !== undefined && trial.owner.sessionId === session.info.id) {
      if (opts.trialSeconds !== undefined) {
        await io.print(`${commitErrors.trialRunning}\n`);
        return false;
      }
      // `commit` while this session's trial runs confirms it.
      this.store.confirmTrial();
    }
    if (!candidate.dirty) return true;
    if (opts.label !== undefined && (/^\d/.test(opts.label) || opts.label === '-')) {
      await io.print(`${commitErrors.labelInvalid}\n`);
      return false;
    }
    const outcome = this.store.commit({
      writer: session.writer,
      edits: candidate.edits,
      ...(opts.label !== undefined ? { label: opts.label } : {}),
      ...(opts.description !== undefined ? { description: opts.description } : {}),
      ...(opts.trialSeconds !== undefined ? { trialSeconds: opts.trialSeconds } : {}),
    });
    if (!outcome.ok) {
      await io.print(`${this.failureText(outcome.failure)}\n`);
      return false;
    }
    candidate.clear();
    if (opts.trialSeconds !== undefined) await io.print(`${infos.trialStarted(opts.trialSeconds)}\n`);
    return true;
  }

  /** Leaves the configuration views (asking about uncommitted changes). Returns whether it left. */
  private async leaveConfig(session: HuaweiSession, io: CommandIo): Promise<boolean> {
    const candidate = session.candidate;
    if (candidate?.dirty === true) {
      for (;;) {
        const answer = (await io.ask(questions.uncommitted)).trim().toLowerCase();
        if (answer === 'y' || answer === 'yes') {
          if (!(await this.commit(session, io, {}))) return false;
          break;
        }
        if (answer === 'n' || answer === 'no') {
          candidate.clear();
          break;
        }
        if (answer === 'c' || answer === 'cancel' || answer === '') return false;
      }
    }
    session.views = [USER_VIEW];
    session.candidate = undefined;
    return true;
  }

  private async printLines(io: CommandIo, lines: readonly string[], filter: PipeFilter | undefined): Promise<void> {
    const out = applyPipe(lines, filter);
    if (out.length > 0) await io.print(`${out.join('\n')}\n`);
  }

  private async rollback(session: HuaweiSession, io: CommandIo, target: { commitId: number } | { label: string } | { last: number }): Promise<void> {
    const history = this.store.history();
    let tree: ReadonlyConfigNode | undefined;
    if ('commitId' in target) tree = history.find((r) => r.id === target.commitId)?.snapshot;
    else if ('label' in target) tree = history.find((r) => r.label === target.label)?.snapshot;
    else if (target.last <= history.length) tree = target.last === history.length ? this.facts.initial() : history[history.length - 1 - target.last]!.snapshot;
    if (tree === undefined) {
      await io.print(`${commitErrors.unknownCommit}\n`);
      return;
    }
    const outcome = this.store.rollbackTo({ tree }, session.writer);
    if (!outcome.ok) {
      await io.print(`${outcome.failure.kind === 'unknown-commit' ? commitErrors.unknownCommit : this.failureText(outcome.failure)}\n`);
      return;
    }
    await io.print(`${infos.rolledBack}\n`);
  }

  // -------------------------------------------------------------------------------------------------------------
  // Command tables

  private params(): Record<string, ParamDef> {
    const inventory = this.facts.inventory;
    return {
      bd: intParam(BD_RANGE.min, BD_RANGE.max),
      vni: intParam(VNI_RANGE.min, VNI_RANGE.max),
      vlan: intParam(VLAN_RANGE.min, VLAN_RANGE.max),
      // UNVERIFIED: sysname length limit (1..246).
      sysname: wordParam(246),
      vpnName: wordParam(31, VPN_NAME),
      rd: customParam(parseRouteValue),
      rt: customParam(parseRouteValue),
      ip: customParam(parseIpv4),
      peer: customParam(parseIpv4),
      mask: customParam(parseMask),
      mac: customParam(parseMac),
      ifname: customParam((raw) => parseInterfaceName(raw, inventory)?.name),
      subifName: customParam((raw) => {
        const p = parseInterfaceName(raw, inventory);
        return p?.kind === 'subif' ? p.name : undefined;
      }),
      // UNVERIFIED: description lengths (BD 80, others 242; see `describe` below).
      trialSeconds: intParam(TRIAL_RANGE.min, TRIAL_RANGE.max),
      label: wordParam(256, /^[\x21-\x7e]+$/),
      commitText: textParam(60),
      commitId: intParam(1, 2999999999),
      screen: intParam(0, 512),
      last: intParam(1, 80),
    };
  }

  private buildConfigSpecs(): Record<ViewKind, Spec[]> {
    const P = this.params();
    const c = (id: string, syntax: string, run: ConfigHandler): Spec => command<Handler>(id, syntax, P, { kind: 'config', run });
    const describe = (maxLength: number): Spec[] => [
      command<Handler>('description', 'description <text>', { text: textParam(maxLength) }, { kind: 'config', run: cfg.description }),
      c('undo description', 'undo description', cfg.undoDescription),
    ];
    const shutdown = [c('shutdown', 'shutdown', cfg.flag('shutdown')), c('undo shutdown', 'undo shutdown', cfg.undoFlag('shutdown', false))];
    const rd = [
      c('route-distinguisher', 'route-distinguisher <rd>', cfg.routeDistinguisher),
      c('undo route-distinguisher', 'undo route-distinguisher', cfg.undoRouteDistinguisher),
      c('undo route-distinguisher', 'undo route-distinguisher <rd>', cfg.undoRouteDistinguisher),
    ];
    const targets = (withEvpn: boolean): Spec[] => {
      const out: Spec[] = [];
      const dirs: Array<[string, cfg.TargetDirection]> = [
        ['', 'both'],
        [' both', 'both'],
        [' export-extcommunity', 'export-extcommunity'],
        [' import-extcommunity', 'import-extcommunity'],
      ];
      for (const evpn of withEvpn ? [false, true] : [false]) {
        for (const [word, dir] of dirs) {
          const tail = `${word}${evpn ? ' evpn' : ''}`;
          out.push(c('vpn-target', `vpn-target <rt>${tail}`, cfg.vpnTarget(dir, evpn)), c('undo vpn-target', `undo vpn-target <rt>${tail}`, cfg.undoVpnTarget(dir, evpn)));
        }
      }
      return out;
    };
    const l3 = [
      c('ip binding vpn-instance', 'ip binding vpn-instance <vpnName>', cfg.ipBinding),
      c('undo ip binding vpn-instance', 'undo ip binding vpn-instance <vpnName>', cfg.undoIpBinding),
      c('ip address', 'ip address <ip> <mask>', cfg.ipAddress),
      c('undo ip address', 'undo ip address', cfg.undoIpAddress),
      c('undo ip address', 'undo ip address <ip> <mask>', cfg.undoIpAddress),
    ];
    return {
      user: [],
      system: [
        c('sysname', 'sysname <sysname>', cfg.setSysname),
        c('evpn-overlay enable', 'evpn-overlay enable', cfg.evpnOverlayEnable),
        c('undo evpn-overlay enable', 'undo evpn-overlay enable', cfg.undoEvpnOverlay),
        c('ip vpn-instance', 'ip vpn-instance <vpnName>', cfg.vpnInstance),
        c('undo ip vpn-instance', 'undo ip vpn-instance <vpnName>', cfg.undoVpnInstance),
        c('bridge-domain', 'bridge-domain <bd>', cfg.bridgeDomain),
        c('undo bridge-domain', 'undo bridge-domain <bd>', cfg.undoBridgeDomain),
        c('interface', 'interface <ifname>', cfg.interfaceHandler(false)),
        c('interface', 'interface <subifName> mode l2', cfg.interfaceHandler(true)),
        c('undo interface', 'undo interface <ifname>', cfg.undoInterface),
      ],
      bd: [
        c('vxlan vni', 'vxlan vni <vni>', cfg.bdVxlanVni),
        c('undo vxlan vni', 'undo vxlan vni <vni>', cfg.undoVxlanVni),
        c('evpn', 'evpn', cfg.bdEvpn),
        c('undo evpn', 'undo evpn', cfg.undoBdEvpn),
        ...describe(80),
      ],
      'bd-evpn': [...rd, ...targets(false)],
      'vpn-instance': [
        c('ipv4-family', 'ipv4-family', cfg.ipv4Family),
        c('undo ipv4-family', 'undo ipv4-family', cfg.undoIpv4Family),
        c('vxlan vni', 'vxlan vni <vni>', cfg.vpnVxlanVni),
        c('undo vxlan vni', 'undo vxlan vni <vni>', cfg.undoVxlanVni),
        ...describe(242),
      ],
      'vpn-af': [...rd, ...targets(true)],
      vbdif: [
        ...l3,
        c('vxlan anycast-gateway enable', 'vxlan anycast-gateway enable', cfg.flag('vxlan anycast-gateway enable')),
        c('undo vxlan anycast-gateway enable', 'undo vxlan anycast-gateway enable', cfg.undoFlag('vxlan anycast-gateway enable')),
        c('arp collect host enable', 'arp collect host enable', cfg.flag('arp collect host enable')),
        c('undo arp collect host enable', 'undo arp collect host enable', cfg.undoFlag('arp collect host enable')),
        c('mac-address', 'mac-address <mac>', cfg.macAddress),
        c('undo mac-address', 'undo mac-address', cfg.undoMacAddress),
        c('undo mac-address', 'undo mac-address <mac>', cfg.undoMacAddress),
        ...describe(242),
        ...shutdown,
      ],
      loopback: [...l3, ...describe(242)],
      subif: [
        c('encapsulation dot1q', 'encapsulation dot1q vid <vlan>', cfg.encapsulationDot1q),
        c('undo encapsulation', 'undo encapsulation dot1q vid <vlan>', cfg.undoEncapsulation),
        c('undo encapsulation', 'undo encapsulation dot1q', cfg.undoEncapsulation),
        c('undo encapsulation', 'undo encapsulation', cfg.undoEncapsulation),
        c('bridge-domain', 'bridge-domain <bd>', cfg.subifBridgeDomain),
        c('undo bridge-domain', 'undo bridge-domain', cfg.undoSubifBridgeDomain),
        ...describe(242),
        ...shutdown,
      ],
      physical: [...describe(242), ...shutdown],
      nve: [
        c('source', 'source <ip>', cfg.nveSource),
        c('undo source', 'undo source', cfg.undoNveSource),
        c('undo source', 'undo source <ip>', cfg.undoNveSource),
        c('vni head-end peer-list', 'vni <vni> head-end peer-list protocol bgp', cfg.nveVni),
        c('vni head-end peer-list', 'vni <vni> head-end peer-list <peer>', cfg.nveVni),
        c('undo vni', 'undo vni <vni>', cfg.undoNveVni('all')),
        c('undo vni', 'undo vni <vni> head-end peer-list protocol bgp', cfg.undoNveVni('bgp')),
        c('undo vni', 'undo vni <vni> head-end peer-list <peer>', cfg.undoNveVni('peer')),
        ...describe(242),
      ],
    };
  }

  /** `display ...` and the lock commands: every view. */
  private buildCommonSpecs(): Spec[] {
    const P = this.params();
    const x = (id: string, syntax: string, run: ExecHandler): Spec => command<Handler>(id, syntax, P, { kind: 'exec', run });
    const running = (): ConfigNode => this.store.running();
    const last = () => this.store.history()[this.store.history().length - 1];
    const section = (match: (line: string) => boolean) => [...show.configSection(running(), match), 'return'];
    return [
      x('display current-configuration', 'display current-configuration', async (_s, _a, io, f) =>
        this.printLines(io, show.currentConfiguration(running(), this.facts.softwareVersion, last()), f),
      ),
      x('display current-configuration', 'display current-configuration configuration bd', async (_s, _a, io, f) => this.printLines(io, section((l) => LINES.bd.test(l)), f)),
      x('display current-configuration', 'display current-configuration configuration vpn-instance', async (_s, _a, io, f) =>
        this.printLines(io, section((l) => LINES.vpn.test(l)), f),
      ),
      x('display current-configuration', 'display current-configuration interface', async (_s, _a, io, f) => this.printLines(io, section((l) => l.startsWith('interface ')), f)),
      x('display current-configuration', 'display current-configuration interface <ifname>', async (_s, a, io, f) => {
        const name = strArg(a, 'ifname');
        await this.printLines(io, section((l) => l === `interface ${name}` || l === `interface ${name} mode l2`), f);
      }),
      x('display this', 'display this', async (s, _a, io, f) => this.printLines(io, show.displayThis(running(), s.view.path), f)),
      x('display version', 'display version', async (_s, _a, io, f) =>
        this.printLines(
          io,
          show.versionText({ model: this.facts.model, vrpVersion: this.facts.vrpVersion, softwareVersion: this.facts.softwareVersion, uptimeMs: this.store.clock.now() - this.facts.startedAt }),
          f,
        ),
      ),
      x('display bridge-domain', 'display bridge-domain', async (_s, _a, io, f) => this.printLines(io, show.bridgeDomainTable(running()), f)),
      x('display vxlan vni', 'display vxlan vni', async (_s, _a, io, f) => this.printLines(io, show.vxlanVniTable(running()), f)),
      x('display vxlan tunnel', 'display vxlan tunnel', async (_s, _a, io, f) => this.printLines(io, show.vxlanTunnelTable(), f)),
      x('display interface brief', 'display interface brief', async (_s, _a, io, f) => this.printLines(io, show.interfaceBrief(running()), f)),
      x('display configuration commit list', 'display configuration commit list', async (_s, _a, io, f) => this.printLines(io, show.commitList(this.store.history(), false), f)),
      x('display configuration commit list', 'display configuration commit list verbose', async (_s, _a, io, f) =>
        this.printLines(io, show.commitList(this.store.history(), true), f),
      ),
      x('configuration exclusive', 'configuration exclusive', async (s, _a, io) => {
        const r = this.store.acquireLock(s.writer);
        if (!r.ok) await io.print(`${commitErrors.lockHeld(r.holder.user, r.holder.sessionId)}\n`);
      }),
      x('undo configuration exclusive', 'undo configuration exclusive', async (s, _a, io) => {
        if (!this.store.releaseLock(s.writer)) await io.print(`${commitErrors.notLockOwner}\n`);
      }),
    ];
  }

  /** User view only. */
  private buildUserSpecs(): Spec[] {
    const P = this.params();
    const x = (id: string, syntax: string, run: ExecHandler): Spec => command<Handler>(id, syntax, P, { kind: 'exec', run });
    return [
      x('system-view', 'system-view', async (s, _a, io) => {
        s.views = [USER_VIEW, viewOf([])];
        s.candidate = new Candidate(this.store);
        await io.print(`${infos.enterSystemView}\n`);
      }),
      x('quit', 'quit', () => Promise.resolve({ kind: 'quit', logout: true })),
      // UNVERIFIED: `return` in the user view is accepted and does nothing.
      x('return', 'return', () => Promise.resolve()),
      x('screen-length', 'screen-length <screen> temporary', async (s, a, io) => {
        s.pageLines = numArg(a, 'screen');
        await io.print(`${infos.screenLength}\n`);
      }),
      x('undo screen-length', 'undo screen-length temporary', async (s, _a, io) => {
        s.pageLines = this.facts.pageLines;
        await io.print(`${infos.screenLength}\n`);
      }),
      x('save', 'save', async (_s, _a, io) => this.save(io)),
      x('rollback configuration', 'rollback configuration to commit-id <commitId>', async (s, a, io) => this.rollback(s, io, { commitId: numArg(a, 'commitId') })),
      x('rollback configuration', 'rollback configuration to label <label>', async (s, a, io) => this.rollback(s, io, { label: strArg(a, 'label') })),
      x('rollback configuration', 'rollback configuration last <last>', async (s, a, io) => this.rollback(s, io, { last: numArg(a, 'last') })),
    ];
  }

  /** System view and every sub-view. */
  private buildConfigModeSpecs(): Spec[] {
    const P = this.params();
    const x = (id: string, syntax: string, run: ExecHandler): Spec => command<Handler>(id, syntax, P, { kind: 'exec', run });
    const specs: Spec[] = [
      x('quit', 'quit', async (s, _a, io) => {
        if (s.views.length > 2) s.views = s.views.slice(0, -1);
        else await this.leaveConfig(s, io);
      }),
      x('return', 'return', async (s, _a, io) => {
        await this.leaveConfig(s, io);
      }),
      x('clear configuration candidate', 'clear configuration candidate', (s) => {
        s.candidate?.clear();
        // The VRP8 reference: "The uncommitted configuration will be deleted, and the system view will be displayed."
        s.views = s.views.slice(0, 2);
        return Promise.resolve();
      }),
      x('display configuration candidate', 'display configuration candidate', async (s, _a, io, f) => this.printLines(io, show.candidateCommands(s.candidate?.edits ?? []), f)),
      x('display configuration candidate', 'display configuration candidate changes', async (s, _a, io, f) =>
        this.printLines(io, show.candidateChanges(this.store.running(), s.candidate?.current() ?? this.store.running()), f),
      ),
      x('display configuration candidate', 'display configuration candidate merge', async (s, _a, io, f) =>
        this.printLines(io, show.configBody(s.candidate?.current() ?? this.store.running()), f),
      ),
      x('abort trial', 'abort trial', async (_s, _a, io) => {
        if (this.store.pendingTrial === undefined) {
          await io.print(`${commitErrors.noTrial}\n`);
          return;
        }
        const answer = (await io.ask(questions.abortTrial)).trim().toLowerCase();
        if (answer === 'y' || answer === 'yes') this.store.abortTrial();
      }),
      x('save', 'save', async (_s, _a, io) => this.save(io)),
    ];
    // commit [trial [<seconds>]] [label <label>] [description <text>]
    for (const trial of ['', ' trial', ' trial <trialSeconds>']) {
      for (const label of ['', ' label <label>']) {
        for (const desc of ['', ' description <commitText>']) {
          specs.push(
            x('commit', `commit${trial}${label}${desc}`, async (s, a, io) => {
              const seconds = trial === '' ? undefined : trial === ' trial' ? TRIAL_RANGE.default : numArg(a, 'trialSeconds');
              await this.commit(s, io, {
                ...(label !== '' ? { label: strArg(a, 'label') } : {}),
                ...(desc !== '' ? { description: strArg(a, 'commitText') } : {}),
                ...(seconds !== undefined ? { trialSeconds: seconds } : {}),
              });
            }),
          );
        }
      }
    }
    return specs;
  }

  private async save(io: CommandIo): Promise<void> {
    const answer = (await io.ask(questions.save)).trim().toLowerCase();
    if (answer !== 'y' && answer !== 'yes') return;
    this.store.save();
    await io.print(`${infos.saving}\n${infos.saved}\n`);
  }
}
