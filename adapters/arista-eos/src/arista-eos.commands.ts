/**
 * From fabric changes to the exact EOS configuration lines: the command table of the adapter.
 *
 * | change | EOS lines (inside `configure session netloom-<tx>`) |
 * |---|---|
 * | vrf create | `vrf instance X` / `description netloom:vrf:X`; `ip routing vrf X`; `interface Vxlan1` / `vxlan vrf X vni <l3Vni>`; `router bgp <asn>` / `vrf X` / `rd <router-id>:<l3Vni>`, `route-target import evpn <rt>`…, `route-target export evpn <rt>`…, `redistribute connected` |
 * | segment create | `vlan <v>` / `name netloom.<name>`; routed: `interface Vlan<v>` / `description netloom:segment:<l2Vni>`, `vrf X`, `ip address virtual <a>` (more: `… secondary`), `ipv6 address virtual <a>`, and `ip virtual-router mac-address <mac>`; `interface Vxlan1` / `vxlan vlan <v> vni <l2Vni>`; `router bgp <asn>` / `vlan <v>` / `rd <router-id>:<v>`, `route-target both <rt>`, `redistribute learned` |
 * | binding create | `interface <port>` / (`switchport trunk allowed vlan none`, `switchport mode trunk` when the port is not a trunk yet), `switchport vlan translation <node vlan> <v>` (when they differ), `switchport trunk allowed vlan add <v>` |
 * | floodVtep create / delete | `interface Vxlan1` / `vxlan vlan <v> flood vtep add <ip>` / `… remove <ip>` (the VLAN's head-end replication list; the running config shows `vxlan vlan <v> flood vtep <ip> …`) |
 * | delete | the `no` forms, children first |
 *
 * `<v>` is the segment's VLAN on this leaf: EOS maps one device-wide VLAN per L2 VNI (`vxlan vlan <v> vni <n>`),
 * while netloom's VLANs are per node port. The adapter therefore gives every segment a leaf VLAN of its own from
 * `options.segmentVlans` and translates each binding's node VLAN to it on the node's port
 * (`switchport vlan translation <node vlan> <leaf vlan>`), so two nodes may use different VLANs for one segment
 * and one VLAN for different segments. The leaf VLAN is chosen when planning (the lowest free one) and is part of
 * the rendered plan.
 *
 * Lines are emitted with explicit `exit`s: EOS leaves a nested mode implicitly when a command belongs to a parent
 * mode, and `vlan <n>` means a global VLAN or a BGP VLAN section depending on the mode it is typed in.
 *
 * @packageDocumentation
 */
import {
  InputError,
  RouteTargetCodec,
  type AccessBinding,
  type Change,
  type FloodVtep,
  type InputProblem,
  type L2Segment,
  type Vrf,
} from '@netloom/ports';
import { SEGMENT_NAME_MAX, segmentSviMarker, segmentVlanName, vrfMarker } from './arista-eos.markers';
import { ownedSegmentVlans } from './arista-eos.parsers';
import type { EosInterface, EosState } from './arista-eos.running-config';

/** What the renderer needs besides the changes and the switch's configuration. */
export interface RenderSettings {
  /** The pool of leaf VLANs for segments. */
  readonly segmentVlans: { readonly from: number; readonly to: number };
  /** The BGP AS to use when the switch has no `router bgp` yet (must match one it has). */
  readonly vrfAsn?: number;
  /** The router id for route distinguishers when `router bgp` has no `router-id`. */
  readonly routerId?: string;
}

/** The rendered change set. */
export interface RenderedChanges {
  /** The exact lines, in order (sent after `configure session <name>`). */
  readonly lines: readonly string[];
  /** The leaf VLAN of every segment the changes touch: L2 VNI → VLAN. */
  readonly segmentVlans: ReadonlyMap<number, number>;
}

/** One line to type in a mode: `ctx` is the path of mode-opening lines, `cmd` the line (absent: only enter). */
interface Edit {
  readonly ctx: readonly string[];
  readonly cmd?: string;
}

/** Turns edits into lines, entering and leaving modes with the fewest `exit`s. */
export function serializeEdits(edits: readonly Edit[]): string[] {
  const out: string[] = [];
  let stack: string[] = [];
  for (const e of edits) {
    let k = 0;
    while (k < stack.length && k < e.ctx.length && stack[k] === e.ctx[k]) k++;
    for (let i = stack.length; i > k; i--) out.push('exit');
    stack = stack.slice(0, k);
    for (const c of e.ctx.slice(k)) {
      out.push(c);
      stack.push(c);
    }
    if (e.cmd !== undefined) out.push(e.cmd);
  }
  return out;
}

