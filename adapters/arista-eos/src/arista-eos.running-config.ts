/**
 * Reads `show running-config` text (EOS indents three spaces per level) into the facts the adapter works with:
 * VLANs, VRF instances, interfaces (switchport state, translations, SVI addresses), the VXLAN VNI maps, the
 * virtual-router MAC and the BGP sections. Pure; every other module works on {@link EosState}.
 *
 * @packageDocumentation
 */

/** One line of the configuration and the lines of the mode it opens. */
export interface ConfigLine {
  readonly text: string;
  readonly children: readonly ConfigLine[];
}

/** An interface as the adapter sees it. */
export interface EosInterface {
  readonly name: string;
  readonly description?: string;
  /** `trunk` with `switchport mode trunk`, else `access` (the default). */
  readonly mode: 'trunk' | 'access';
  /** The explicit allowed-VLAN list of a trunk, or `all` when the port has none (EOS's default). */
  readonly allowed: ReadonlySet<number> | 'all';
  /** `switchport vlan translation <from> <to>`: wire VLAN → VLAN inside the switch. */
  readonly translations: ReadonlyMap<number, number>;
  readonly vrf?: string;
  /** `ip address virtual` addresses, the primary first. */
  readonly ipv4Virtual: readonly string[];
  /** `ipv6 address virtual` addresses. */
  readonly ipv6Virtual: readonly string[];
  /** Every line under the interface, as printed. */
  readonly lines: readonly string[];
}

/** The `router bgp` section. */
export interface EosBgp {
  readonly asn: number;
  readonly routerId?: string;
  /** `vlan <n>` sections: their lines. */
  readonly vlans: ReadonlyMap<number, readonly string[]>;
  /** `vrf <name>` sections. */
  readonly vrfs: ReadonlyMap<string, { readonly lines: readonly string[]; readonly rd?: string; readonly importEvpn: readonly string[]; readonly exportEvpn: readonly string[] }>;
}

/** What the adapter knows about a switch's configuration. */
export interface EosState {
  readonly hostname?: string;
  /** VLANs and their names. */
  readonly vlans: ReadonlyMap<number, { readonly name?: string; readonly lines: readonly string[] }>;
  /** VRF instances and their descriptions. */
  readonly vrfs: ReadonlyMap<string, { readonly description?: string; readonly lines: readonly string[] }>;
  /** VRFs with `ip routing vrf <name>`. */
  readonly routedVrfs: ReadonlySet<string>;
  readonly interfaces: ReadonlyMap<string, EosInterface>;
  /** `vxlan vlan <vlan> vni <vni>` on Vxlan1: VLAN → VNI. */
  readonly vxlanVlans: ReadonlyMap<number, number>;
  /** `vxlan vlan <vlan> flood vtep <ip>...` on Vxlan1: VLAN → its head-end replication list. */
  readonly vxlanFloods: ReadonlyMap<number, readonly string[]>;
  /** `vxlan vrf <name> vni <vni>` on Vxlan1: VRF → VNI. */
  readonly vxlanVrfs: ReadonlyMap<string, number>;
  readonly hasVxlan: boolean;
  readonly virtualRouterMac?: string;
  readonly bgp?: EosBgp;
}

/**
 * Parses configuration text into a tree of lines. `!` comments, blank lines and `end` are skipped; any consistent
 * indentation works.
 */
export function parseConfigLines(text: string): ConfigLine[] {
  const root: { text: string; children: ConfigLine[] } = { text: '', children: [] };
  const stack: { node: { children: ConfigLine[] }; indent: number }[] = [{ node: root, indent: -1 }];
  for (const raw of text.split(/\r?\n/)) {
    const trimmed = raw.trim();
    if (trimmed === '' || trimmed.startsWith('!') || trimmed === 'end') continue;
    const indent = raw.length - raw.trimStart().length;
    while (stack.length > 1 && stack[stack.length - 1]!.indent >= indent) stack.pop();
    const node = { text: trimmed.replace(/\s+/g, ' '), children: [] as ConfigLine[] };
    stack[stack.length - 1]!.node.children.push(node);
    stack.push({ node, indent });
  }
  return root.children;
}

/** A VLAN list (`10,20-22`, `none`) as a set; unknown syntax gives the empty set. */
export function parseVlanSet(spec: string): Set<number> {
  const out = new Set<number>();
  if (spec === 'none') return out;
  for (const part of spec.split(',')) {
    const m = /^(\d+)(?:-(\d+))?$/.exec(part);
    if (m === null) continue;
    const from = Number(m[1]);
    const to = Number(m[2] ?? m[1]);
    for (let v = from; v <= to && v <= 4094; v++) out.add(v);
  }
  return out;
}

