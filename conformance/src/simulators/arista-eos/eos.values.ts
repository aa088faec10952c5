/**
 * Value rules of the EOS simulator's command grammar: VLAN and VNI ranges, VLAN lists, MAC and IP spellings,
 * route distinguishers and route targets, interface names. Each parser returns the canonical spelling EOS prints,
 * or `undefined` when EOS would refuse the token.
 *
 * @packageDocumentation
 */

/** A VLAN id 1..4094 from its text, or undefined. */
export function parseVlan(text: string): number | undefined {
  if (!/^\d{1,4}$/.test(text)) return undefined;
  const n = Number(text);
  return n >= 1 && n <= 4094 ? n : undefined;
}

/** A VNI 1..16777215 from its text, or undefined. */
export function parseVni(text: string): number | undefined {
  if (!/^\d{1,8}$/.test(text)) return undefined;
  const n = Number(text);
  return n >= 1 && n <= 16_777_215 ? n : undefined;
}

/** A VLAN list (`10,20-22`) as a sorted set, or undefined when any part is out of range. */
export function parseVlanList(text: string): number[] | undefined {
  const out = new Set<number>();
  for (const part of text.split(',')) {
    const range = /^(\d+)-(\d+)$/.exec(part);
    if (range !== null) {
      const from = parseVlan(range[1]!);
      const to = parseVlan(range[2]!);
      if (from === undefined || to === undefined || from > to) return undefined;
      for (let v = from; v <= to; v++) out.add(v);
      continue;
    }
    const v = parseVlan(part);
    if (v === undefined) return undefined;
    out.add(v);
  }
  return [...out].sort((a, b) => a - b);
}

/** The compact text of a VLAN set (`10,20-22`), as EOS prints allowed-VLAN lists; `none` when empty. */
export function formatVlanList(vlans: Iterable<number>): string {
  const sorted = [...new Set(vlans)].sort((a, b) => a - b);
  if (sorted.length === 0) return 'none';
  const parts: string[] = [];
  let start = sorted[0]!;
  let prev = start;
  for (const v of [...sorted.slice(1), Number.NaN]) {
    if (v === prev + 1) {
      prev = v;
      continue;
    }
    parts.push(start === prev ? String(start) : `${start}-${prev}`);
    start = v;
    prev = v;
  }
  return parts.join(',');
}

/** A MAC address in any of EOS's spellings (`aa:bb:cc:dd:ee:ff`, `aabb.ccdd.eeff`, `-`), printed with colons. */
export function parseMac(text: string): string | undefined {
  const hex = /^([0-9a-f]{2})[:-]([0-9a-f]{2})[:-]([0-9a-f]{2})[:-]([0-9a-f]{2})[:-]([0-9a-f]{2})[:-]([0-9a-f]{2})$/i.exec(text);
  if (hex !== null) return hex.slice(1).join(':').toLowerCase();
  const dotted = /^([0-9a-f]{4})\.([0-9a-f]{4})\.([0-9a-f]{4})$/i.exec(text);
  if (dotted === null) return undefined;
  return dotted
    .slice(1)
    .join('')
    .toLowerCase()
    .replace(/(..)(?!$)/g, '$1:');
}

/** True for a dotted-quad IPv4 address. */
export function isIpv4(text: string): boolean {
  const parts = text.split('.');
  return parts.length === 4 && parts.every((p) => /^(0|[1-9]\d{0,2})$/.test(p) && Number(p) <= 255);
}

/** An IPv4 `address/length` (host bits allowed), or undefined. */
export function parseIpv4Prefix(text: string): string | undefined {
  const m = /^([^/]+)\/(\d{1,2})$/.exec(text);
  if (m === null || !isIpv4(m[1]!) || Number(m[2]) > 32) return undefined;
  return `${m[1]}/${Number(m[2])}`;
}

function ipv6Groups(text: string): number[] | undefined {
  if (!/^[0-9a-fA-F:]+$/.test(text) || text.includes(':::')) return undefined;
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const parse = (s: string): number[] | undefined => {
    if (s === '') return [];
    const groups = s.split(':');
    if (groups.some((g) => !/^[0-9a-fA-F]{1,4}$/.test(g))) return undefined;
    return groups.map((g) => parseInt(g, 16));
  };
  const head = parse(halves[0]!);
  const tail = halves.length === 2 ? parse(halves[1]!) : [];
  if (head === undefined || tail === undefined) return undefined;
  if (halves.length === 1) return head.length === 8 ? head : undefined;
  const fill = 8 - head.length - tail.length;
  return fill < 1 ? undefined : [...head, ...new Array<number>(fill).fill(0), ...tail];
}

