/**
 * Options of the F5 BIG-IP adapter (an inventory entry's `options` in the profile), validated strictly: unknown
 * options are an error.
 * @packageDocumentation
 */
import * as t from 'io-ts';
import { SafeNameCodec, intInRange, struct } from '@netloom/ports';

/**
 * - `auth`: `token` (default: `POST /mgmt/shared/authn/login`, token in `X-F5-Auth-Token`, refreshed before it
 *   expires and once after a 401) or `basic` (HTTP Basic on every request).
 * - `loginProviderName`: the login provider of token logins (default `tmos`; remote users may need another).
 * - `requestTimeoutMs`: one HTTP request may take this long (default 30000), then `DeviceTimeoutError`.
 * - `tokenRefreshMarginSec`: log in again this long before the token expires (default 60; at most a quarter of the
 *   token's lifetime is used).
 * - `lockLeaseSec`: how long netloom's writer lock (the data group `/Common/netloom-lock`) holds when an apply names
 *   no `confirmWithinSec` (default 900). An expired lock is taken over, so a crashed controller does not block the
 *   device for ever.
 * - `retries`: reads that fail on the connection or with a 5xx are retried this often, with backoff (default 2).
 *
 * @example { auth: 'token', requestTimeoutMs: 20000, lockLeaseSec: 600 }
 */
export const F5BigipOptionsCodec = struct('F5BigipOptions', {}, {
  auth: t.keyof({ token: null, basic: null }, '"token" | "basic"'),
  loginProviderName: SafeNameCodec,
  requestTimeoutMs: intInRange('RequestTimeoutMs', 100, 600_000),
  tokenRefreshMarginSec: intInRange('TokenRefreshMarginSec', 0, 3600),
  lockLeaseSec: intInRange('LockLeaseSec', 10, 86_400),
  retries: intInRange('Retries', 0, 5),
});

/** Options of the F5 BIG-IP adapter, as given. */
export type F5BigipOptions = t.TypeOf<typeof F5BigipOptionsCodec>;

/** Options with every default filled in. */
export interface ResolvedF5BigipOptions {
  readonly auth: 'token' | 'basic';
  readonly loginProviderName: string;
  readonly requestTimeoutMs: number;
  readonly tokenRefreshMarginSec: number;
  readonly lockLeaseSec: number;
  readonly retries: number;
}

/** The defaults of every option. */
export const F5_BIGIP_DEFAULTS: ResolvedF5BigipOptions = {
  auth: 'token',
  loginProviderName: 'tmos',
  requestTimeoutMs: 30_000,
  tokenRefreshMarginSec: 60,
  lockLeaseSec: 900,
  retries: 2,
};

/** Fills in the defaults. */
export function resolveF5BigipOptions(o: F5BigipOptions): ResolvedF5BigipOptions {
  return {
    auth: o.auth ?? F5_BIGIP_DEFAULTS.auth,
    loginProviderName: o.loginProviderName ?? F5_BIGIP_DEFAULTS.loginProviderName,
    requestTimeoutMs: o.requestTimeoutMs ?? F5_BIGIP_DEFAULTS.requestTimeoutMs,
    tokenRefreshMarginSec: o.tokenRefreshMarginSec ?? F5_BIGIP_DEFAULTS.tokenRefreshMarginSec,
    lockLeaseSec: o.lockLeaseSec ?? F5_BIGIP_DEFAULTS.lockLeaseSec,
    retries: o.retries ?? F5_BIGIP_DEFAULTS.retries,
  };
}
