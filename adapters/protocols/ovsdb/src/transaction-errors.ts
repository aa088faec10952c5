/**
 * Maps a failed OVSDB transaction (an error entry in the `transact` result, RFC 7047 §5.2) to the netloom error
 * class a caller can act on.
 *
 * | OVSDB error                                   | netloom error         |
 * |-----------------------------------------------|-----------------------|
 * | `timed out` (a `wait` that was not satisfied)  | DeviceTimeoutError    |
 * | `not owner` (an `assert` on a lock not held)   | LockedError           |
 * | `syntax error`, `unknown column`, `unknown table`, `not supported`, `unknown database` (the request was not understood: a client bug or a schema drift) | DeviceProtocolError |
 * | anything else (`constraint violation`, `referential integrity violation`, `aborted`, `domain error`, `range error`, `duplicate uuid-name`, `resources exhausted`, `I/O error`, `canceled`, `permission error`, ...) | CommitError |
 *
 * Every error carries `details`: `database`, `opIndex` (the failing operation, or the number of operations when
 * the commit itself failed), `op`, `table` (when the operation has one), `error` (the OVSDB error string),
 * `errorDetails` (the server's explanation) and `syntax` (when the server quoted the offending JSON). A failed
 * transaction changed nothing: OVSDB transactions are atomic.
 *
 * @packageDocumentation
 */
import { CommitError, DeviceProtocolError, DeviceTimeoutError, LockedError, type NetloomError } from '@netloom/ports';
import type { Operation, OperationError } from './operations';

const PROTOCOL_ERRORS = new Set(['syntax error', 'unknown column', 'unknown table', 'not supported', 'unknown database', 'unknown method']);

/** The OVSDB error strings that mean the request itself was not understood (mapped to DeviceProtocolError). */
export function isProtocolErrorKind(kind: string): boolean {
  return PROTOCOL_ERRORS.has(kind);
}

/**
 * Builds the netloom error for the error entry `entry` found at position `index` of a transact result.
 *
 * @example
 * transactionError('Open_vSwitch', ops, 2, { error: 'constraint violation', details: '5005 is not in the valid range 0 to 4095 (inclusive)' })
 * // CommitError: OVSDB transaction on Open_vSwitch failed at operation 2 (mutate Port): constraint violation: 5005 is ...
 */
export function transactionError(database: string, operations: readonly Operation[], index: number, entry: OperationError): NetloomError {
  const operation = operations[index];
  const where = operation === undefined ? 'commit' : `operation ${index} (${operation.op}${'table' in operation ? ` ${operation.table}` : ''})`;
  const message = `OVSDB transaction on ${database} failed at ${where}: ${entry.error}${entry.details !== undefined && entry.details !== '' ? `: ${entry.details}` : ''}`;
  const details: Record<string, unknown> = {
    database,
    opIndex: index,
    op: operation?.op ?? 'commit',
    error: entry.error,
    ...(operation !== undefined && 'table' in operation ? { table: operation.table } : {}),
    ...(entry.details !== undefined ? { errorDetails: entry.details } : {}),
    ...(entry.syntax !== undefined ? { syntax: entry.syntax } : {}),
  };
  if (entry.error === 'timed out') return new DeviceTimeoutError(message, { details });
  if (entry.error === 'not owner') return new LockedError(message, { details });
  if (isProtocolErrorKind(entry.error)) return new DeviceProtocolError(message, { details });
  return new CommitError(message, { details });
}
