/**
 * Device output → netloom models, in one place: `show running-config` as a tree, the device-level state of what
 * netloom manages ({@link RgosState}), the fabric objects netloom owns (and the ones it does not), netloom's lock
 * markers, and `show version`.
 *
 * Every parsed reply is validated with io-ts before use; a reply that does not validate is a `DeviceProtocolError`
 * listing each problem with its path.
 *
 * Ownership: a block (`vrf definition`, `vlan`, `interface VLAN`) is netloom's when its `description` starts with
 * `netloom:` ({@link MARKER_PREFIX}). Bindings carry no marker of their own: a VLAN of a netloom segment allowed on a
 * physical trunk port is a netloom binding (owned via its segment); NVE members of netloom VNIs are netloom's too.
 * A marked block is *observed* only when it is also well formed (see {@link readDevice}); a marked block that is not
 * is reported in `warnings`, and the next non-empty apply repairs or removes it.
 *
 * @packageDocumentation
 */
import * as t from 'io-ts';
import {
  DeviceProtocolError,
  FabricConfigCodec,
  decodeProblems,
  isSafeName,
  struct,
  type DeviceFacts,
  type FabricConfig,
  type InputProblem,
} from '@netloom/ports';
import { CONFIG, LOCK, MARKER_PREFIX, MODEL_PORT, PARSE, SESSION, shown } from './ruijie-rgos.commands';

/** One configuration line and the lines of the mode it opens. The root has an empty line. */
export interface ConfigNode {
  readonly line: string;
  children: ConfigNode[];
}

/**
 * Validates a parsed reply; throws `DeviceProtocolError` naming every problem (path and reason).
 *
 * @throws DeviceProtocolError
 */
export function decodeReply<A, O>(codec: t.Type<A, O, unknown>, value: unknown, subject: string): A {
  const r = decodeProblems(codec, value);
  if (r.value !== undefined && r.problems.length === 0) return r.value;
  throw protocolError(subject, r.problems);
}

/** A `DeviceProtocolError` for a reply that did not validate. */
export function protocolError(subject: string, problems: readonly InputProblem[]): DeviceProtocolError {
  const lines = problems.map((p) => `${p.path === '' ? '(root)' : p.path}: ${p.reason}`);
  return new DeviceProtocolError(`${subject} is not what the adapter expects (${problems.length} problem${problems.length === 1 ? '' : 's'}): ${lines.join('; ')}`, {
    details: { problems: [...problems] },
  });
}

// ---------------------------------------------------------------------------------------------------------------
// Configuration text

/**
 * Parses `show running-config` output into a tree. Everything before the first `!` (`Building configuration...`,
 * `Current configuration : <n> bytes`) is skipped; `!` separators and the final `end` are skipped; one space of
 * indentation per level.
 *
 * @throws DeviceProtocolError when there is no `!` line at all, or a line is indented more than one level deeper
 *   than the line before it
 * @example parseRunningConfig('!\nvlan 10\n vxlan vni 10010\n!\nend', 'running').children[0].children[0].line === 'vxlan vni 10010'
 */
export function parseRunningConfig(text: string, subject: string): ConfigNode {
  const raw = text.split(/\r?\n/);
  const start = raw.findIndex((l) => PARSE.configStart.test(l.trim()));
  if (start < 0) throw protocolError(subject, [{ path: '(output)', reason: `no "!" line: this is not ${SESSION.showRunning} output` }]);
  const root: ConfigNode = { line: '', children: [] };
  const stack: ConfigNode[] = [root];
  const problems: InputProblem[] = [];
  for (let i = start; i < raw.length; i++) {
    const trimmed = raw[i]!.replace(/\s+$/, '');
    if (trimmed === '') continue;
    const depth = trimmed.length - trimmed.trimStart().length;
    if (depth === 0 && PARSE.skip.test(trimmed)) {
      stack.length = 1;
      if (trimmed === 'end') break;
      continue;
    }
    if (depth > stack.length - 1) {
      problems.push({ path: `line ${i + 1}`, reason: `${JSON.stringify(trimmed)} is indented ${depth} levels below a line at level ${stack.length - 2}` });
      continue;
    }
    stack.length = depth + 1;
    const node: ConfigNode = { line: trimmed.trimStart(), children: [] };
    stack[depth]!.children.push(node);
    stack.push(node);
  }
  if (problems.length > 0) throw protocolError(subject, problems);
  return root;
}

