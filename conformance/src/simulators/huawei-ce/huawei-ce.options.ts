/**
 * Options of the Huawei CE simulator and their io-ts validation (every problem reported with its path; passwords
 * are never echoed in a message).
 *
 * @packageDocumentation
 */
import * as t from 'io-ts';
import { decodeOrThrow, intInRange, struct, type Logger } from '@netloom/ports';
import type { Clock } from '../cli-device/datastore';
import { defaultPorts, parseInterfaceName } from './huawei-ce.values';

/** A user the simulated device accepts. */
export interface HuaweiCeUser {
  readonly username: string;
  /** Compared in constant time; never logged or put in an error. */
  readonly password: string;
  /** Asks the first-login "Change now? [Y/N]" question after login (netmiko answers N). Default false. */
  readonly firstLogin?: boolean;
}

/** Options of {@link HuaweiCeSimulator}. Every field is optional. */
export interface HuaweiCeSimulatorOptions {
  /** `sysname` and prompt host name. Default `HUAWEI`. */
  readonly hostname?: string;
  /** Accepted users. Default one user `admin` / `Huawei@123`. */
  readonly users?: readonly HuaweiCeUser[];
  /** Physical ports (`10GE1/0/1`, ...). Default `10GE1/0/1-48` and `100GE1/0/1-6` (see `portRange`). */
  readonly ports?: readonly string[];
  /** Model for `display version`. Default `CE6881-48S6CQ`. */
  readonly model?: string;
  /** VRP version for `display version`. Default `8.180`. */
  readonly vrpVersion?: string;
  /** Software version for `display version` and the configuration header. Default `V200R005C10SPC800`. */
  readonly softwareVersion?: string;
  /** Listen address. Default `127.0.0.1`. */
  readonly host?: string;
  /** Listen port. Default 0 (a free port). */
  readonly port?: number;
  /** SSH host private key (OpenSSH or PEM text); a fresh Ed25519 key when absent. */
  readonly hostKey?: string;
  /** Scales `commit trial` timers: `s` seconds last `s * 1000 * trialScale` ms. Default 1. */
  readonly trialScale?: number;
  /** Lines per page before `--More--` (VRP default 24). Default 24. */
  readonly pageLines?: number;
  /** Configuration commands (as typed in the system view) that make up the power-on configuration. */
  readonly initialConfig?: readonly string[];
  /** Time source and timers (tests). Default the real clock. */
  readonly clock?: Clock;
  /** Where the simulator logs (never credentials). Default silent. */
  readonly logger?: Logger;
}

/** The options with defaults applied. */
export interface ResolvedHuaweiCeOptions {
  readonly hostname: string;
  readonly users: readonly HuaweiCeUser[];
  readonly ports: readonly string[];
  readonly model: string;
  readonly vrpVersion: string;
  readonly softwareVersion: string;
  readonly host: string;
  readonly port: number;
  readonly hostKey?: string;
  readonly trialScale: number;
  readonly pageLines: number;
  readonly initialConfig: readonly string[];
  readonly clock?: Clock;
  readonly logger?: Logger;
}

/** A string checked without ever quoting it in a failure (passwords, keys). */
const secretString = new t.Type<string, string, unknown>(
  'secret',
  (u): u is string => typeof u === 'string' && u.length > 0,
  (u, c) => (typeof u === 'string' && u.length > 0 ? t.success(u) : t.failure(u, c, 'expected a non-empty string (value not shown)')),
  t.identity,
);

function patternString(name: string, pattern: RegExp, reason: string): t.Type<string, string, unknown> {
  return new t.Type<string, string, unknown>(
    name,
    (u): u is string => typeof u === 'string' && pattern.test(u),
    (u, c) => (typeof u === 'string' && pattern.test(u) ? t.success(u) : t.failure(u, c, `${JSON.stringify(u)} ${reason}`)),
    t.identity,
  );
}