function parseInterface(name: string, lines: readonly string[]): EosInterface {
  let description: string | undefined;
  let mode: 'trunk' | 'access' = 'access';
  let allowed: Set<number> | 'all' = 'all';
  let vrf: string | undefined;
  const translations = new Map<number, number>();
  const primary: string[] = [];
  const secondary: string[] = [];
  const ipv6Virtual: string[] = [];
  for (const line of lines) {
    let m: RegExpExecArray | null;
    if (line.startsWith('description ')) description = line.slice('description '.length);
    else if (line === 'switchport mode trunk') mode = 'trunk';
    else if ((m = /^switchport trunk allowed vlan (\S+)$/.exec(line))) allowed = parseVlanSet(m[1]!);
    else if ((m = /^switchport vlan translation (\d+) (\d+)$/.exec(line))) translations.set(Number(m[1]), Number(m[2]));
    else if ((m = /^vrf (\S+)$/.exec(line))) vrf = m[1];
    else if ((m = /^ip address virtual (\S+)( secondary)?$/.exec(line))) (m[2] === undefined ? primary : secondary).push(m[1]!);
    else if ((m = /^ipv6 address virtual (\S+)$/.exec(line))) ipv6Virtual.push(m[1]!);
  }
  return {
    name,
    ...(description === undefined ? {} : { description }),
    mode,
    allowed,
    translations,
    ...(vrf === undefined ? {} : { vrf }),
    ipv4Virtual: [...primary, ...secondary],
    ipv6Virtual,
    lines,
  };
}

function parseBgp(asn: number, children: readonly ConfigLine[]): EosBgp {
  let routerId: string | undefined;
  const vlans = new Map<number, readonly string[]>();
  const vrfs = new Map<string, { lines: readonly string[]; rd?: string; importEvpn: string[]; exportEvpn: string[] }>();
  for (const c of children) {
    let m: RegExpExecArray | null;
    if ((m = /^router-id (\S+)$/.exec(c.text))) routerId = m[1];
    else if ((m = /^vlan (\d+)$/.exec(c.text))) vlans.set(Number(m[1]), c.children.map((l) => l.text));
    else if ((m = /^vrf (\S+)$/.exec(c.text))) {
      const lines = c.children.map((l) => l.text);
      const rd = lines.find((l) => l.startsWith('rd '))?.slice(3);
      const targets = (dir: string): string[] => lines.flatMap((l) => (l.startsWith(`route-target ${dir} evpn `) ? [l.slice(`route-target ${dir} evpn `.length)] : []));
      vrfs.set(m[1]!, { lines, ...(rd === undefined ? {} : { rd }), importEvpn: targets('import'), exportEvpn: targets('export') });
    }
  }
  return { asn, ...(routerId === undefined ? {} : { routerId }), vlans, vrfs };
}

/**
 * The adapter's view of a configuration text (`show running-config`).
 *
 * @example
 * const state = readEosState('vlan 2000\n   name netloom.ls-web\ninterface Vxlan1\n   vxlan vlan 2000 vni 10010\n');
 * state.vlans.get(2000)?.name === 'netloom.ls-web'; state.vxlanVlans.get(2000) === 10010;
 */
export function readEosState(text: string): EosState {
  const vlans = new Map<number, { name?: string; lines: readonly string[] }>();
  const vrfs = new Map<string, { description?: string; lines: readonly string[] }>();
  const routedVrfs = new Set<string>();
  const interfaces = new Map<string, EosInterface>();
  const vxlanVlans = new Map<number, number>();
  const vxlanVrfs = new Map<string, number>();
  const vxlanFloods = new Map<number, string[]>();
  let hostname: string | undefined;
  let hasVxlan = false;
  let virtualRouterMac: string | undefined;
  let bgp: EosBgp | undefined;
  for (const top of parseConfigLines(text)) {
    const lines = top.children.map((c) => c.text);
    let m: RegExpExecArray | null;
    if ((m = /^hostname (\S+)$/.exec(top.text))) hostname = m[1];
    else if ((m = /^vlan (\d+)$/.exec(top.text))) {
      const name = lines.find((l) => l.startsWith('name '))?.slice(5);
      vlans.set(Number(m[1]), { ...(name === undefined ? {} : { name }), lines });
    } else if ((m = /^vrf instance (\S+)$/.exec(top.text))) {
      const description = lines.find((l) => l.startsWith('description '))?.slice('description '.length);
      vrfs.set(m[1]!, { ...(description === undefined ? {} : { description }), lines });
    } else if ((m = /^ip routing vrf (\S+)$/.exec(top.text))) routedVrfs.add(m[1]!);
    else if ((m = /^ip virtual-router mac-address (\S+)$/.exec(top.text))) virtualRouterMac = m[1]!.toLowerCase();
    else if ((m = /^interface (\S+)$/.exec(top.text))) {
      const name = m[1]!;
      interfaces.set(name, parseInterface(name, lines));
      if (name === 'Vxlan1') {
        hasVxlan = true;
        for (const l of lines) {
          let v: RegExpExecArray | null;
          if ((v = /^vxlan vlan (\d+) vni (\d+)$/.exec(l))) vxlanVlans.set(Number(v[1]), Number(v[2]));
          else if ((v = /^vxlan vlan (\d+) flood vtep ((?:\S+ ?)+)$/.exec(l))) vxlanFloods.set(Number(v[1]), v[2]!.trim().split(' '));
          else if ((v = /^vxlan vrf (\S+) vni (\d+)$/.exec(l))) vxlanVrfs.set(v[1]!, Number(v[2]));
        }
      }
    } else if ((m = /^router bgp (\d+)$/.exec(top.text))) bgp = parseBgp(Number(m[1]), top.children);
  }
  return {
    ...(hostname === undefined ? {} : { hostname }),
    vlans,
    vrfs,
    routedVrfs,
    interfaces,
    vxlanVlans,
    vxlanVrfs,
    vxlanFloods,
    hasVxlan,
    ...(virtualRouterMac === undefined ? {} : { virtualRouterMac }),
    ...(bgp === undefined ? {} : { bgp }),
  };
}
