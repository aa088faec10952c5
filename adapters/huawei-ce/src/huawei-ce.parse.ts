/**
 * Device output → netloom models, in one place: the configuration text of `display current-configuration` as a tree,
 * the `+`/`-` lines of `display configuration candidate changes`, the fabric objects netloom owns (and the ones it
 * does not), `display version` and `display configuration commit list`.
 *
 * Every parsed reply is validated with io-ts before use; a reply that does not validate is a `DeviceProtocolError`
 * listing each problem with its path.
 *
 * Ownership: an object is netloom's when its `description` starts with `netloom:` ({@link MARKER_PREFIX}). It is
 * *observed* only when it is also well formed (see {@link readFabric}); a marked object that is not (its VNI was
 * removed by hand, its bridge domain is not netloom's) is neither observed nor foreign: it is reported in `warnings`
 * and repaired when the desired config names it again.
 *
 * @packageDocumentation
 */
import * as t from 'io-ts';
import {
  DeviceProtocolError,
  FabricConfigCodec,
  decodeProblems,
  intInRange,
  isSafeName,
  struct,
  type DeviceFacts,
  type FabricConfig,
  type InputProblem,
} from '@netloom/ports';
import { CE_INTERFACE, CONFIG, MARKER_PREFIX, PARSE } from './huawei-ce.commands';
import type { RenderSettings } from './huawei-ce.options';
import { bridgeDomainOf } from './huawei-ce.render';

/** One configuration line and the lines of the view it opens. The root has an empty line. */
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
 * Parses `display current-configuration` output into a tree: one space of indentation per level; `!` header lines,
 * `#` separators and `return` are skipped.
 *
 * @throws DeviceProtocolError when a line is indented more than one level below the previous one
 * @example parseConfigText('#\nbridge-domain 10\n vxlan vni 10\n#\nreturn', 'running').children[0].children[0].line === 'vxlan vni 10'
 */
export function parseConfigText(text: string, subject: string): ConfigNode {
  const root: ConfigNode = { line: '', children: [] };
  const stack: ConfigNode[] = [root];
  const problems: InputProblem[] = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    const trimmed = raw.replace(/\s+$/, '');
    if (trimmed === '' || PARSE.skip.test(trimmed)) return;
    const depth = trimmed.length - trimmed.trimStart().length;
    if (depth > stack.length - 1) {
      problems.push({ path: `line ${i + 1}`, reason: `${JSON.stringify(trimmed)} is indented ${depth} levels below a line at level ${stack.length - 2}` });
      return;
    }
    stack.length = depth + 1;
    const node: ConfigNode = { line: trimmed.trimStart(), children: [] };
    stack[depth]!.children.push(node);
    stack.push(node);
  });
  if (problems.length > 0) throw protocolError(subject, problems);
  return root;
}

/** A deep copy of a tree. */
export function cloneNode(node: ConfigNode): ConfigNode {
  return { line: node.line, children: node.children.map(cloneNode) };
}

const find = (parent: ConfigNode, text: string): ConfigNode | undefined => parent.children.find((c) => c.line === text);

function value(node: ConfigNode, pattern: RegExp): string | undefined {
  for (const c of node.children) {
    const m = pattern.exec(c.line);
    if (m !== null) return m[1];
  }
  return undefined;
}

const descriptionOf = (node: ConfigNode): string | undefined => value(node, PARSE.description);
const isMarked = (node: ConfigNode): boolean => descriptionOf(node)?.startsWith(MARKER_PREFIX) === true;

// ---------------------------------------------------------------------------------------------------------------
// Candidate changes

/** One line of `display configuration candidate changes`. */
export const CandidateLineCodec = struct('CandidateLine', { sign: t.keyof({ '+': null, '-': null, ' ': null }), depth: intInRange('depth', 0, 64), line: t.string });
/** One line of `display configuration candidate changes`. */
export type CandidateLine = t.TypeOf<typeof CandidateLineCodec>;

