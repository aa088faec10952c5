/**
 * The `show` commands of the EOS simulator, each with its JSON form (what eAPI returns with `format: "json"`) and
 * its text form (`format: "text"`), derived from the configuration tree.
 *
 * JSON shapes: `show version` and `show hostname` follow public eAPI replies; `show vxlan vni` follows the paths
 * PROTOCOLS.md §3.5 names; `show vrf`, `show vlan`, `show interfaces status` and `show configuration sessions` are
 * the simulator's best reading (UNVERIFIED field names).
 *
 * @packageDocumentation
 */
import { renderBody, renderConfig, sectionFilter, type EosNode } from './eos.tree';
import { parseVlanList } from './eos.values';

/** What a device says about itself (`show version`, `show hostname`). */
export interface EosFacts {
  readonly hostname: string;
  readonly model: string;
  readonly version: string;
  readonly serialNumber: string;
  readonly systemMac: string;
  readonly bootedAt: number;
}

/** One configuration session as `show configuration sessions` reports it. */
export interface SessionView {
  readonly name: string;
  readonly state: 'pending' | 'pendingCommitTimer' | 'completed';
  readonly user: string;
  /** Epoch seconds when a pending commit timer expires. */
  readonly commitTimerExpireTime?: number;
}

/** What the show commands can see. */
export interface ShowContext {
  readonly facts: EosFacts;
  readonly running: EosNode;
  readonly sessions: readonly SessionView[];
  /** The session the command runs in, with its candidate config and the diff against running. */
  readonly session?: { readonly name: string; readonly candidate: EosNode; readonly diff: () => string };
  readonly now: number;
}

/** The result of a show command: its JSON and text forms; `json` absent means "no JSON form" (eAPI error 1003). */
export interface ShowResult {
  readonly json?: unknown;
  readonly text: string;
}

/** Why a show command was refused. */
export interface ShowRefusal {
  readonly refused: 'invalid' | 'error';
  readonly message: string;
  readonly token?: number;
}

const blocks = (root: EosNode, re: RegExp): EosNode[] => root.children.filter((c) => re.test(c.line));
const child = (node: EosNode | undefined, re: RegExp): RegExpExecArray | undefined => {
  for (const c of node?.children ?? []) {
    const m = re.exec(c.line);
    if (m !== null) return m;
  }
  return undefined;
};

function version(ctx: ShowContext): ShowResult {
  const f = ctx.facts;
  const json = {
    mfgName: 'Arista',
    modelName: f.model,
    hardwareRevision: '11.00',
    serialNumber: f.serialNumber,
    systemMacAddress: f.systemMac,
    hwMacAddress: f.systemMac,
    configMacAddress: '00:00:00:00:00:00',
    version: f.version,
    architecture: 'x86_64',
    internalVersion: `${f.version}-simulated`,
    internalBuildId: '00000000-0000-0000-0000-000000000000',
    imageFormatVersion: '3.0',
    imageOptimization: 'Default',
    bootupTimestamp: f.bootedAt / 1000,
    uptime: (ctx.now - f.bootedAt) / 1000,
    memTotal: 8_000_000,
    memFree: 5_000_000,
    isIntlVersion: false,
  };
  const text = [
    `Arista ${f.model}`,
    'Hardware version: 11.00',
    `Serial number:       ${f.serialNumber}`,
    `Hardware MAC address:  ${f.systemMac}`,
    `System MAC address:  ${f.systemMac}`,
    '',
    `Software image version: ${f.version}`,
    'Architecture:           x86_64',
    '',
  ].join('\n');
  return { json, text };
}

interface VxlanBinding {
  readonly vni: number;
  readonly vlan: number;
}