const childLines = (node: ConfigNode): string[] => node.children.map((c) => c.line);

function value(node: ConfigNode, pattern: RegExp): string | undefined {
  for (const c of node.children) {
    const m = pattern.exec(c.line);
    if (m !== null) return m[1];
  }
  return undefined;
}

const descriptionOf = (node: ConfigNode): string | undefined => value(node, PARSE.description);
const isMarked = (node: ConfigNode): boolean => descriptionOf(node)?.startsWith(MARKER_PREFIX) === true;
const num = (s: string | undefined): number | undefined => (s === undefined ? undefined : Number(s));

/** Parses a VLAN list (`10,20-22`) into ids, or undefined when malformed. */
export function parseVlanList(text: string): number[] | undefined {
  if (!PARSE.vlanList.test(text)) return undefined;
  const out: number[] = [];
  for (const part of text.split(',')) {
    const [a, b] = part.split('-').map(Number) as [number, number | undefined];
    for (let v = a; v <= (b ?? a); v++) out.push(v);
  }
  return out;
}

/** `TenGigabitEthernet 0/1` → `TenGigabitEthernet0/1` (the port as netloom names it), or undefined. */
export function modelPortName(devicePort: string): string | undefined {
  const m = PARSE.physical.exec(devicePort);
  return m === null ? undefined : `${m[1]!}${m[2]!}`;
}

/** `TenGigabitEthernet0/1` → `{ type: 'TenGigabitEthernet', number: '0/1' }`, or undefined for another name. */
export function devicePortOf(modelPort: string): { readonly type: string; readonly number: string } | undefined {
  const m = MODEL_PORT.exec(modelPort);
  return m === null ? undefined : { type: m[1]!, number: m[2]! };
}

/** `0000.5e00.0101` → `00:00:5e:00:01:01`, or undefined. */
export function fromRgosMac(mac: string): string | undefined {
  const m = PARSE.mac.exec(mac);
  if (m === null) return undefined;
  const hex = m.slice(1).map((g) => g.toLowerCase().padStart(4, '0')).join('');
  return hex.match(/../g)!.join(':');
}

/** The prefix length of a dotted mask, or undefined when it is not contiguous. */
export function prefixLength(mask: string): number | undefined {
  const parts = mask.split('.').map(Number);
  if (parts.length !== 4 || parts.some((p) => !Number.isInteger(p) || p < 0 || p > 255)) return undefined;
  const bits = parts.reduce((acc, p) => ((acc << 8) | p) >>> 0, 0);
  for (let len = 0; len <= 32; len++) if ((len === 0 ? 0 : (0xffffffff << (32 - len)) >>> 0) === bits) return len;
  return undefined;
}

// ---------------------------------------------------------------------------------------------------------------
// Device-level state

/** An NVE member: whether it is an L3 VNI (`associate-vrf`) and the block that maps its VNI (`vlan:100`, `vrf:vpc1`). */
export interface RgosMember {
  readonly l3: boolean;
  readonly owner: string;
}

/**
 * What netloom manages on an RGOS leaf, at the level of device lines: its blocks with their child lines, the NVE
 * members of its VNIs, and its VLANs on trunk ports. Rendering diffs two of these (now → desired, now → before).
 */
export interface RgosState {
  /** `vrf definition <name>` → child lines. */
  readonly vrfs: ReadonlyMap<string, readonly string[]>;
  /** `vlan <id>` → child lines. */
  readonly vlans: ReadonlyMap<number, readonly string[]>;
  /** `interface VLAN <id>` → child lines. */
  readonly svis: ReadonlyMap<number, readonly string[]>;
  /** `interface Nve 1` / `member vni <vni>` lines, by VNI. */
  readonly members: ReadonlyMap<number, RgosMember>;
  /** Physical port (as netloom names it) → netloom VLANs in its allowed list. */
  readonly trunks: ReadonlyMap<string, ReadonlySet<number>>;
}

/** Ids of blocks in {@link RgosMember.owner} and diffs. */
export const blockId = {
  vrf: (name: string): string => `vrf:${name}`,
  vlan: (vlan: number): string => `vlan:${vlan}`,
} as const;