/**
 * Parses `display configuration candidate changes` (`+line` added, `-line` removed, ` line` unchanged context; one
 * space of indentation per level after the sign).
 *
 * @throws DeviceProtocolError for a line of another shape
 */
export function parseCandidateChanges(text: string, subject: string): CandidateLine[] {
  const out: CandidateLine[] = [];
  const problems: InputProblem[] = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    const trimmed = raw.replace(/\s+$/, '');
    if (trimmed === '' || trimmed === '#') return;
    const m = PARSE.candidateChange.exec(trimmed);
    if (m === null) {
      problems.push({ path: `line ${i + 1}`, reason: `${JSON.stringify(trimmed)} is not "+", "-" or " " followed by a configuration line` });
      return;
    }
    out.push({ sign: m[1] as CandidateLine['sign'], depth: m[2]!.length, line: m[3]! });
  });
  if (problems.length > 0) throw protocolError(subject, problems);
  return decodeReply(t.array(CandidateLineCodec), out, subject);
}

/**
 * The candidate configuration: `running` with the candidate changes applied (a new tree).
 *
 * @throws DeviceProtocolError when a change does not fit `running` (a context or removed line it does not hold)
 */
export function applyCandidateChanges(running: ConfigNode, changes: readonly CandidateLine[], subject: string): ConfigNode {
  const root = cloneNode(running);
  const parents: ConfigNode[] = [root];
  changes.forEach((c, i) => {
    const parent = parents[c.depth];
    if (parent === undefined) throw protocolError(subject, [{ path: `line ${i + 1}`, reason: `${JSON.stringify(c.line)} at level ${c.depth} has no parent line` }]);
    parents.length = c.depth + 1;
    if (c.sign === '+') {
      const node: ConfigNode = { line: c.line, children: [] };
      parent.children.push(node);
      parents.push(node);
      return;
    }
    const node = find(parent, c.line);
    if (node === undefined) {
      throw protocolError(subject, [{ path: `line ${i + 1}`, reason: `${c.sign === '-' ? 'removed' : 'context'} line ${JSON.stringify(c.line)} is not in the running configuration under ${JSON.stringify(parent.line || '(top)')}` }]);
    }
    if (c.sign === '-') parent.children = parent.children.filter((x) => x !== node);
    parents.push(node);
  });
  return root;
}

// ---------------------------------------------------------------------------------------------------------------
// Fabric objects

/** What the device holds that is not netloom's, per fabric kind and key (for harnesses and reports). */
export type ForeignObjects = {
  readonly vrf: Readonly<Record<string, Readonly<Record<string, unknown>>>>;
  readonly segment: Readonly<Record<string, Readonly<Record<string, unknown>>>>;
  readonly binding: Readonly<Record<string, Readonly<Record<string, unknown>>>>;
};

/** Who holds the names and numbers a create needs (marked: netloom's, whatever its state). */
export interface DeviceIndex {
  readonly vpnInstances: ReadonlyMap<string, { readonly marked: boolean }>;
  readonly bridgeDomains: ReadonlyMap<number, { readonly marked: boolean }>;
  /** VNI → the BD or VPN instance that binds it. */
  readonly vnis: ReadonlyMap<number, { readonly owner: string; readonly marked: boolean }>;
  readonly vbdifs: ReadonlyMap<number, { readonly marked: boolean }>;
  /** `10GE1/0/1.100` → the L2 sub-interface. */
  readonly subinterfaces: ReadonlyMap<string, { readonly marked: boolean }>;
  readonly evpnOverlay: boolean;
  readonly nve: boolean;
}

/** Everything {@link readFabric} learns from a configuration tree. */
export interface FabricView {
  /** The objects netloom owns, decoded (canonical). */
  readonly config: FabricConfig;
  readonly foreign: ForeignObjects;
  readonly index: DeviceIndex;
  /** Marked objects that are not well formed (not observed, not foreign). */
  readonly warnings: readonly string[];
}