interface PortState {
  mode: 'trunk' | 'access';
  allowed: Set<number> | 'all';
  translations: Map<number, number>;
}

const VXLAN = ['interface Vxlan1'];

const segmentPath = (key: string, field: string): string => `segment[${JSON.stringify(key)}].${field}`;
const floodKey = (f: FloodVtep): string => `${f.l2Vni}:${f.remoteIp}`;

class Renderer {
  readonly edits: Edit[] = [];
  readonly problems: InputProblem[] = [];
  readonly vlanOf = new Map<number, number>();
  readonly #ports = new Map<string, PortState>();
  readonly #used = new Set<number>();
  #macSet: string | undefined;

  constructor(
    readonly state: EosState,
    readonly settings: RenderSettings,
    changes: readonly Change[],
  ) {
    for (const [vni, vlan] of ownedSegmentVlans(state)) this.vlanOf.set(vni, vlan);
    for (const v of state.vlans.keys()) this.#used.add(v);
    for (const v of state.vxlanVlans.keys()) this.#used.add(v);
    for (const i of state.interfaces.values()) {
      const svi = /^Vlan(\d+)$/.exec(i.name);
      if (svi !== null) this.#used.add(Number(svi[1]));
      for (const [from, to] of i.translations) this.#used.add(from).add(to);
    }
    for (const c of changes) if (c.kind === 'binding' && c.after !== undefined) this.#used.add((c.after as AccessBinding).vlan);
    this.#macSet = state.virtualRouterMac;
  }

  get bgp(): string | undefined {
    const asn = this.state.bgp?.asn ?? this.settings.vrfAsn;
    return asn === undefined ? undefined : `router bgp ${asn}`;
  }