function vxlanMaps(root: EosNode): { vlans: VxlanBinding[]; vrfs: { vni: number; vrf: string }[] } {
  const vx = root.children.find((c) => c.line === 'interface Vxlan1');
  const vlans: VxlanBinding[] = [];
  const vrfs: { vni: number; vrf: string }[] = [];
  for (const c of vx?.children ?? []) {
    let m = /^vxlan vlan (\d+) vni (\d+)$/.exec(c.line);
    if (m !== null) vlans.push({ vlan: Number(m[1]), vni: Number(m[2]) });
    m = /^vxlan vrf (\S+) vni (\d+)$/.exec(c.line);
    if (m !== null) vrfs.push({ vrf: m[1]!, vni: Number(m[2]) });
  }
  return { vlans, vrfs };
}

/** The Ethernet ports carrying `vlan` and the 802.1Q tag they use for it (after translation). */
function portsCarrying(root: EosNode, vlan: number): Record<string, { dot1q: number }> {
  const out: Record<string, { dot1q: number }> = {};
  for (const intf of blocks(root, /^interface Ethernet/)) {
    const name = intf.line.slice('interface '.length);
    const trunk = intf.children.some((c) => c.line === 'switchport mode trunk');
    const access = child(intf, /^switchport access vlan (\d+)$/);
    if (!trunk) {
      if (access !== undefined && Number(access[1]) === vlan) out[name] = { dot1q: 0 };
      continue;
    }
    const allowed = child(intf, /^switchport trunk allowed vlan (\S+)$/);
    const carried = allowed === undefined || (allowed[1] !== 'none' && (parseVlanList(allowed[1]!) ?? []).includes(vlan));
    if (!carried) continue;
    const translated = intf.children.map((c) => /^switchport vlan translation (\d+) (\d+)$/.exec(c.line)).find((m) => m !== null && Number(m[2]) === vlan);
    out[name] = { dot1q: translated ? Number(translated[1]) : vlan };
  }
  return out;
}

function vxlanVni(ctx: ShowContext): ShowResult {
  const { vlans, vrfs } = vxlanMaps(ctx.running);
  const vniBindings: Record<string, unknown> = {};
  const textRows: string[] = [];
  for (const b of [...vlans].sort((x, y) => x.vni - y.vni)) {
    const interfaces: Record<string, { dot1q: number }> = { ...portsCarrying(ctx.running, b.vlan), Vxlan1: { dot1q: b.vlan } };
    vniBindings[String(b.vni)] = { vlan: b.vlan, dynamicVlan: false, source: 'static', interfaces };
    textRows.push(`${String(b.vni).padEnd(12)} ${String(b.vlan).padEnd(11)} static     ${Object.entries(interfaces).map(([k, v]) => `${k}${v.dot1q === 0 ? '' : ` ${v.dot1q}`}`).join(', ')}`);
  }
  // Each VRF's L3 VNI gets a dynamic VLAN, as EOS allocates them from the top of the range.
  const vniBindingsToVrf: Record<string, unknown> = {};
  [...vrfs]
    .sort((x, y) => (x.vrf < y.vrf ? -1 : 1))
    .forEach((v, i) => {
      vniBindingsToVrf[String(v.vni)] = { vrfName: v.vrf, vlan: 4094 - i, source: 'evpn' };
      textRows.push(`${String(v.vni).padEnd(12)} ${`${4094 - i}*`.padEnd(11)} evpn       Vxlan1 ${4094 - i} (vrf ${v.vrf})`);
    });
  const json = { vxlanIntfs: { Vxlan1: { vniBindings, vniBindingsToVrf } } };
  const text = ['VNI to VLAN Mapping for Vxlan1', 'VNI          VLAN        Source     Interface', '------------ ----------- ---------- ----------------------', ...textRows, ''].join('\n');
  return { json, text };
}

