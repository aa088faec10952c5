/**
 * Small value rules shared by the whole model: VNI and VLAN ranges, and the names that may reach a device.
 * @packageDocumentation
 */
import { Invariant, InvariantError } from './errors';

/** Smallest valid VXLAN network identifier. */
export const VNI_MIN = 1;
/** Largest valid VXLAN network identifier (24 bits). */
export const VNI_MAX = 16_777_215;
/** Smallest valid 802.1Q VLAN id. */
export const VLAN_MIN = 1;
/** Largest valid 802.1Q VLAN id (4095 is reserved). */
export const VLAN_MAX = 4094;

/** True if `n` is an integer in 1..16777215. */
export function isVni(n: unknown): n is number {
  return typeof n === 'number' && Number.isInteger(n) && n >= VNI_MIN && n <= VNI_MAX;
}

/** True if `n` is an integer in 1..4094. */
export function isVlan(n: unknown): n is number {
  return typeof n === 'number' && Number.isInteger(n) && n >= VLAN_MIN && n <= VLAN_MAX;
}

/** Throws `InvariantError(vni-range)` unless `n` is a valid VNI. `what` names the field for the message. */
export function assertVni(n: unknown, what = 'VNI'): asserts n is number {
  if (!isVni(n)) {
    throw new InvariantError(Invariant.VNI_RANGE, `${what} ${JSON.stringify(n)} is outside ${VNI_MIN}..${VNI_MAX}`, { details: { value: n } });
  }
}

/** Throws `InvariantError(vlan-range)` unless `n` is a valid VLAN id. */
export function assertVlan(n: unknown, what = 'VLAN'): asserts n is number {
  if (!isVlan(n)) {
    throw new InvariantError(Invariant.VLAN_RANGE, `${what} ${JSON.stringify(n)} is outside ${VLAN_MIN}..${VLAN_MAX}`, { details: { value: n } });
  }
}

/**
 * The allowlist for names that may reach a device (CLI arguments, descriptions, object names): 1..63 characters,
 * starting with a letter or digit, then letters, digits, `.`, `_`, `-`. No whitespace, no control characters, no
 * command separators (`;`, `|`, `&`, newline), no quotes.
 */
export const SAFE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/;

/** True if `s` matches {@link SAFE_NAME}. */
export function isSafeName(s: unknown): s is string {
  return typeof s === 'string' && SAFE_NAME.test(s);
}

/** Throws `InvariantError(name-invalid)` unless `s` matches {@link SAFE_NAME}. The message escapes the value. */
export function assertSafeName(s: unknown, what = 'name'): asserts s is string {
  if (!isSafeName(s)) {
    throw new InvariantError(
      Invariant.NAME_INVALID,
      `${what} ${JSON.stringify(s)} is not allowed: use 1-63 letters, digits, '.', '_' or '-', starting with a letter or digit`,
      { details: { value: s } },
    );
  }
}

/**
 * The allowlist for device interface (port) names as vendors print them: `10GE1/0/1`, `Ethernet1/1`,
 * `xe-0/0/0:1`, `Eth-Trunk1`, `swp1`. 1..64 characters: letters, digits, `/`, `:`, `.`, `_`, `-`, starting with a
 * letter or digit. No whitespace, quotes or command separators.
 */
export const INTERFACE_NAME = /^[A-Za-z0-9][A-Za-z0-9/:._-]{0,63}$/;

/** True if `s` matches {@link INTERFACE_NAME}. */
export function isInterfaceName(s: unknown): s is string {
  return typeof s === 'string' && INTERFACE_NAME.test(s);
}

/** Throws `InvariantError(name-invalid)` unless `s` matches {@link INTERFACE_NAME}. */
export function assertInterfaceName(s: unknown, what = 'interface name'): asserts s is string {
  if (!isInterfaceName(s)) {
    throw new InvariantError(
      Invariant.NAME_INVALID,
      `${what} ${JSON.stringify(s)} is not allowed: use 1-64 letters, digits, '/', ':', '.', '_' or '-', starting with a letter or digit`,
      { details: { value: s } },
    );
  }
}