/** A state with nothing in it. */
export function emptyState(): RgosState {
  return { vrfs: new Map(), vlans: new Map(), svis: new Map(), members: new Map(), trunks: new Map() };
}

/** Blocks to treat as netloom's although unmarked (those an interrupted apply created before typing the marker). */
export interface ExtraOwned {
  readonly vrfs?: ReadonlySet<string>;
  readonly vlans?: ReadonlySet<number>;
  readonly svis?: ReadonlySet<number>;
}

/** A physical port: trunk or not, and the VLANs it allows (`all`: no allowed list). */
export interface PortState {
  readonly trunk: boolean;
  readonly allowed: ReadonlySet<number> | 'all';
}

/** netloom's lock marker of a transaction (see `LOCK` in the command table). */
export interface LockMarker {
  /** The VRF name: `netloom-lock-<expiry>-<token>`. */
  readonly name: string;
  readonly token: string;
  /** Milliseconds since the epoch. */
  readonly expiresAt: number;
}

/** Who holds the names and numbers a create needs (marked: netloom's). */
export interface DeviceIndex {
  readonly vrfs: ReadonlyMap<string, { readonly marked: boolean }>;
  readonly vlans: ReadonlyMap<number, { readonly marked: boolean }>;
  readonly svis: ReadonlyMap<number, { readonly marked: boolean }>;
  /** VNI → the block that maps it. */
  readonly vnis: ReadonlyMap<number, { readonly owner: string; readonly marked: boolean }>;
  /** Physical ports, as netloom names them. */
  readonly ports: ReadonlyMap<string, PortState>;
  /** `interface Nve 1` exists. */
  readonly nve: boolean;
}

/** What the device holds that is not netloom's, per fabric kind and key (for harnesses and reports). */
export type ForeignObjects = {
  readonly vrf: Readonly<Record<string, Readonly<Record<string, unknown>>>>;
  readonly segment: Readonly<Record<string, Readonly<Record<string, unknown>>>>;
  readonly binding: Readonly<Record<string, Readonly<Record<string, unknown>>>>;
};

/** Everything {@link readDevice} learns from a configuration tree. */
export interface DeviceView {
  readonly tree: ConfigNode;
  /** The fabric objects netloom owns, decoded (canonical). */
  readonly config: FabricConfig;
  /** The device-level state of everything netloom manages (marked blocks, also malformed ones). */
  readonly state: RgosState;
  /** The leaf VLAN of each observed segment: L2 VNI → VLAN. */
  readonly segmentVlans: ReadonlyMap<number, number>;
  readonly index: DeviceIndex;
  readonly foreign: ForeignObjects;
  readonly markers: readonly LockMarker[];
  /** Marked objects that are not well formed (not observed, not foreign). */
  readonly warnings: readonly string[];
}

/**
 * Reads a configuration tree: the owned fabric config, the device-level state, the index of names and numbers, the
 * foreign objects and the lock markers.
 *
 * Observed (owned and well formed):
 * - vrf: `vrf definition X` with `description netloom:X` and a `vni`; targets from `route-target import|export`;
 * - segment: `vlan V` with `description netloom:<l2Vni> <name>` and `vxlan vni <l2Vni>` (V is its leaf VLAN); routed
 *   when `interface VLAN V` carries `description netloom:<l2Vni>` and `vrf forwarding` of an observed VRF; its
 *   anycast gateway when that SVI has `anycast-gateway` and an address;
 * - binding: VLAN V of an observed segment in the explicit allowed list of a physical trunk port P: `P:V`.
 *
 * `extra` names blocks to count as netloom's in `state` although unmarked (an interrupted apply's).
 *
 * @throws DeviceProtocolError when the owned objects do not form a valid fabric config
 */