function vrf(ctx: ShowContext): ShowResult {
  const root = ctx.running;
  const bgp = blocks(root, /^router bgp /)[0];
  const routed = (name: string): boolean => root.children.some((c) => c.line === (name === 'default' ? 'ip routing' : `ip routing vrf ${name}`));
  const rdOf = (name: string): string => {
    const section = bgp?.children.find((c) => c.line === `vrf ${name}`);
    return child(section, /^rd (\S+)$/)?.[1] ?? '';
  };
  const interfacesIn = (name: string): string[] =>
    blocks(root, /^interface /)
      .filter((i) => (child(i, /^vrf (\S+)$/)?.[1] ?? 'default') === name)
      .map((i) => i.line.slice('interface '.length))
      .filter((n) => !n.startsWith('Ethernet') && !n.startsWith('Vxlan'));
  const names = ['default', ...blocks(root, /^vrf instance /).map((c) => c.line.slice('vrf instance '.length))];
  const vrfs: Record<string, unknown> = {};
  const rows: string[] = [];
  for (const name of names) {
    const state = routed(name) ? 'up' : 'down';
    vrfs[name] = {
      routeDistinguisher: rdOf(name),
      vrfState: 'up',
      interfaces: interfacesIn(name),
      protocols: { ipv4: { supported: true, protocolState: 'up', routingState: state }, ipv6: { supported: true, protocolState: 'up', routingState: 'down' } },
    };
    rows.push(`${name.padEnd(16)} ${(rdOf(name) || '<not set>').padEnd(20)} ipv4,ipv6 v4:${state === 'up' ? 'routing' : 'no routing'} ${interfacesIn(name).join(', ')}`);
  }
  return { json: { vrfs }, text: ['VRF              RD                   Protocols State  Interfaces', ...rows, ''].join('\n') };
}

function vlanShow(ctx: ShowContext): ShowResult {
  const vlans: Record<string, unknown> = { '1': { name: 'default', status: 'active', interfaces: {}, dynamic: false } };
  const rows = ['1    default                          active'];
  for (const b of blocks(ctx.running, /^vlan \d+$/)) {
    const id = b.line.slice(5);
    const name = child(b, /^name (.+)$/)?.[1] ?? `VLAN${id.padStart(4, '0')}`;
    const status = b.children.some((c) => c.line === 'state suspend') ? 'suspended' : 'active';
    const ports = portsCarrying(ctx.running, Number(id));
    vlans[id] = { name, status, interfaces: Object.fromEntries(Object.keys(ports).map((p) => [p, { privatePromoted: false }])), dynamic: false };
    rows.push(`${id.padEnd(4)} ${name.padEnd(32)} ${status.padEnd(9)} ${Object.keys(ports).join(', ')}`);
  }
  return { json: { vlans, sourceDetail: '' }, text: ['VLAN Name                             Status    Ports', '---- -------------------------------- --------- -------------------------------', ...rows, ''].join('\n') };
}

function interfacesStatus(ctx: ShowContext): ShowResult {
  const statuses: Record<string, unknown> = {};
  const rows: string[] = [];
  for (const intf of blocks(ctx.running, /^interface (Ethernet|Management)/)) {
    const name = intf.line.slice('interface '.length);
    const description = child(intf, /^description (.+)$/)?.[1] ?? '';
    const trunk = intf.children.some((c) => c.line === 'switchport mode trunk');
    const access = Number(child(intf, /^switchport access vlan (\d+)$/)?.[1] ?? 1);
    const shut = intf.children.some((c) => c.line === 'shutdown');
    statuses[name] = {
      description,
      linkStatus: shut ? 'disabled' : 'connected',
      lineProtocolStatus: shut ? 'down' : 'up',
      vlanInformation: trunk ? { interfaceMode: 'trunk', interfaceForwardingModel: 'bridged' } : { interfaceMode: 'bridged', vlanId: access, interfaceForwardingModel: 'bridged' },
      bandwidth: name.startsWith('Management') ? 1_000_000_000 : 100_000_000_000,
      interfaceType: name.startsWith('Management') ? '10/100/1000' : '100GBASE-CR4',
      duplex: 'duplexFull',
      autoNegotiateActive: false,
    };
    rows.push(`${name.padEnd(10)} ${description.slice(0, 18).padEnd(18)} ${(shut ? 'disabled' : 'connected').padEnd(12)} ${(trunk ? 'trunk' : String(access)).padEnd(8)} full   100G   100GBASE-CR4`);
  }
  return { json: { interfaceStatuses: statuses }, text: ['Port       Name               Status       Vlan     Duplex Speed  Type', ...rows, ''].join('\n') };
}