const physicalPort = new t.Type<string, string, unknown>(
  'physicalPort',
  (u): u is string => typeof u === 'string' && parseInterfaceName(u, new Set([u]))?.kind === 'physical',
  (u, c) =>
    typeof u === 'string' && parseInterfaceName(u, new Set([u]))?.kind === 'physical'
      ? t.success(u)
      : t.failure(u, c, `${JSON.stringify(u)} is not a physical port name like 10GE1/0/1 (types GE, 10GE, 25GE, 40GE, 100GE, 400GE)`),
  t.identity,
);

const positive = new t.Type<number, number, unknown>(
  'positiveNumber',
  (u): u is number => typeof u === 'number' && Number.isFinite(u) && u > 0,
  (u, c) => (typeof u === 'number' && Number.isFinite(u) && u > 0 ? t.success(u) : t.failure(u, c, `${String(u)} is not a positive number`)),
  t.identity,
);

function objectWith(name: string, methods: readonly string[]): t.Type<object, object, unknown> {
  const ok = (u: unknown): u is object => typeof u === 'object' && u !== null && methods.every((m) => typeof (u as Record<string, unknown>)[m] === 'function');
  return new t.Type<object, object, unknown>(name, ok, (u, c) => (ok(u) ? t.success(u) : t.failure(u, c, `expected an object with ${methods.join(', ')}`)), t.identity);
}

const UserCodec = struct('HuaweiCeUser', { username: patternString('username', /^[^\s]{1,64}$/, 'is not a user name (1..64 characters, no spaces)'), password: secretString }, { firstLogin: t.boolean });

/** The io-ts codec of {@link HuaweiCeSimulatorOptions}. */
export const HuaweiCeSimulatorOptionsCodec = struct(
  'HuaweiCeSimulatorOptions',
  {},
  {
    hostname: patternString('hostname', /^[\x21-\x7e]{1,64}$/, 'is not a host name (1..64 visible characters, no spaces)'),
    users: t.array(UserCodec),
    ports: t.array(physicalPort),
    model: patternString('model', /^[\x21-\x7e]{1,64}$/, 'is not a model name'),
    vrpVersion: patternString('vrpVersion', /^\d+\.\d+$/, 'is not a VRP version like 8.180'),
    softwareVersion: patternString('softwareVersion', /^[\x21-\x7e]{1,64}$/, 'is not a software version like V200R005C10SPC800'),
    host: patternString('host', /^[\w.:-]{1,255}$/, 'is not a listen address'),
    port: intInRange('port', 0, 65535),
    hostKey: secretString,
    trialScale: positive,
    pageLines: intInRange('pageLines', 0, 512),
    initialConfig: t.array(t.string),
    clock: objectWith('clock', ['now', 'setTimeout', 'clearTimeout']),
    logger: objectWith('logger', ['debug', 'info', 'warn', 'error', 'child']),
  },
);

/**
 * Validates options and applies the defaults.
 *
 * @throws InputError listing every problem with its path (`users[0].username: ...`).
 */
export function resolveHuaweiCeOptions(options: unknown): ResolvedHuaweiCeOptions {
  const o = decodeOrThrow(HuaweiCeSimulatorOptionsCodec, options ?? {}, 'Huawei CE simulator options') as HuaweiCeSimulatorOptions;
  return {
    hostname: o.hostname ?? 'HUAWEI',
    // UNVERIFIED: a commonly documented CE factory password; tests and the demo pass their own users.
    users: o.users ?? [{ username: 'admin', password: 'Huawei@123' }],
    ports: o.ports ?? defaultPorts(),
    model: o.model ?? 'CE6881-48S6CQ',
    vrpVersion: o.vrpVersion ?? '8.180',
    softwareVersion: o.softwareVersion ?? 'V200R005C10SPC800',
    host: o.host ?? '127.0.0.1',
    port: o.port ?? 0,
    ...(o.hostKey !== undefined ? { hostKey: o.hostKey } : {}),
    trialScale: o.trialScale ?? 1,
    pageLines: o.pageLines ?? 24,
    initialConfig: o.initialConfig ?? [],
    ...(o.clock !== undefined ? { clock: o.clock } : {}),
    ...(o.logger !== undefined ? { logger: o.logger } : {}),
  };
}
