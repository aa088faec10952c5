/**
 * OVSDB error objects (RFC 7047 §3.1 `<error>`): `{"error": <kind>, "details": <text>, "syntax": <json text>}`, with
 * the kinds and texts ovsdb-server 3.1 uses.
 *
 * @packageDocumentation
 */
import { sortedJson } from './ovsdb.json';

/** An OVSDB `<error>` object as it goes on the wire. */
export interface OvsdbErrorJson {
  /** The error kind: `constraint violation`, `referential integrity violation`, `timed out`, `not owner`, ... */
  readonly error: string;
  /** ovsdb-server's explanation. */
  readonly details?: string;
  /** The offending JSON, quoted back (object members sorted), for syntax errors. */
  readonly syntax?: string;
}

/** An OVSDB error raised while executing a request; becomes an `<error>` object in the reply. */
export class OvsdbOpError extends Error {
  constructor(
    readonly kind: string,
    readonly details?: string,
    readonly syntax?: string,
  ) {
    super(details === undefined ? kind : `${kind}: ${details}`);
    this.name = 'OvsdbOpError';
  }

  /** The wire form. */
  toJson(): OvsdbErrorJson {
    return {
      error: this.kind,
      ...(this.details !== undefined ? { details: this.details } : {}),
      ...(this.syntax !== undefined ? { syntax: this.syntax } : {}),
    };
  }
}

/** A `syntax error` quoting `json` (when given) as ovsdb-server does. */
export function syntaxError(json: unknown, details: string): OvsdbOpError {
  return new OvsdbOpError('syntax error', details, json === undefined ? undefined : sortedJson(json));
}

/** A `constraint violation`. */
export function constraintViolation(details: string, json?: unknown): OvsdbOpError {
  return new OvsdbOpError('constraint violation', details, json === undefined ? undefined : sortedJson(json));
}
