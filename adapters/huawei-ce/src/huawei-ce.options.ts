/**
 * Options of the Huawei CE adapter (an inventory entry's `options` in the profile), validated with io-ts, and the
 * settings the renderer and the session derive from them.
 *
 * @packageDocumentation
 */
import * as t from 'io-ts';
import { Ipv4AddressCodec, decodeOrThrow, intInRange, struct } from '@netloom/ports';
import { CE_BD, CE_VNI, TRIAL_SECONDS } from './huawei-ce.commands';

/**
 * The adapter's options. Every field is optional; unknown fields are refused.
 *
 * - `port`: SSH port (default: the target's port, else 22).
 * - `commitMode`: `trial` (default: `commit trial <s>`, the device reverts unless netloom confirms) or `plain`
 *   (`commit`; netloom rolls back itself with `rollback configuration to commit-id`). With `plain` the device lacks
 *   the `confirmedCommit` capability.
 * - `trialSeconds`: the confirm window when `apply` names none (60–65535, default 120).
 * - `commandTimeoutMs`: time to wait for the prompt after one command (default 60 000).
 * - `connectTimeoutMs`: SSH handshake and login limit (default 20 000).
 * - `reconnectAttempts`: attempts to re-open a dropped session, with doubling backoff from 250 ms (default 3).
 * - `bdOffset`: bridge-domain id = L2 VNI + `bdOffset` (default 0). Never change it once segments exist.
 * - `evpnAsn`: the AS number in generated route distinguishers and targets (`<evpnAsn>:<vni>`, default 65000).
 * - `rdAdmin`: an IPv4 address (the leaf's VTEP/loopback) to use in route distinguishers instead of `evpnAsn`
 *   (`<rdAdmin>:<vni>`, VNIs up to 65535 only), so every leaf has its own RDs.
 * - `ingressReplication`: add `vni <l2Vni> head-end peer-list protocol bgp` to `interface Nve1` for every segment
 *   (default true).
 *
 * @example { commitMode: 'trial', trialSeconds: 300, evpnAsn: 65010, rdAdmin: '10.0.0.11' }
 */
export const HuaweiCeOptionsCodec = struct(
  'HuaweiCeOptions',
  {},
  {
    port: intInRange('port', 1, 65535),
    commitMode: t.keyof({ trial: null, plain: null }, '"trial" | "plain"'),
    trialSeconds: intInRange('trialSeconds', TRIAL_SECONDS.min, TRIAL_SECONDS.max),
    commandTimeoutMs: intInRange('commandTimeoutMs', 1_000, 600_000),
    connectTimeoutMs: intInRange('connectTimeoutMs', 1_000, 120_000),
    reconnectAttempts: intInRange('reconnectAttempts', 0, 10),
    bdOffset: intInRange('bdOffset', 0, CE_BD.max - CE_VNI.max),
    evpnAsn: intInRange('evpnAsn', 1, 4_294_967_295),
    rdAdmin: Ipv4AddressCodec,
    ingressReplication: t.boolean,
  },
);

/** The adapter's options, decoded. */
export type HuaweiCeOptions = t.TypeOf<typeof HuaweiCeOptionsCodec>;

/** What the configuration renderer needs (a pure function of these and the changes). */
export interface RenderSettings {
  readonly bdOffset: number;
  readonly evpnAsn: number;
  readonly rdAdmin?: string;
  readonly ingressReplication: boolean;
}

/** The options with every default applied. */
export interface ResolvedOptions {
  readonly port?: number;
  readonly commitMode: 'trial' | 'plain';
  readonly trialSeconds: number;
  readonly commandTimeoutMs: number;
  readonly connectTimeoutMs: number;
  readonly reconnectAttempts: number;
  readonly render: RenderSettings;
}

/** Defaults of the options. */
export const DEFAULTS = {
  commitMode: 'trial',
  trialSeconds: 120,
  commandTimeoutMs: 60_000,
  connectTimeoutMs: 20_000,
  reconnectAttempts: 3,
  bdOffset: 0,
  evpnAsn: 65000,
  ingressReplication: true,
} as const;

/**
 * Validates `options` and applies the defaults.
 *
 * @throws InputError listing every problem with its path
 * @example resolveOptions({ trialSeconds: 300 }, 'leaf1').trialSeconds === 300
 */
export function resolveOptions(options: unknown, device: string): ResolvedOptions {
  const o = decodeOrThrow(HuaweiCeOptionsCodec, options ?? {}, `options of Huawei CE device ${device}`);
  return {
    ...(o.port === undefined ? {} : { port: o.port }),
    commitMode: o.commitMode ?? DEFAULTS.commitMode,
    trialSeconds: o.trialSeconds ?? DEFAULTS.trialSeconds,
    commandTimeoutMs: o.commandTimeoutMs ?? DEFAULTS.commandTimeoutMs,
    connectTimeoutMs: o.connectTimeoutMs ?? DEFAULTS.connectTimeoutMs,
    reconnectAttempts: o.reconnectAttempts ?? DEFAULTS.reconnectAttempts,
    render: {
      bdOffset: o.bdOffset ?? DEFAULTS.bdOffset,
      evpnAsn: o.evpnAsn ?? DEFAULTS.evpnAsn,
      ...(o.rdAdmin === undefined ? {} : { rdAdmin: o.rdAdmin }),
      ingressReplication: o.ingressReplication ?? DEFAULTS.ingressReplication,
    },
  };
}