function prefixLength(mask: string): number | undefined {
  const parts = mask.split('.').map(Number);
  if (parts.length !== 4 || parts.some((p) => !Number.isInteger(p) || p < 0 || p > 255)) return undefined;
  const bits = parts.reduce((acc, p) => ((acc << 8) | p) >>> 0, 0);
  for (let len = 0; len <= 32; len++) if ((len === 0 ? 0 : (0xffffffff << (32 - len)) >>> 0) === bits) return len;
  return undefined;
}

/** `0000-5e00-0101` → `00:00:5e:00:01:01`, or undefined. */
export function fromVrpMac(mac: string): string | undefined {
  const m = /^([0-9a-fA-F]{1,4})-([0-9a-fA-F]{1,4})-([0-9a-fA-F]{1,4})$/.exec(mac);
  if (m === null) return undefined;
  const hex = m.slice(1).map((g) => g.toLowerCase().padStart(4, '0')).join('');
  return hex.match(/../g)!.join(':');
}

const num = (s: string | undefined): number | undefined => (s === undefined ? undefined : Number(s));

/**
 * Reads the fabric objects out of a configuration tree.
 *
 * Observed (owned and well formed):
 * - vrf: `ip vpn-instance X` with `description netloom:X` and a `vxlan vni`; targets from `ipv4-family`'s
 *   `vpn-target … evpn` lines (absent when none);
 * - segment: `bridge-domain B` with `description netloom:<l2Vni> <name>`, `vxlan vni <l2Vni>` and B = l2Vni + bdOffset;
 *   routed when `interface VbdifB` carries `description netloom:<l2Vni>` and is bound to an observed VRF; its anycast
 *   gateway when the Vbdif has `vxlan anycast-gateway enable` and an `ip address`;
 * - binding: `interface P.V mode l2` with `description netloom:P:V`, `encapsulation dot1q vid V` and a
 *   `bridge-domain` of an observed segment;
 * - floodVtep: `vni <l2Vni> head-end peer-list <ip>…` under `interface Nve1` for the VNI of an observed segment.
 *
 * @throws DeviceProtocolError when the owned objects do not form a valid fabric config
 */