export function readDevice(root: ConfigNode, subject: string, extra: ExtraOwned = {}): DeviceView {
  const warnings: string[] = [];
  const markers: LockMarker[] = [];
  const idx = {
    vrfs: new Map<string, { marked: boolean }>(),
    vlans: new Map<number, { marked: boolean }>(),
    svis: new Map<number, { marked: boolean }>(),
    vnis: new Map<number, { owner: string; marked: boolean }>(),
    ports: new Map<string, PortState>(),
    nve: false,
  };
  const state = { vrfs: new Map<string, string[]>(), vlans: new Map<number, string[]>(), svis: new Map<number, string[]>(), members: new Map<number, RgosMember>(), trunks: new Map<string, Set<number>>() };
  const foreign = { vrf: {} as Record<string, Record<string, unknown>>, segment: {} as Record<string, Record<string, unknown>>, binding: {} as Record<string, Record<string, unknown>> };
  const vrf: Record<string, Record<string, unknown>> = {};
  const segment: Record<string, Record<string, unknown>> = {};
  const binding: Record<string, Record<string, unknown>> = {};
  const segmentByVlan = new Map<number, Record<string, unknown>>();
  const segmentVlans = new Map<number, number>();
  const sviNodes = new Map<number, ConfigNode>();
  const portNodes: Array<{ port: string; node: ConfigNode }> = [];
  let nveNode: ConfigNode | undefined;

  for (const node of root.children) {
    const vrfm = PARSE.vrf.exec(node.line);
    if (vrfm !== null) {
      const name = vrfm[1]!;
      const lock = LOCK.match.exec(name);
      if (lock !== null) {
        markers.push({ name, token: lock[2]!, expiresAt: parseInt(lock[1]!, 36) * 1000 });
        continue;
      }
      const marked = isMarked(node);
      idx.vrfs.set(name, { marked });
      const vni = num(value(node, PARSE.vrfVni));
      if (vni !== undefined) idx.vnis.set(vni, { owner: shown(CONFIG.vrf, { name }), marked });
      if (marked || extra.vrfs?.has(name) === true) state.vrfs.set(name, childLines(node));
      const description = descriptionOf(node);
      if (!marked) {
        foreign.vrf[name] = { key: name, name, ...(vni === undefined ? {} : { l3Vni: vni }), ...(description === undefined ? {} : { description }) };
        continue;
      }
      if (description !== `${MARKER_PREFIX}${name}` || !isSafeName(name) || vni === undefined) {
        warnings.push(`${shown(CONFIG.vrf, { name })} is marked as netloom's but is not well formed (description ${JSON.stringify(description)}, ${shown(CONFIG.vrfVni, { vni: String(vni) })})`);
        continue;
      }
      const exp: string[] = [];
      const imp: string[] = [];
      for (const c of node.children) {
        const m = PARSE.routeTarget.exec(c.line);
        if (m !== null) (m[1] === 'export' ? exp : imp).push(m[2]!);
      }
      vrf[name] = { key: name, name, l3Vni: vni, ...(imp.length > 0 ? { importRouteTargets: imp } : {}), ...(exp.length > 0 ? { exportRouteTargets: exp } : {}) };
      continue;
    }
    const vlanm = PARSE.vlan.exec(node.line);
    if (vlanm !== null) {
      const v = Number(vlanm[1]);
      const marked = isMarked(node);
      idx.vlans.set(v, { marked });
      const vni = num(value(node, PARSE.vxlanVni));
      if (vni !== undefined) idx.vnis.set(vni, { owner: shown(CONFIG.vlan, { vlan: v }), marked });
      if (marked || extra.vlans?.has(v) === true) state.vlans.set(v, childLines(node));
      const description = descriptionOf(node);
      if (!marked) {
        const key = vni === undefined ? `vlan${v}` : String(vni);
        foreign.segment[key] = { key, vlan: v, ...(vni === undefined ? {} : { l2Vni: vni }), ...(description === undefined ? {} : { description }) };
        continue;
      }
      const m = PARSE.segmentMarker.exec(description ?? '');
      if (m === null || vni === undefined || m[1] !== String(vni) || !isSafeName(m[2])) {
        warnings.push(`${shown(CONFIG.vlan, { vlan: v })} is marked as netloom's but is not well formed (description ${JSON.stringify(description)}, ${shown(CONFIG.vxlanVni, { vni: String(vni) })})`);
        continue;
      }
      const seg: Record<string, unknown> = { key: String(vni), name: m[2]!, l2Vni: vni };
      segment[String(vni)] = seg;
      segmentByVlan.set(v, seg);
      segmentVlans.set(vni, v);
      continue;
    }
    const svim = PARSE.svi.exec(node.line);
    if (svim !== null) {
      const v = Number(svim[1]);
      const marked = isMarked(node);
      idx.svis.set(v, { marked });
      if (marked || extra.svis?.has(v) === true) state.svis.set(v, childLines(node));
      sviNodes.set(v, node);
      continue;
    }
    if (PARSE.nve.test(node.line)) {
      idx.nve = true;
      nveNode = node;
      continue;
    }
    const ifm = PARSE.iface.exec(node.line);
    const port = ifm === null ? undefined : modelPortName(ifm[1]!);
    if (port !== undefined) {
      const trunk = node.children.some((c) => PARSE.switchportTrunk.test(c.line));
      let allowed: ReadonlySet<number> | 'all' = 'all';
      for (const c of node.children) {
        const m = PARSE.trunkAllowed.exec(c.line);
        if (m === null) continue;
        const list = m[2] === 'none' ? [] : parseVlanList(m[1] ?? '');
        if (list === undefined) throw protocolError(subject, [{ path: `interface ${ifm![1]!}`, reason: `${JSON.stringify(c.line)} does not hold a VLAN list` }]);
        allowed = new Set(list);
      }
      idx.ports.set(port, { trunk, allowed });
      portNodes.push({ port, node });
    }
  }

  // Routed segments: the SVI of an observed segment, in an observed VRF.
  for (const [v, node] of sviNodes) {
    if (!isMarked(node)) continue;
    const seg = segmentByVlan.get(v);
    if (seg === undefined || descriptionOf(node) !== `${MARKER_PREFIX}${String(seg['key'])}`) {
      warnings.push(`${shown(CONFIG.svi, { vlan: v })} is marked as netloom's but its VLAN is not an observed segment`);
      continue;
    }
    const boundTo = value(node, PARSE.vrfForwarding);
    if (boundTo === undefined || vrf[boundTo] === undefined) {
      warnings.push(`${shown(CONFIG.svi, { vlan: v })} is not in a VRF netloom owns (${shown(CONFIG.vrfForwarding, { vrf: String(boundTo) })})`);
      continue;
    }
    seg['vrf'] = boundTo;
    if (!node.children.some((c) => PARSE.anycastGateway.test(c.line))) continue;
    const ip = node.children.map((c) => PARSE.ipAddress.exec(c.line)).find((m) => m !== null);
    const len = ip === undefined || ip === null ? undefined : prefixLength(ip[2]!);
    const ipv6 = node.children.flatMap((c) => {
      const m = PARSE.ipv6Address.exec(c.line);
      return m === null ? [] : [m[1]!];
    });
    if ((ip === undefined || ip === null || len === undefined) && ipv6.length === 0) {
      warnings.push(`${shown(CONFIG.svi, { vlan: v })} has ${CONFIG.anycastGateway} but no usable address`);
      continue;
    }
    const macText = value(node, PARSE.macAddress);
    const mac = macText === undefined ? undefined : fromRgosMac(macText);
    seg['anycastGateway'] = {
      ...(ip === undefined || ip === null || len === undefined ? {} : { ipv4: [`${ip[1]!}/${len}`] }),
      ...(ipv6.length > 0 ? { ipv6 } : {}),
      ...(mac === undefined ? {} : { mac }),
    };
  }

  // NVE members of netloom's VNIs.
  const vniBlocks = new Map<number, string>();
  for (const [name, ls] of state.vrfs) {
    const vni = ls.map((l) => PARSE.vrfVni.exec(l)).find((m) => m !== null);
    if (vni !== undefined && vni !== null) vniBlocks.set(Number(vni[1]), blockId.vrf(name));
  }
  for (const [v, ls] of state.vlans) {
    const vni = ls.map((l) => PARSE.vxlanVni.exec(l)).find((m) => m !== null);
    if (vni !== undefined && vni !== null) vniBlocks.set(Number(vni[1]), blockId.vlan(v));
  }
  for (const c of nveNode?.children ?? []) {
    const m = PARSE.member.exec(c.line);
    if (m === null) continue;
    const owner = vniBlocks.get(Number(m[1]));
    if (owner !== undefined) state.members.set(Number(m[1]), { l3: m[2] !== undefined, owner });
  }

  // Bindings: netloom VLANs in the explicit allowed list of a trunk port.
  for (const { port } of portNodes) {
    const p = idx.ports.get(port)!;
    if (!p.trunk || p.allowed === 'all') continue;
    const ours = new Set<number>();
    for (const v of [...p.allowed].sort((a, b) => a - b)) {
      if (state.vlans.has(v)) ours.add(v);
      else foreign.binding[`${port}:${v}`] = { key: `${port}:${v}`, interface: port, vlan: v };
      const seg = segmentByVlan.get(v);
      if (seg !== undefined) binding[`${port}:${v}`] = { key: `${port}:${v}`, interface: port, vlan: v, l2Vni: seg['l2Vni'] };
    }
    if (ours.size > 0) state.trunks.set(port, ours);
  }

  const config = decodeReply(FabricConfigCodec, { vrf, interconnect: {}, segment, binding }, `${subject}: the objects netloom owns`);
  return { tree: root, config, state, segmentVlans, index: idx, foreign, markers, warnings };
}