/** The RFC 5952 text of an IPv6 address, or undefined. */
export function canonicalIpv6(text: string): string | undefined {
  const groups = ipv6Groups(text);
  if (groups === undefined) return undefined;
  let bestStart = -1;
  let bestLen = 0;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen && j - i >= 2) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (bestStart < 0) return hex.join(':');
  return `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLen).join(':')}`;
}

/** An IPv6 `address/length` in canonical form, or undefined. */
export function parseIpv6Prefix(text: string): string | undefined {
  const m = /^([^/]+)\/(\d{1,3})$/.exec(text);
  if (m === null || Number(m[2]) > 128) return undefined;
  const address = canonicalIpv6(m[1]!);
  return address === undefined ? undefined : `${address}/${Number(m[2])}`;
}

const U32 = 4_294_967_295;

function adminAndNumber(text: string): boolean {
  const m = /^([^:]+):(\d{1,10})$/.exec(text);
  if (m === null) return false;
  const admin = m[1]!;
  const n = Number(m[2]);
  if (isIpv4(admin)) return n <= 65535;
  if (!/^\d{1,10}$/.test(admin)) return false;
  const asn = Number(admin);
  if (asn > U32 || n > U32) return false;
  return asn <= 65535 || n <= 65535;
}

/** A route distinguisher (`<router-id>:<n>`, `<asn>:<n>`) or `auto`; undefined when invalid. */
export function parseRouteDistinguisher(text: string): string | undefined {
  return text === 'auto' || adminAndNumber(text) ? text : undefined;
}

/** A route target (`<asn>:<n>`, `<ipv4>:<n>`); undefined when invalid. */
export function parseRouteTarget(text: string): string | undefined {
  return adminAndNumber(text) ? text : undefined;
}

/** A `hh:mm:ss` duration (1 s .. 23:59:59) in seconds, or undefined. */
export function parseTimer(text: string): number | undefined {
  const m = /^(\d{1,2}):(\d{2}):(\d{2})$/.exec(text);
  if (m === null) return undefined;
  const [h, mi, s] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (mi > 59 || s > 59 || h > 23) return undefined;
  const total = h * 3600 + mi * 60 + s;
  return total > 0 ? total : undefined;
}

/** `hh:mm:ss` of a number of seconds. */
export function formatTimer(seconds: number): string {
  const s = Math.max(0, Math.ceil(seconds));
  const pad = (n: number): string => String(n).padStart(2, '0');
  return `${pad(Math.floor(s / 3600))}:${pad(Math.floor((s % 3600) / 60))}:${pad(s % 60)}`;
}

const TYPE_PREFIXES: readonly (readonly [RegExp, string])[] = [
  [/^(ethernet|eth|et)(?=\d)/i, 'Ethernet'],
  [/^(vlan|vl)(?=\d)/i, 'Vlan'],
  [/^(vxlan|vx)(?=\d)/i, 'Vxlan'],
  [/^(loopback|lo)(?=\d)/i, 'Loopback'],
  [/^(management|ma)(?=\d)/i, 'Management'],
  [/^(port-channel|po)(?=\d)/i, 'Port-Channel'],
];

/** An interface name with its type spelled as EOS prints it (`et1/1` → `Ethernet1/1`), or undefined. */
export function canonicalInterface(text: string): string | undefined {
  for (const [re, type] of TYPE_PREFIXES) {
    if (re.test(text)) {
      const rest = text.replace(re, '');
      return /^\d+(\/\d+){0,2}$/.test(rest) ? `${type}${rest}` : undefined;
    }
  }
  return undefined;
}

/** A VRF name EOS accepts (letters, digits, `_`, `-`, `.`; not `default`; at most 100 characters). */
export function isVrfName(text: string): boolean {
  return /^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$/.test(text) && text !== 'default';
}

/** The longest VLAN name EOS accepts. NOTE: 32 characters (UNVERIFIED: the limit commonly quoted for EOS). */
export const VLAN_NAME_MAX = 32;
