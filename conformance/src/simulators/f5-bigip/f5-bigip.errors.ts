/**
 * The two error shapes of iControl REST (PROTOCOLS.md §4.4), as the simulator sends them:
 *
 * - TMOS (mcpd) errors: `{ code, message: "01020036:3: The requested Pool (/Common/p) was not found.", errorStack: [],
 *   apiError: 3 }` — configuration problems found by the configuration daemon.
 * - REST-framework errors: `{ code, message, referer, restOperationId, errorStack: [], kind: ":resterrorresponse" }` —
 *   authentication, unknown URIs, transaction bookkeeping.
 *
 * The message ids in PROTOCOLS.md §4.4 (`01020036` not found, `01020066` already exists, `01070110` node referenced,
 * `010713f9` folder not empty) are the device's; the other ids are the simulator's own, in the same style.
 *
 * @packageDocumentation
 */

/** An error the simulator answers with: the HTTP status and the JSON body. */
export class F5RestError extends Error {
  readonly status: number;
  readonly body: Readonly<Record<string, unknown>>;

  constructor(status: number, body: Readonly<Record<string, unknown>>) {
    super(typeof body['message'] === 'string' ? body['message'] : `HTTP ${status}`);
    this.name = 'F5RestError';
    this.status = status;
    this.body = body;
  }
}

/**
 * A TMOS configuration error (`apiError` 3 unless given).
 * @example tmosError(404, '01020036:3: The requested Pool (/shop/web) was not found.')
 */
export function tmosError(status: number, message: string, apiError = 3): F5RestError {
  return new F5RestError(status, { code: status, message, errorStack: [], apiError });
}

let restOperationId = 1000;

/**
 * A REST-framework error (the `:resterrorresponse` shape).
 * @example restFrameworkError(401, 'X-F5-Auth-Token does not exist.')
 */
export function restFrameworkError(status: number, message: string, extra: Readonly<Record<string, unknown>> = {}): F5RestError {
  return new F5RestError(status, { code: status, message, referer: '127.0.0.1', restOperationId: ++restOperationId, errorStack: [], kind: ':resterrorresponse', ...extra });
}

/** `01020036:3: The requested <what> (<path>) was not found.` (404). */
export const notFound = (what: string, path: string): F5RestError => tmosError(404, `01020036:3: The requested ${what} (${path}) was not found.`);

/** `01020066:3: The requested <what> (<path>) already exists in partition <partition>.` (409). */
export const alreadyExists = (what: string, path: string, partition: string): F5RestError =>
  tmosError(409, `01020066:3: The requested ${what} (${path}) already exists in partition ${partition}.`);

/** A 400 TMOS error with the given message. */
export const badRequest = (message: string): F5RestError => tmosError(400, message);