export function readFabric(root: ConfigNode, s: RenderSettings, subject: string): FabricView {
  const warnings: string[] = [];
  const vpnInstances = new Map<string, { marked: boolean }>();
  const bridgeDomains = new Map<number, { marked: boolean }>();
  const vnis = new Map<number, { owner: string; marked: boolean }>();
  const vbdifs = new Map<number, { marked: boolean }>();
  const subinterfaces = new Map<string, { marked: boolean }>();
  const foreign = { vrf: {} as Record<string, Record<string, unknown>>, segment: {} as Record<string, Record<string, unknown>>, binding: {} as Record<string, Record<string, unknown>> };
  const vrf: Record<string, Record<string, unknown>> = {};
  const segment: Record<string, Record<string, unknown>> = {};
  const binding: Record<string, Record<string, unknown>> = {};
  const segmentByBd = new Map<number, Record<string, unknown>>();
  const vbdifNodes = new Map<number, ConfigNode>();
  const subifNodes: Array<{ port: string; sub: number; node: ConfigNode }> = [];
  let evpnOverlay = false;
  let nve = false;
  const peerLines: string[] = [];

  for (const node of root.children) {
    if (PARSE.evpnOverlay.test(node.line)) evpnOverlay = true;
    if (PARSE.nve.test(node.line)) {
      nve = true;
      peerLines.push(...node.children.map((c) => c.line));
    }
    const vpn = PARSE.vpnInstance.exec(node.line);
    if (vpn !== null) {
      const name = vpn[1]!;
      const marked = isMarked(node);
      vpnInstances.set(name, { marked });
      const vni = num(value(node, PARSE.vxlanVni));
      if (vni !== undefined) vnis.set(vni, { owner: `ip vpn-instance ${name}`, marked });
      const description = descriptionOf(node);
      if (!marked) {
        foreign.vrf[name] = { key: name, name, ...(vni === undefined ? {} : { l3Vni: vni }), ...(description === undefined ? {} : { description }) };
        continue;
      }
      if (description !== `${MARKER_PREFIX}${name}` || !isSafeName(name) || vni === undefined) {
        warnings.push(`ip vpn-instance ${name} is marked as netloom's but is not well formed (description ${JSON.stringify(description)}, vxlan vni ${String(vni)})`);
        continue;
      }
      const af = find(node, CONFIG.ipv4Family);
      const exp: string[] = [];
      const imp: string[] = [];
      for (const c of af?.children ?? []) {
        const m = PARSE.vrfTarget.exec(c.line);
        if (m !== null) (m[2] === 'export' ? exp : imp).push(m[1]!);
      }
      vrf[name] = { key: name, name, l3Vni: vni, ...(imp.length > 0 ? { importRouteTargets: imp } : {}), ...(exp.length > 0 ? { exportRouteTargets: exp } : {}) };
      continue;
    }
    const bdm = PARSE.bridgeDomain.exec(node.line);
    if (bdm !== null) {
      const bd = Number(bdm[1]);
      const marked = isMarked(node);
      bridgeDomains.set(bd, { marked });
      const vni = num(value(node, PARSE.vxlanVni));
      if (vni !== undefined) vnis.set(vni, { owner: `bridge-domain ${bd}`, marked });
      const description = descriptionOf(node);
      if (!marked) {
        const key = vni === undefined ? `bd${bd}` : String(vni);
        foreign.segment[key] = { key, bridgeDomain: bd, ...(vni === undefined ? {} : { l2Vni: vni }), ...(description === undefined ? {} : { description }) };
        continue;
      }
      const m = PARSE.segmentMarker.exec(description ?? '');
      if (m === null || vni === undefined || m[1] !== String(vni) || bridgeDomainOf(vni, s) !== bd || !isSafeName(m[2])) {
        warnings.push(`bridge-domain ${bd} is marked as netloom's but is not well formed (description ${JSON.stringify(description)}, vxlan vni ${String(vni)}, bdOffset ${s.bdOffset})`);
        continue;
      }
      const seg: Record<string, unknown> = { key: String(vni), name: m[2]!, l2Vni: vni };
      segment[String(vni)] = seg;
      segmentByBd.set(bd, seg);
      continue;
    }
    const vb = PARSE.vbdif.exec(node.line);
    if (vb !== null) {
      const bd = Number(vb[1]);
      vbdifs.set(bd, { marked: isMarked(node) });
      vbdifNodes.set(bd, node);
      continue;
    }
    const sub = PARSE.l2Subinterface.exec(node.line);
    if (sub !== null) {
      subinterfaces.set(`${sub[1]!}.${sub[2]!}`, { marked: isMarked(node) });
      subifNodes.push({ port: sub[1]!, sub: Number(sub[2]), node });
    }
  }

  // Routed segments: the Vbdif of an observed segment, bound to an observed VRF.
  for (const [bd, node] of vbdifNodes) {
    const seg = segmentByBd.get(bd);
    if (!isMarked(node)) continue;
    if (seg === undefined || descriptionOf(node) !== `${MARKER_PREFIX}${String(seg['key'])}`) {
      warnings.push(`interface Vbdif${bd} is marked as netloom's but its bridge domain is not an observed segment`);
      continue;
    }
    const boundTo = value(node, PARSE.ipBinding);
    if (boundTo === undefined || vrf[boundTo] === undefined) {
      warnings.push(`interface Vbdif${bd} is not bound to a VRF netloom owns (ip binding vpn-instance ${String(boundTo)})`);
      continue;
    }
    seg['vrf'] = boundTo;
    if (!node.children.some((c) => PARSE.anycastGateway.test(c.line))) continue;
    const ip = node.children.map((c) => PARSE.ipAddress.exec(c.line)).find((m) => m !== null);
    const len = ip === undefined || ip === null ? undefined : prefixLength(ip[2]!);
    if (ip === undefined || ip === null || len === undefined) {
      warnings.push(`interface Vbdif${bd} has vxlan anycast-gateway enable but no usable ip address`);
      continue;
    }
    const macText = value(node, PARSE.macAddress);
    const mac = macText === undefined ? undefined : fromVrpMac(macText);
    seg['anycastGateway'] = { ipv4: [`${ip[1]!}/${len}`], ...(mac === undefined ? {} : { mac }) };
  }

  // Bindings: a marked L2 sub-interface whose VLAN is its number and whose bridge domain is an observed segment.
  for (const { port, sub, node } of subifNodes) {
    const vlan = num(value(node, PARSE.dot1q));
    const bd = num(value(node, PARSE.subifBridgeDomain));
    const description = descriptionOf(node);
    if (!isMarked(node)) {
      const key = vlan === undefined ? `${port}.${sub}` : `${port}:${vlan}`;
      foreign.binding[key] = {
        key,
        interface: port,
        subinterface: `${port}.${sub}`,
        ...(vlan === undefined ? {} : { vlan }),
        ...(bd === undefined ? {} : { bridgeDomain: bd }),
        ...(description === undefined ? {} : { description }),
      };
      continue;
    }
    const seg = bd === undefined ? undefined : segmentByBd.get(bd);
    const key = `${port}:${sub}`;
    if (vlan !== sub || description !== `${MARKER_PREFIX}${key}` || seg === undefined || !CE_INTERFACE.test(port)) {
      warnings.push(`interface ${port}.${sub} is marked as netloom's but is not well formed (description ${JSON.stringify(description)}, vlan ${String(vlan)}, bridge-domain ${String(bd)})`);
      continue;
    }
    binding[key] = { key, interface: port, vlan, l2Vni: seg['l2Vni'] };
  }

  // Flood VTEPs: the static peers of an observed segment's VNI are netloom's (the segment is).
  const floodVtep: Record<string, Record<string, unknown>> = {};
  for (const l of peerLines) {
    const m = PARSE.nvePeerListStatic.exec(l);
    if (m === null || segment[m[1]!] === undefined) continue;
    for (const ip of m[2]!.split(' ')) {
      const l2Vni = Number(m[1]);
      floodVtep[`${l2Vni}:${ip}`] = { key: `${l2Vni}:${ip}`, l2Vni, remoteIp: ip };
    }
  }

  const config = decodeReply(FabricConfigCodec, { vrf, interconnect: {}, segment, binding, floodVtep }, `${subject}: the objects netloom owns`);
  return {
    config,
    foreign,
    index: { vpnInstances, bridgeDomains, vnis, vbdifs, subinterfaces, evpnOverlay, nve },
    warnings,
  };
}