  #bgpOrProblem(path: string): string | undefined {
    const have = this.state.bgp?.asn;
    if (have !== undefined && this.settings.vrfAsn !== undefined && have !== this.settings.vrfAsn) {
      this.problems.push({ path: 'options.vrfAsn', reason: `is ${this.settings.vrfAsn}, but the switch runs "router bgp ${have}"` });
      return undefined;
    }
    if (this.bgp === undefined) this.problems.push({ path, reason: 'needs BGP EVPN: the switch has no "router bgp" and options.vrfAsn is not set' });
    return this.bgp;
  }

  #routerId(path: string): string | undefined {
    const rid = this.state.bgp?.routerId ?? this.settings.routerId;
    if (rid === undefined) this.problems.push({ path, reason: 'needs a router id for route distinguishers: "router bgp" has no router-id and options.routerId is not set' });
    return rid;
  }

  add(ctx: readonly string[], cmd?: string): void {
    this.edits.push(cmd === undefined ? { ctx } : { ctx, cmd });
  }

  allocate(segment: L2Segment): number | undefined {
    const known = this.vlanOf.get(segment.l2Vni);
    if (known !== undefined) return known;
    const { from, to } = this.settings.segmentVlans;
    for (let v = from; v <= to; v++) {
      if (this.#used.has(v)) continue;
      this.#used.add(v);
      this.vlanOf.set(segment.l2Vni, v);
      return v;
    }
    this.problems.push({ path: segmentPath(segment.key, 'l2Vni'), reason: `no free VLAN left in options.segmentVlans (${from}-${to}) for the segment's leaf VLAN` });
    return undefined;
  }

  // --- vrf ------------------------------------------------------------------------------------------------

  #bgpVrf(vrf: Vrf): void {
    const bgp = this.#bgpOrProblem(`vrf[${JSON.stringify(vrf.key)}]`);
    const rid = this.#routerId(`vrf[${JSON.stringify(vrf.key)}]`);
    if (vrf.l3Vni > 65535) this.problems.push({ path: `vrf[${JSON.stringify(vrf.key)}].l3Vni`, reason: `${vrf.l3Vni} does not fit the route distinguisher <router-id>:<0-65535> the adapter derives from it; use an L3 VNI up to 65535` });
    if (bgp === undefined || rid === undefined) return;
    const ctx = [bgp, `vrf ${vrf.name}`];
    this.add(ctx, `rd ${rid}:${vrf.l3Vni}`);
    for (const rt of vrf.importRouteTargets ?? []) this.add(ctx, `route-target import evpn ${rt}`);
    for (const rt of vrf.exportRouteTargets ?? []) this.add(ctx, `route-target export evpn ${rt}`);
    this.add(ctx, 'redistribute connected');
  }

  createVrf(vrf: Vrf): void {
    this.add([`vrf instance ${vrf.name}`], `description ${vrfMarker(vrf.name)}`);
    this.add([], `ip routing vrf ${vrf.name}`);
    this.add(VXLAN, `vxlan vrf ${vrf.name} vni ${vrf.l3Vni}`);
    this.#bgpVrf(vrf);
  }

  updateVrf(before: Vrf, after: Vrf): void {
    this.add([`vrf instance ${after.name}`], `description ${vrfMarker(after.name)}`);
    this.add([], `ip routing vrf ${after.name}`);
    if (before.l3Vni !== after.l3Vni) this.add(VXLAN, `no vxlan vrf ${before.name} vni ${before.l3Vni}`);
    this.add(VXLAN, `vxlan vrf ${after.name} vni ${after.l3Vni}`);
    // Rebuilt inside the session: the committed diff holds only what really changed.
    const bgp = this.bgp;
    if (bgp !== undefined) this.add([bgp], `no vrf ${after.name}`);
    this.#bgpVrf(after);
  }

  deleteVrf(vrf: Vrf): void {
    const bgp = this.bgp;
    if (bgp !== undefined) this.add([bgp], `no vrf ${vrf.name}`);
    this.add(VXLAN, `no vxlan vrf ${vrf.name} vni ${vrf.l3Vni}`);
    this.add([], `no ip routing vrf ${vrf.name}`);
    this.add([], `no vrf instance ${vrf.name}`);
  }

  // --- segment --------------------------------------------------------------------------------------------

  #macRouteTarget(segment: L2Segment, asn: number | undefined): string | undefined {
    const candidates = [`${segment.l2Vni}:${segment.l2Vni}`, ...(asn === undefined ? [] : [`${asn}:${segment.l2Vni}`])];
    const rt = candidates.find((c) => RouteTargetCodec.is(c));
    if (rt === undefined) this.problems.push({ path: segmentPath(segment.key, 'l2Vni'), reason: `${segment.l2Vni} gives no valid route target (<vni>:<vni> or <asn>:<vni>) for the segment's MAC-VRF` });
    return rt;
  }

  #svi(segment: L2Segment, vlan: number): void {
    const ctx = [`interface Vlan${vlan}`];
    this.add(ctx, `description ${segmentSviMarker(segment.l2Vni)}`);
    if (segment.vrf !== undefined) this.add(ctx, `vrf ${segment.vrf}`);
    const g = segment.anycastGateway;
    (g?.ipv4 ?? []).forEach((a, i) => this.add(ctx, `ip address virtual ${a}${i === 0 ? '' : ' secondary'}`));
    for (const a of g?.ipv6 ?? []) this.add(ctx, `ipv6 address virtual ${a}`);
  }

  #mac(segment: L2Segment): void {
    const mac = segment.anycastGateway?.mac;
    if (mac === undefined || mac === this.#macSet) return;
    // NOTE: EOS has one virtual-router MAC per switch; every anycast gateway shares it (EOS 4.2x).
    this.add([], `ip virtual-router mac-address ${mac}`);
    this.#macSet = mac;
  }

  createSegment(segment: L2Segment): void {
    const vlan = this.allocate(segment);
    if (segment.name.length > SEGMENT_NAME_MAX) {
      this.problems.push({ path: segmentPath(segment.key, 'name'), reason: `${JSON.stringify(segment.name)} is longer than ${SEGMENT_NAME_MAX} characters (EOS VLAN names hold 32, netloom adds "${segmentVlanName('')}")` });
    }
    const bgp = this.#bgpOrProblem(`segment[${JSON.stringify(segment.key)}]`);
    const rid = this.#routerId(`segment[${JSON.stringify(segment.key)}]`);
    const rt = this.#macRouteTarget(segment, this.state.bgp?.asn ?? this.settings.vrfAsn);
    if (vlan === undefined) return;
    this.add([`vlan ${vlan}`], `name ${segmentVlanName(segment.name)}`);
    this.#mac(segment);
    if (segment.vrf !== undefined || segment.anycastGateway !== undefined) this.#svi(segment, vlan);
    this.add(VXLAN, `vxlan vlan ${vlan} vni ${segment.l2Vni}`);
    if (bgp === undefined || rid === undefined || rt === undefined) return;
    const ctx = [bgp, `vlan ${vlan}`];
    this.add(ctx, `rd ${rid}:${vlan}`);
    this.add(ctx, `route-target both ${rt}`);
    this.add(ctx, 'redistribute learned');
  }

  updateSegment(before: L2Segment, after: L2Segment): void {
    const vlan = this.vlanOf.get(after.l2Vni);
    if (vlan === undefined) {
      this.createSegment(after);
      return;
    }
    if (after.name.length > SEGMENT_NAME_MAX) {
      this.problems.push({ path: segmentPath(after.key, 'name'), reason: `${JSON.stringify(after.name)} is longer than ${SEGMENT_NAME_MAX} characters (EOS VLAN names hold 32, netloom adds "${segmentVlanName('')}")` });
    }
    this.add([`vlan ${vlan}`], `name ${segmentVlanName(after.name)}`);
    this.#mac(after);
    const routed = after.vrf !== undefined || after.anycastGateway !== undefined;
    if (this.state.interfaces.has(`Vlan${vlan}`) || before.vrf !== undefined || before.anycastGateway !== undefined) this.add([], `no interface Vlan${vlan}`);
    if (routed) this.#svi(after, vlan);
    this.add(VXLAN, `vxlan vlan ${vlan} vni ${after.l2Vni}`);
  }

  deleteSegment(segment: L2Segment): void {
    const vlan = this.vlanOf.get(segment.l2Vni);
    if (vlan === undefined) return;
    if (this.state.interfaces.has(`Vlan${vlan}`)) this.add([], `no interface Vlan${vlan}`);
    this.add(VXLAN, `no vxlan vlan ${vlan} vni ${segment.l2Vni}`);
    const bgp = this.bgp;
    if (bgp !== undefined) this.add([bgp], `no vlan ${vlan}`);
    this.add([], `no vlan ${vlan}`);
  }

  // --- floodVtep ------------------------------------------------------------------------------------------

  flood(f: FloodVtep, op: 'add' | 'remove'): void {
    const vlan = this.vlanOf.get(f.l2Vni);
    if (vlan === undefined) {
      this.problems.push({ path: `floodVtep[${JSON.stringify(floodKey(f))}].l2Vni`, reason: `segment ${f.l2Vni} has no leaf VLAN on the switch` });
      return;
    }
    this.add(VXLAN, `vxlan vlan ${vlan} flood vtep ${op} ${f.remoteIp}`);
  }

  // --- binding --------------------------------------------------------------------------------------------

  #port(name: string): PortState | undefined {
    let p = this.#ports.get(name);
    if (p === undefined) {
      const i: EosInterface | undefined = this.state.interfaces.get(name);
      if (i === undefined) return undefined;
      p = { mode: i.mode, allowed: i.allowed === 'all' ? 'all' : new Set(i.allowed), translations: new Map(i.translations) };
      this.#ports.set(name, p);
    }
    return p;
  }

  createBinding(b: AccessBinding): void {
    const path = `binding[${JSON.stringify(b.key)}]`;
    const vlan = this.vlanOf.get(b.l2Vni);
    const port = this.#port(b.interface);
    if (port === undefined || !b.interface.startsWith('Ethernet')) {
      this.problems.push({ path: `${path}.interface`, reason: `the switch has no Ethernet interface ${JSON.stringify(b.interface)}` });
      return;
    }
    if (vlan === undefined) return;
    const ctx = [`interface ${b.interface}`];
    if (port.mode !== 'trunk') {
      if (port.allowed === 'all') {
        this.add(ctx, 'switchport trunk allowed vlan none');
        port.allowed = new Set();
      }
      this.add(ctx, 'switchport mode trunk');
      port.mode = 'trunk';
    } else if (port.allowed === 'all') {
      this.problems.push({
        path: `${path}.interface`,
        reason: `${b.interface} is a trunk that allows every VLAN (no "switchport trunk allowed vlan" list): netloom adds and removes single VLANs and cannot tell its own apart there; give the port an explicit list (e.g. "switchport trunk allowed vlan none") first`,
      });
      return;
    }
    const existing = port.translations.get(b.vlan);
    const ownedTargets = new Set(this.vlanOf.values());
    if (existing !== undefined && existing !== vlan && !ownedTargets.has(existing)) {
      this.problems.push({ path: `${path}.vlan`, reason: `${b.interface} already translates VLAN ${b.vlan} to VLAN ${existing}, which netloom does not own` });
      return;
    }
    if (b.vlan !== vlan) {
      this.add(ctx, `switchport vlan translation ${b.vlan} ${vlan}`);
      port.translations.set(b.vlan, vlan);
    } else if (existing !== undefined) {
      this.problems.push({ path: `${path}.vlan`, reason: `${b.interface} translates VLAN ${b.vlan} to VLAN ${existing}; it cannot carry it untranslated too` });
      return;
    }
    this.add(ctx, `switchport trunk allowed vlan add ${vlan}`);
    port.allowed.add(vlan);
  }

  deleteBinding(b: AccessBinding): void {
    const vlan = this.vlanOf.get(b.l2Vni);
    const port = this.#port(b.interface);
    if (vlan === undefined || port === undefined) return;
    const ctx = [`interface ${b.interface}`];
    if (b.vlan !== vlan) {
      this.add(ctx, `no switchport vlan translation ${b.vlan} ${vlan}`);
      port.translations.delete(b.vlan);
    }
    this.add(ctx, `switchport trunk allowed vlan remove ${vlan}`);
    if (port.allowed !== 'all') port.allowed.delete(vlan);
  }
}

