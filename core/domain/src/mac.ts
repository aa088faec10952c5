/**
 * Ethernet MAC addresses (EUI-48).
 *
 * Accepted text: six pairs of hex digits separated by `:` or `-` (one separator throughout), or three groups of four
 * separated by `.` (Cisco style, `0011.2233.4455`); any case. Canonical text: lowercase, colon-separated
 * (`00:11:22:33:44:55`), the form OVS, Linux and the Kubernetes annotations use.
 *
 * @packageDocumentation
 */
import { Invariant, InvariantError } from './errors';

const COLON_OR_DASH = /^[0-9A-Fa-f]{2}([:-])[0-9A-Fa-f]{2}(\1[0-9A-Fa-f]{2}){4}$/;
const DOTTED = /^[0-9A-Fa-f]{4}\.[0-9A-Fa-f]{4}\.[0-9A-Fa-f]{4}$/;

const CANONICAL = /^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/;

function canonical(text: unknown): string | undefined {
  if (typeof text !== 'string') return undefined;
  if (CANONICAL.test(text)) return text;
  if (!COLON_OR_DASH.test(text) && !DOTTED.test(text)) return undefined;
  const hex = text.replace(/[:.-]/g, '').toLowerCase();
  const pairs: string[] = [];
  for (let i = 0; i < 12; i += 2) pairs.push(hex.slice(i, i + 2));
  return pairs.join(':');
}

/**
 * Parses a MAC address and returns its canonical text (lowercase, colon-separated).
 * @throws InvariantError `mac-invalid` naming the input.
 * @example parseMac('00-11-22-AA-BB-CC') // '00:11:22:aa:bb:cc'
 */
export function parseMac(text: string): string {
  const c = canonical(text);
  if (c === undefined) {
    const shown = typeof text === 'string' ? JSON.stringify(text.slice(0, 64)) : typeof text;
    throw new InvariantError(Invariant.MAC_INVALID, `${shown} is not a MAC address (expected six hex pairs like 02:00:0a:00:00:05)`, {
      details: { value: text },
    });
  }
  return c;
}

/** True if `text` is a MAC address in one of the accepted forms. */
export function isMac(text: string): boolean {
  return canonical(text) !== undefined;
}

/**
 * True if `text` is a MAC address usable as an endpoint's own address: unicast (the I/G bit, the lowest bit of the
 * first octet, is 0) and not all zeros. Locally administered addresses (`02:...`) are unicast and allowed.
 */
export function isUnicastMac(text: string): boolean {
  const c = canonical(text);
  return c !== undefined && isUnicastCanonical(c);
}

function isUnicastCanonical(c: string): boolean {
  return (parseInt(c.slice(0, 2), 16) & 1) === 0 && c !== '00:00:00:00:00:00';
}

/**
 * Parses a MAC address that must be unicast (see {@link isUnicastMac}) and returns its canonical text.
 * @throws InvariantError `mac-invalid` if malformed, multicast/broadcast, or all zeros.
 */
export function parseUnicastMac(text: string): string {
  const c = parseMac(text);
  if (!isUnicastCanonical(c)) {
    const why = c === '00:00:00:00:00:00' ? 'is all zeros' : 'is a multicast/broadcast address (lowest bit of the first octet is set)';
    throw new InvariantError(Invariant.MAC_INVALID, `${c} ${why}; an endpoint needs a unicast MAC`, { details: { value: text } });
  }
  return c;
}