/** The VNIs of every marked bridge domain of a tree (their NVE peer-list lines, BGP and static, are netloom's). */
export function markedSegmentVnis(root: ConfigNode): Set<number> {
  const out = new Set<number>();
  for (const node of root.children) {
    if (!PARSE.bridgeDomain.test(node.line) || !isMarked(node)) continue;
    const vni = num(value(node, PARSE.vxlanVni));
    if (vni !== undefined) out.add(vni);
  }
  return out;
}

function canonical(node: ConfigNode): string {
  const kids = node.children.map(canonical).sort();
  return kids.length === 0 ? JSON.stringify(node.line) : `${JSON.stringify(node.line)}{${kids.join(',')}}`;
}

/**
 * A canonical text of everything in a tree that is *not* netloom's: marked VPN instances, bridge domains, Vbdifs
 * and L2 sub-interfaces are left out, and so are the NVE peer-list lines of `ownedVnis`. Two trees with the same
 * projection differ only in netloom's objects.
 */
export function foreignProjection(root: ConfigNode, ownedVnis: ReadonlySet<number>): string {
  const ours = (n: ConfigNode): boolean =>
    (PARSE.vpnInstance.test(n.line) || PARSE.bridgeDomain.test(n.line) || PARSE.vbdif.test(n.line) || PARSE.l2Subinterface.test(n.line)) && isMarked(n);
  const kept: ConfigNode[] = root.children
    .filter((n) => !ours(n))
    .map((n) =>
      PARSE.nve.test(n.line)
        ? {
            line: n.line,
            children: n.children.filter((c) => {
              const m = PARSE.nvePeerListBgp.exec(c.line) ?? PARSE.nvePeerListStatic.exec(c.line);
              return m === null || !ownedVnis.has(Number(m[1]));
            }),
          }
        : n,
    );
  return canonical({ line: '', children: kept });
}