/**
 * Renders `changes` (in `diffConfig` order) against the switch's configuration `state`: the exact lines, and the
 * leaf VLAN of every segment.
 *
 * Order of the lines: binding removals first (a port must drop an old translation before a new one may use the
 * same leaf VLAN), then creates and updates in the changes' order, then the other deletes children first.
 *
 * @throws InputError listing every change the switch cannot take as configured (no free leaf VLAN, a port that
 *   allows every VLAN, a foreign translation in the way, no BGP or router id for route distinguishers, a name too
 *   long for an EOS VLAN name). Nothing is sent.
 * @example
 * renderChanges([{ op: 'create', kind: 'segment', key: '10020', after: { key: '10020', name: 'ls-db', l2Vni: 10020 } }], state,
 *   { segmentVlans: { from: 2000, to: 3999 } }).lines
 * // ['vlan 2000', 'name netloom.ls-db', 'exit', 'interface Vxlan1', 'vxlan vlan 2000 vni 10020', 'exit',
 * //  'router bgp 65001', 'vlan 2000', 'rd 10.255.0.1:2000', 'route-target both 10020:10020', 'redistribute learned']
 */
export function renderChanges(changes: readonly Change[], state: EosState, settings: RenderSettings, subject = 'change set'): RenderedChanges {
  const r = new Renderer(state, settings, changes);
  const bindingRemovals = changes.filter((c) => c.kind === 'binding' && c.op !== 'create');
  for (const c of bindingRemovals) r.deleteBinding(c.before as AccessBinding);
  for (const c of changes) {
    if (c.op === 'delete') continue;
    const before = c.before;
    const after = c.after!;
    if (c.kind === 'vrf') {
      if (c.op === 'create') r.createVrf(after as Vrf);
      else r.updateVrf(before as Vrf, after as Vrf);
    } else if (c.kind === 'segment') {
      if (c.op === 'create') r.createSegment(after as L2Segment);
      else r.updateSegment(before as L2Segment, after as L2Segment);
    } else if (c.kind === 'binding') r.createBinding(after as AccessBinding);
    else if (c.kind === 'floodVtep') r.flood(after as FloodVtep, 'add');
    else r.problems.push({ path: `${c.kind}[${JSON.stringify(c.key)}]`, reason: `the arista-eos adapter does not render ${c.kind} objects` });
  }
  for (const c of changes) {
    if (c.op !== 'delete' || c.kind === 'binding') continue;
    if (c.kind === 'vrf') r.deleteVrf(c.before as Vrf);
    else if (c.kind === 'segment') r.deleteSegment(c.before as L2Segment);
    else if (c.kind === 'floodVtep') r.flood(c.before as FloodVtep, 'remove');
  }
  if (r.problems.length > 0) throw InputError.fromProblems(subject, dedupe(r.problems));
  return { lines: serializeEdits(r.edits), segmentVlans: r.vlanOf };
}

function dedupe(problems: readonly InputProblem[]): InputProblem[] {
  const seen = new Set<string>();
  return problems.filter((p) => {
    const k = `${p.path}\u0000${p.reason}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}