// ---------------------------------------------------------------------------------------------------------------
// show version

/** A string matching `pattern`; the failure says what was expected and what came. */
function textLike(name: string, pattern: RegExp, expected: string): t.Type<string, string, unknown> {
  const ok = (u: unknown): u is string => typeof u === 'string' && pattern.test(u);
  return new t.Type<string, string, unknown>(name, ok, (u, c) => (ok(u) ? t.success(u) : t.failure(u, c, `expected ${expected}, got ${u === undefined ? 'no such line' : JSON.stringify(u)}`)), t.identity);
}

const VersionCodec = struct(
  'ShowVersion',
  {
    model: textLike('model', /^[\x21-\x7e]{1,64}$/, `a model name like RG-S6510-48VS8CQ in "${PARSE.versionKeys.description} : ... (<model>) ..."`),
    software: textLike('software', /^[\x20-\x7e]{1,64}$/, 'a software version like "RGOS 11.0(5)B9P59"'),
  },
  {
    serial: textLike('serial', /^[\x21-\x7e]{1,64}$/, 'a serial number'),
    hardware: t.string,
    uptime: t.string,
    sysObjectId: textLike('sysObjectId', /^\d+(\.\d+)+$/, 'an OID'),
  },
);

/**
 * Device facts from `show version` (and the host name from the prompt).
 *
 * @throws DeviceProtocolError when the description or software version row is missing or malformed
 * @example parseVersion(text, 'Leaf1', 'show version') // { vendor: 'Ruijie', model: 'RG-S6510-48VS8CQ', osVersion: 'RGOS 11.0(5)B9P59', ... }
 */
