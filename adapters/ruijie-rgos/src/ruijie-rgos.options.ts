/**
 * Options of the Ruijie RGOS adapter (an inventory entry's `options` in the profile), validated with io-ts, and the
 * settings the renderer and the session derive from them.
 *
 * @packageDocumentation
 */
import * as t from 'io-ts';
import { Ipv4AddressCodec, decodeOrThrow, intInRange, struct, withChecks, type CheckProblem, type InputProblem } from '@netloom/ports';
import { LIMITS } from './ruijie-rgos.commands';

/** A range of leaf VLANs. */
const VlanRangeCodec = withChecks(
  struct('VlanRange', { from: intInRange('from', LIMITS.vlan.min, LIMITS.vlan.max), to: intInRange('to', LIMITS.vlan.min, LIMITS.vlan.max) }),
  (r): CheckProblem[] => (r.from > r.to ? [{ path: ['to'], message: `${r.to} is below from (${r.from})` }] : []),
);

/**
 * The adapter's options. Every field is optional; unknown fields are refused.
 *
 * - `port`: SSH port (default: the target's port, else 22).
 * - `commandTimeoutMs`: time to wait for the prompt after one command (default 60 000).
 * - `connectTimeoutMs`: SSH handshake and login limit (default 20 000).
 * - `reconnectAttempts`: attempts to re-open a dropped session, with doubling backoff from 250 ms (default 3).
 * - `segmentVlans`: leaf VLANs for segments that have no binding on this leaf (default 3000–3999; see the README).
 * - `evpnAsn`: the AS number in generated route distinguishers (`<evpnAsn>:<l3Vni>`, default 65000).
 * - `rdAdmin`: an IPv4 address (the leaf's loopback) for route distinguishers instead (`<rdAdmin>:<l3Vni>`).
 * - `nveMembers`: make every L2 VNI and L3 VNI a member of `interface Nve 1` (default true).
 * - `saveOnConfirm`: `write` the running configuration at confirm (default true).
 * - `lockSeconds`: how long a transaction may stay unconfirmed when `apply` names no `confirmWithinSec`: the lifetime
 *   of netloom's lock marker on the device (60–86400, default 300).
 *
 * @example { segmentVlans: { from: 2000, to: 2999 }, evpnAsn: 65010, rdAdmin: '10.0.0.11', lockSeconds: 600 }
 */
export const RuijieRgosOptionsCodec = struct(
  'RuijieRgosOptions',
  {},
  {
    port: intInRange('port', 1, 65535),
    commandTimeoutMs: intInRange('commandTimeoutMs', 1_000, 600_000),
    connectTimeoutMs: intInRange('connectTimeoutMs', 1_000, 120_000),
    reconnectAttempts: intInRange('reconnectAttempts', 0, 10),
    segmentVlans: VlanRangeCodec,
    evpnAsn: intInRange('evpnAsn', 1, 4_294_967_295),
    rdAdmin: Ipv4AddressCodec,
    nveMembers: t.boolean,
    saveOnConfirm: t.boolean,
    lockSeconds: intInRange('lockSeconds', 60, 86_400),
  },
);

/** The adapter's options, decoded. */
export type RuijieRgosOptions = t.TypeOf<typeof RuijieRgosOptionsCodec>;

/** What the configuration renderer needs (a pure function of these, the changes and the device as read). */
export interface RenderSettings {
  readonly evpnAsn: number;
  readonly rdAdmin?: string;
  readonly nveMembers: boolean;
  readonly segmentVlans: { readonly from: number; readonly to: number };
}

/** The options with every default applied. */
export interface ResolvedOptions {
  readonly port?: number;
  readonly commandTimeoutMs: number;
  readonly connectTimeoutMs: number;
  readonly reconnectAttempts: number;
  readonly saveOnConfirm: boolean;
  readonly lockSeconds: number;
  readonly render: RenderSettings;
}

/** Defaults of the options. */
export const DEFAULTS = {
  commandTimeoutMs: 60_000,
  connectTimeoutMs: 20_000,
  reconnectAttempts: 3,
  segmentVlans: { from: 3000, to: 3999 },
  evpnAsn: 65000,
  nveMembers: true,
  saveOnConfirm: true,
  lockSeconds: 300,
} as const;

/**
 * Validates `options` and applies the defaults.
 *
 * @throws InputError listing every problem with its path
 * @example resolveOptions({ lockSeconds: 600 }, 'leaf1').lockSeconds === 600
 */
export function resolveOptions(options: unknown, device: string): ResolvedOptions {
  const o = decodeOrThrow(RuijieRgosOptionsCodec, options ?? {}, `options of Ruijie RGOS device ${device}`);
  return {
    ...(o.port === undefined ? {} : { port: o.port }),
    commandTimeoutMs: o.commandTimeoutMs ?? DEFAULTS.commandTimeoutMs,
    connectTimeoutMs: o.connectTimeoutMs ?? DEFAULTS.connectTimeoutMs,
    reconnectAttempts: o.reconnectAttempts ?? DEFAULTS.reconnectAttempts,
    saveOnConfirm: o.saveOnConfirm ?? DEFAULTS.saveOnConfirm,
    lockSeconds: o.lockSeconds ?? DEFAULTS.lockSeconds,
    render: {
      evpnAsn: o.evpnAsn ?? DEFAULTS.evpnAsn,
      ...(o.rdAdmin === undefined ? {} : { rdAdmin: o.rdAdmin }),
      nveMembers: o.nveMembers ?? DEFAULTS.nveMembers,
      segmentVlans: o.segmentVlans ?? DEFAULTS.segmentVlans,
    },
  };
}

/** Problems of a settings object made by hand (tests, harnesses): empty when fine. */
export function settingsProblems(s: RenderSettings): InputProblem[] {
  return s.segmentVlans.from > s.segmentVlans.to ? [{ path: 'segmentVlans', reason: 'from is above to' }] : [];
}