function sessionsShow(ctx: ShowContext, detail: boolean): ShowResult {
  const sessions: Record<string, unknown> = {};
  const rows: string[] = [];
  for (const s of ctx.sessions) {
    sessions[s.name] = {
      state: s.state,
      commitUser: s.user,
      description: '',
      instances: {},
      ...(s.commitTimerExpireTime === undefined ? {} : { commitTimerExpireTime: s.commitTimerExpireTime }),
    };
    const left = s.commitTimerExpireTime === undefined ? '' : `${Math.max(0, Math.round(s.commitTimerExpireTime - ctx.now / 1000))}s`;
    const state = s.state === 'pendingCommitTimer' ? 'pending commit timer' : s.state;
    rows.push(`  ${s.name.padEnd(24)} ${state.padEnd(22)} ${s.user.padEnd(10)}${detail ? ` ${left}` : ''}`);
  }
  const text = ['Maximum number of completed sessions: 1', 'Maximum number of pending sessions: 5', '', `  ${'Name'.padEnd(24)} ${'State'.padEnd(22)} ${'User'.padEnd(10)}${detail ? ' Commit time left' : ''}`, ...rows, ''].join('\n');
  return { json: { sessions, maxSavedSessions: 1, maxOpenSessions: 5 }, text };
}

function runningConfig(ctx: ShowContext, regex: string | undefined): ShowResult | ShowRefusal {
  const header = { hostname: ctx.facts.hostname, model: ctx.facts.model, version: ctx.facts.version };
  if (regex === undefined) return { text: renderConfig(ctx.running, header) };
  let re: RegExp;
  try {
    re = new RegExp(regex);
  } catch {
    return { refused: 'error', message: `% Invalid regular expression: ${regex}` };
  }
  const body = renderBody(sectionFilter(ctx.running, re));
  return { text: body.length === 0 ? '' : `${body.join('\n')}\n` };
}

/**
 * Runs a `show` command. Returns its JSON and text forms, or why it was refused (an unknown show command is
 * `invalid`; `show session-config` outside a session is an `error`).
 */
export function runShow(ctx: ShowContext, text: string): ShowResult | ShowRefusal {
  const cmd = text.trim().replace(/\s+/g, ' ');
  let m: RegExpExecArray | null;
  if (cmd === 'show version') return version(ctx);
  if (cmd === 'show hostname') return { json: { hostname: ctx.facts.hostname, fqdn: ctx.facts.hostname }, text: `Hostname: ${ctx.facts.hostname}\nFQDN:     ${ctx.facts.hostname}\n` };
  if ((m = /^show running-config(?: (?:\| )?section (.+))?$/.exec(cmd))) return runningConfig(ctx, m[1]);
  if (cmd === 'show vxlan vni') return vxlanVni(ctx);
  if (cmd === 'show vrf') return vrf(ctx);
  if (cmd === 'show vlan') return vlanShow(ctx);
  if (cmd === 'show interfaces status') return interfacesStatus(ctx);
  if (cmd === 'show configuration sessions' || cmd === 'show configuration sessions detail') return sessionsShow(ctx, cmd.endsWith('detail'));
  if (cmd === 'show session-config diffs' || cmd === 'show session-config') {
    // UNVERIFIED wording of the refusal outside a session.
    if (ctx.session === undefined) return { refused: 'error', message: '% Not in a configuration session' };
    if (cmd.endsWith('diffs')) return { text: ctx.session.diff() };
    return { text: `${renderBody(ctx.session.candidate).join('\n')}\nend\n` };
  }
  const words = cmd.split(' ');
  return { refused: 'invalid', message: '', token: words.length > 1 ? 1 : 0 };
}
