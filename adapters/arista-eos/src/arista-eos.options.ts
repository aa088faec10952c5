/**
 * Options of the arista-eos adapter (an inventory entry's `options` in the profile). Unknown options are refused.
 * @packageDocumentation
 */
import type * as t from 'io-ts';
import { AsnCodec, Ipv4AddressCodec, L4PortCodec, VlanCodec, intInRange, struct, withChecks } from '@netloom/ports';

/** The default pool of leaf VLANs for segments. */
export const DEFAULT_SEGMENT_VLANS = { from: 2000, to: 3999 } as const;

/** Seconds an applied transaction waits for confirm when `apply` is not given `confirmWithinSec`. */
export const DEFAULT_CONFIRM_TIMEOUT_SEC = 120;

/**
 * - `port`: the eAPI HTTPS port when the inventory entry has none (default 443).
 * - `vrfAsn`: the BGP AS of the leaf, used to create `router bgp <asn>` on a switch without one; when the switch
 *   runs BGP, it must be the same AS.
 * - `routerId`: the router id for route distinguishers when `router bgp` has no `router-id`.
 * - `segmentVlans`: the pool the leaf VLAN of each segment comes from (default 2000-3999); keep it apart from the
 *   node VLAN range and from VLANs the switch uses otherwise.
 * - `confirmTimeoutSec`: the commit timer when `apply` is not given `confirmWithinSec` (default 120).
 * - `timeoutMs`: time one eAPI request may take (default 30000).
 * - `retries`, `retryBackoffMs`: how often a request is retried after a connection error, and the first backoff
 *   (doubled each time; default 3 and 200). Command errors are never retried.
 *
 * @example { vrfAsn: 65001, routerId: '10.255.0.1', segmentVlans: { from: 3000, to: 3499 }, confirmTimeoutSec: 300 }
 */
export const AristaEosOptionsCodec = struct('AristaEosOptions', {}, {
  port: L4PortCodec,
  vrfAsn: AsnCodec,
  routerId: Ipv4AddressCodec,
  segmentVlans: withChecks(struct('SegmentVlans', { from: VlanCodec, to: VlanCodec }), (r) =>
    r.from <= r.to ? [] : [{ path: ['to'], value: r.to, message: `${r.to} is below from (${r.from})` }],
  ),
  confirmTimeoutSec: intInRange('ConfirmTimeoutSec', 1, 86_399),
  timeoutMs: intInRange('TimeoutMs', 100, 600_000),
  retries: intInRange('Retries', 0, 10),
  retryBackoffMs: intInRange('RetryBackoffMs', 1, 60_000),
});

/** Options of the arista-eos adapter. */
export type AristaEosOptions = t.TypeOf<typeof AristaEosOptionsCodec>;
