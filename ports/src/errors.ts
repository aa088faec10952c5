/**
 * Errors that cross a port. Re-exports the intent errors of `@netloom/domain` and adds the device errors.
 *
 * Adapters never let a raw SSH/HTTP/OVSDB/SQLite error cross the port: they wrap it in one of these classes and
 * keep the original as `cause`. No message, detail or cause text may contain a credential: use {@link redact}
 * on anything that might.
 *
 * @packageDocumentation
 */
import { ErrorCode, NetloomError, type NetloomErrorOptions } from '@netloom/domain';

export {
  ErrorCode,
  NetloomError,
  InputError,
  ConflictError,
  NotFoundError,
  ExhaustedError,
  InvariantError,
  Invariant,
  isNetloomError,
  type InputProblem,
  type NetloomErrorOptions,
} from '@netloom/domain';

/** Connecting to a device failed (refused, unreachable, TLS certificate or SSH host key not trusted). */
export class DeviceConnectionError extends NetloomError {
  constructor(message: string, options: NetloomErrorOptions = {}) {
    super(ErrorCode.DEVICE_CONNECTION, message, options);
  }
}

/** The device refused the credentials. The message names the device and the credential reference, never the secret. */
export class DeviceAuthError extends NetloomError {
  constructor(message: string, options: NetloomErrorOptions = {}) {
    super(ErrorCode.DEVICE_AUTH, message, options);
  }
}

/** The device did not answer within the configured time. */
export class DeviceTimeoutError extends NetloomError {
  constructor(message: string, options: NetloomErrorOptions = {}) {
    super(ErrorCode.DEVICE_TIMEOUT, message, options);
  }
}

/** The device rejected or failed a commit. The adapter has left the device at its last committed configuration. */
export class CommitError extends NetloomError {
  constructor(message: string, options: NetloomErrorOptions = {}) {
    super(ErrorCode.DEVICE_COMMIT, message, options);
  }
}

/** Another writer holds the device (configuration lock, exclusive session, or netloom's own per-device lock). */
export class LockedError extends NetloomError {
  constructor(message: string, options: NetloomErrorOptions = {}) {
    super(ErrorCode.DEVICE_LOCKED, message, options);
  }
}

/** The device answered something the adapter could not understand (a reply failed validation). */
export class DeviceProtocolError extends NetloomError {
  constructor(message: string, options: NetloomErrorOptions = {}) {
    super(ErrorCode.DEVICE_PROTOCOL, message, options);
  }
}

/** The capability is not declared by the adapter, or the device does not offer it. */
export class NotSupportedError extends NetloomError {
  constructor(message: string, options: NetloomErrorOptions = {}) {
    super(ErrorCode.NOT_SUPPORTED, message, options);
  }
}

/** The adapter's port API range does not include the runtime's port API version. */
export class PortApiMismatchError extends NetloomError {
  constructor(message: string, options: NetloomErrorOptions = {}) {
    super(ErrorCode.PORT_API_MISMATCH, message, options);
  }
}

/** A store operation failed for a reason other than a lost compare-and-set (which is a ConflictError). */
export class StoreError extends NetloomError {
  constructor(message: string, options: NetloomErrorOptions = {}) {
    super(ErrorCode.STORE, message, options);
  }
}

/** The text every redacted secret is replaced with. */
export const REDACTED = '***';

/**
 * Replaces every occurrence of each secret in `text` with `***`. Empty secrets are ignored.
 * Use it on every message, transcript line or report that may contain a resolved credential.
 *
 * @example redact('login admin/hunter2 failed', ['hunter2']) === 'login admin/*** failed'
 */
export function redact(text: string, secrets: Iterable<string>): string {
  let out = text;
  for (const s of secrets) {
    if (s.length === 0) continue;
    out = out.split(s).join(REDACTED);
  }
  return out;
}

/**
 * Characters a quoted value must never carry raw into a message or log line: every control (C0, DEL, C1 such as NEL
 * U+0085), format character (bidi overrides, zero-width, BOM), surrogate, private-use or unassigned code point, the
 * line and paragraph separators U+2028 / U+2029, and every space character other than the ASCII space. A log viewer
 * or a terminal may treat any of them as a line break, a cursor move or a reordering, which lets a value forge a log
 * line.
 */
const UNSAFE_IN_MESSAGE = /[\p{C}\p{Zl}\p{Zp}]|(?! )\p{Zs}/gu;

/** `\uXXXX` for every UTF-16 unit of `c` (an astral character becomes its escaped surrogate pair, as in JSON). */
function escapeUnits(c: string): string {
  let out = '';
  for (let i = 0; i < c.length; i++) out += `\\u${c.charCodeAt(i).toString(16).padStart(4, '0')}`;
  return out;
}

/**
 * Quotes `text` for an error message or a log line: a JSON string literal (so `"`, `\` and C0 controls appear as
 * `\"`, `\\`, `\n`, `\u0000`), in which every other character a viewer could take for a line break or a control
 * (DEL, C1, U+2028, U+2029, format characters such as bidi overrides, lone surrogates, non-ASCII spaces) is escaped
 * as `\uXXXX` too, which `JSON.stringify` alone leaves raw. With `maxLength`, a longer result is cut at a character
 * boundary (never inside an escape or a surrogate pair) and ends with `…"`; the result is then at most `maxLength`
 * characters long.
 *
 * @example quoteText('bd1\u2028quit') === '"bd1\\u2028quit"'
 * @example quoteText('x'.repeat(100), 10) === '"xxxxxxx…"'
 */
export function quoteText(text: string, maxLength = Number.POSITIVE_INFINITY): string {
  const escape = (s: string): string => JSON.stringify(s).slice(1, -1).replace(UNSAFE_IN_MESSAGE, escapeUnits);
  const whole = `"${escape(text)}"`;
  if (whole.length <= maxLength) return whole;
  let out = '"';
  // Code point by code point, so a cut never splits an escape sequence or a surrogate pair.
  for (const c of text) {
    const piece = escape(c);
    if (out.length + piece.length + 2 > maxLength) break;
    out += piece;
  }
  return `${out}…"`;
}