// ---------------------------------------------------------------------------------------------------------------
// display version, display configuration commit list

/** A string matching `pattern`; the failure says what was expected and what came. */
function textLike(name: string, pattern: RegExp, expected: string): t.Type<string, string, unknown> {
  const ok = (u: unknown): u is string => typeof u === 'string' && pattern.test(u);
  return new t.Type<string, string, unknown>(name, ok, (u, c) => (ok(u) ? t.success(u) : t.failure(u, c, `expected ${expected}, got ${u === undefined ? 'no such line' : JSON.stringify(u)}`)), t.identity);
}

const VersionCodec = struct('DisplayVersion', {
  vrpVersion: textLike('vrpVersion', /^\d+\.\d+$/, 'a VRP version like 8.180'),
  series: textLike('series', /^[\x21-\x7e]{1,64}$/, 'a product series like CE6881'),
  softwareVersion: textLike('softwareVersion', /^V\d{3}R\d{3}\S*$/, 'a software version like V200R005C10SPC800'),
  model: textLike('model', /^[\x21-\x7e]{1,64}$/, 'a model name like CE6881-48S6CQ'),
  uptime: textLike('uptime', /\S/, 'an uptime'),
});

/**
 * Device facts from `display version` (and the host name from the prompt).
 *
 * @throws DeviceProtocolError when the version or model line is missing or malformed
 * @example parseVersion(text, 'Leaf1') // { vendor: 'Huawei', model: 'CE6881-48S6CQ', osVersion: 'V200R005C10SPC800', hostname: 'Leaf1', extra: { vrp: '8.180', ... } }
 */
export function parseVersion(text: string, hostname: string, subject: string): DeviceFacts {
  let vrp: RegExpExecArray | null = null;
  let model: RegExpExecArray | null = null;
  for (const l of text.split(/\r?\n/)) {
    vrp ??= PARSE.versionVrp.exec(l.trim());
    model ??= PARSE.versionModel.exec(l.trim());
  }
  const parsed = decodeReply(
    VersionCodec,
    { vrpVersion: vrp?.[1], series: vrp?.[2], softwareVersion: vrp?.[3], model: model?.[1], uptime: model?.[2] },
    subject,
  );
  return {
    vendor: 'Huawei',
    model: parsed.model,
    osVersion: parsed.softwareVersion,
    ...(hostname === '' ? {} : { hostname }),
    extra: { vrp: parsed.vrpVersion, series: parsed.series, uptime: parsed.uptime },
  };
}

/** One rollback point of `display configuration commit list`. */
export const CommitRowCodec = struct('CommitRow', {
  no: intInRange('No.', 1, 1_000_000),
  id: intInRange('CommitId', 1_000_000_001, 1_999_999_999),
  label: t.string,
  user: t.string,
  type: t.string,
  time: t.string,
});
/** One rollback point. */
export type CommitRow = t.TypeOf<typeof CommitRowCodec>;

/**
 * The rows of `display configuration commit list`, newest first (empty before the first commit).
 *
 * @throws DeviceProtocolError when a row does not validate
 */
export function parseCommitList(text: string, subject: string): CommitRow[] {
  const rows: unknown[] = [];
  for (const l of text.split(/\r?\n/)) {
    if (PARSE.noCommits.test(l.trim())) return [];
    const m = PARSE.commitRow.exec(l);
    if (m !== null) rows.push({ no: Number(m[1]), id: Number(m[2]), label: m[3], user: m[4], type: m[5], time: m[6] });
  }
  const decoded = decodeReply(t.array(CommitRowCodec), rows, subject);
  return [...decoded].sort((a, b) => a.no - b.no);
}