export function parseVersion(text: string, hostname: string, subject: string): DeviceFacts {
  const rows = new Map<string, string>();
  for (const l of text.split(/\r?\n/)) {
    const m = PARSE.versionRow.exec(l.trim());
    if (m !== null && !rows.has(m[1]!)) rows.set(m[1]!, m[2]!.trim());
  }
  const k = PARSE.versionKeys;
  const description = rows.get(k.description);
  const opt = (key: string, v: string | undefined): Record<string, string> => (v === undefined || v === '' || v === 'NA' ? {} : { [key]: v });
  const parsed = decodeReply(
    VersionCodec,
    {
      model: description === undefined ? undefined : PARSE.versionModel.exec(description)?.[1],
      software: rows.get(k.software),
      ...opt('serial', rows.get(k.serial)),
      ...opt('hardware', rows.get(k.hardware)),
      ...opt('uptime', rows.get(k.uptime)),
      ...opt('sysObjectId', rows.get(k.sysObjectId)),
    },
    subject,
  );
  return {
    vendor: 'Ruijie',
    model: parsed.model,
    osVersion: parsed.software,
    ...(parsed.serial === undefined ? {} : { serial: parsed.serial }),
    ...(hostname === '' ? {} : { hostname }),
    extra: {
      ...(parsed.hardware === undefined ? {} : { hardwareVersion: parsed.hardware }),
      ...(parsed.uptime === undefined ? {} : { uptime: parsed.uptime }),
      ...(parsed.sysObjectId === undefined ? {} : { sysObjectId: parsed.sysObjectId }),
    },
  };
}
