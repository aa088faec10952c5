/**
 * Text forms of the addresses carried in OpenFlow fields, in one canonical spelling each so values read from a
 * switch compare equal to values written: MAC `aa:bb:cc:dd:ee:ff` (lower case), IPv4 dotted quad, IPv6 in the
 * RFC 5952 form (lower case, longest zero run compressed).
 *
 * @packageDocumentation
 */

const MAC_RE = /^[0-9a-fA-F]{2}([:-])[0-9a-fA-F]{2}(\1[0-9a-fA-F]{2}){4}$/;

/** True when `s` is a MAC address (`aa:bb:cc:dd:ee:ff` or `aa-bb-...`, any case). */
export function isMac(s: string): boolean {
  return MAC_RE.test(s);
}

/** The 6 bytes of a MAC address. Throws on a malformed one (validate first with {@link isMac}). */
export function macToBytes(s: string): Buffer {
  if (!isMac(s)) throw new Error(`${JSON.stringify(s)} is not a MAC address`);
  return Buffer.from(s.replace(/[:-]/g, ''), 'hex');
}

/** The canonical text of 6 bytes: `aa:bb:cc:dd:ee:ff`. */
export function macFromBytes(b: Uint8Array): string {
  return Array.from(b, (x) => x.toString(16).padStart(2, '0')).join(':');
}

/** Canonical spelling of a MAC address. */
export function canonicalMac(s: string): string {
  return macFromBytes(macToBytes(s));
}

/** True when `s` is a dotted-quad IPv4 address (no leading zeros, each part 0..255). */
export function isIpv4(s: string): boolean {
  const parts = s.split('.');
  return parts.length === 4 && parts.every((p) => /^(0|[1-9][0-9]{0,2})$/.test(p) && Number(p) <= 255);
}

/** The 4 bytes of an IPv4 address. */
export function ipv4ToBytes(s: string): Buffer {
  if (!isIpv4(s)) throw new Error(`${JSON.stringify(s)} is not an IPv4 address`);
  return Buffer.from(s.split('.').map(Number));
}

/** The dotted-quad text of 4 bytes. */
export function ipv4FromBytes(b: Uint8Array): string {
  return Array.from(b).join('.');
}

/** Parses an IPv6 address (with `::`, and an embedded IPv4 tail) into 16 bytes, or undefined when malformed. */
function parseIpv6(s: string): Buffer | undefined {
  if (s.length === 0 || s.length > 45 || !/^[0-9a-fA-F:.]+$/.test(s)) return undefined;
  let text = s;
  if (text.includes('.')) {
    // An embedded IPv4 tail (::ffff:10.0.0.1) becomes two hex groups.
    const lastColon = text.lastIndexOf(':');
    const v4 = text.slice(lastColon + 1);
    if (lastColon < 0 || !isIpv4(v4)) return undefined;
    const b = ipv4ToBytes(v4);
    text = `${text.slice(0, lastColon + 1)}${((b[0]! << 8) | b[1]!).toString(16)}:${((b[2]! << 8) | b[3]!).toString(16)}`;
  }
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const groups = (h: string): number[] | undefined => {
    if (h === '') return [];
    const out: number[] = [];
    for (const g of h.split(':')) {
      if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return undefined;
      out.push(parseInt(g, 16));
    }
    return out;
  };
  const head = groups(halves[0]!);
  const back = halves.length === 2 ? groups(halves[1]!) : [];
  if (head === undefined || back === undefined) return undefined;
  let words: number[];
  if (halves.length === 2) {
    if (head.length + back.length > 7) return undefined;
    words = [...head, ...new Array<number>(8 - head.length - back.length).fill(0), ...back];
  } else {
    if (head.length !== 8) return undefined;
    words = head;
  }
  const out = Buffer.alloc(16);
  words.forEach((w, i) => out.writeUInt16BE(w, i * 2));
  return out;
}

/** True when `s` is an IPv6 address. */
export function isIpv6(s: string): boolean {
  return parseIpv6(s) !== undefined;
}

/** The 16 bytes of an IPv6 address. */
export function ipv6ToBytes(s: string): Buffer {
  const b = parseIpv6(s);
  if (b === undefined) throw new Error(`${JSON.stringify(s)} is not an IPv6 address`);
  return b;
}

/** The RFC 5952 text of 16 bytes (lower case, the longest run of two or more zero groups compressed). */
export function ipv6FromBytes(b: Uint8Array): string {
  const words: number[] = [];
  for (let i = 0; i < 16; i += 2) words.push((b[i]! << 8) | b[i + 1]!);
  let bestStart = -1;
  let bestLen = 0;
  for (let i = 0; i < 8; ) {
    if (words[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && words[j] === 0) j++;
    if (j - i > bestLen && j - i >= 2) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = words.map((w) => w.toString(16));
  if (bestStart < 0) return hex.join(':');
  return `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLen).join(':')}`;
}

/** Canonical spelling of an IPv6 address. */
export function canonicalIpv6(s: string): string {
  return ipv6FromBytes(ipv6ToBytes(s));
}
