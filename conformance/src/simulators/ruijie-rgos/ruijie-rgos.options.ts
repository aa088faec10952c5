/**
 * Options of the Ruijie RGOS simulator and their io-ts validation (every problem reported with its path; passwords
 * and host keys are never echoed in a message).
 *
 * @packageDocumentation
 */
import * as t from 'io-ts';
import { decodeOrThrow, intInRange, struct, withChecks, type Logger } from '@netloom/ports';
import type { Clock } from '../cli-device/datastore';
import { DEFAULT_HOSTNAME, DEFAULT_PAGE_LINES, interfaceTypes, PHYSICAL_NUMBER } from './ruijie-rgos.strings';
import { HOSTNAME, ruijieRgosDefaultPorts } from './ruijie-rgos.values';

/** A user the simulated device accepts. */
export interface RuijieRgosUser {
  readonly username: string;
  /** Compared in constant time; never logged or put in an error. */
  readonly password: string;
  /** Asks the first-login "Do you want to change the password" question after login (netmiko answers `n`). */
  readonly firstLogin?: boolean;
  /** Starts in privileged EXEC (`Ruijie#`) instead of user EXEC (`Ruijie>`). Default false. */
  readonly privileged?: boolean;
}

/** Options of {@link RuijieRgosSimulator}. Every field is optional. */
export interface RuijieRgosSimulatorOptions {
  /** `hostname` and prompt host name. Default `Ruijie`. */
  readonly hostname?: string;
  /** Accepted users. Default one user `admin` / `ruijie` (UNVERIFIED default credentials). */
  readonly users?: readonly RuijieRgosUser[];
  /**
   * Physical ports, named as RGOS shows them: type, one space, number (`TenGigabitEthernet 0/1`). Default
   * `TenGigabitEthernet 0/1..48` and `HundredGigabitEthernet 0/49..56` (see `ruijieRgosPortRange`).
   */
  readonly ports?: readonly string[];
  /** Model for `show version`. Default `RG-S6510-48VS8CQ`. */
  readonly model?: string;
  /** Software version for `show version` and the running-config `version` line. Default `RGOS 11.0(5)B9P59`. */
  readonly version?: string;
  /** The SNMP sysObjectID `show version` reports; must be under Ruijie's enterprise 1.3.6.1.4.1.4881. */
  readonly sysObjectId?: string;
  /** Listen address. Default `127.0.0.1`. */
  readonly host?: string;
  /** Listen port. Default 0 (a free port). */
  readonly port?: number;
  /** SSH host private key (OpenSSH or PEM text); a fresh Ed25519 key when absent. */
  readonly hostKey?: string;
  /** Lines per page before `--More--`. Default 24. */
  readonly pageLines?: number;
  /** Configuration lines (as typed after `configure terminal`) that make up the power-on configuration. */
  readonly initialConfig?: readonly string[];
  /** Time source (tests). Default the real clock. */
  readonly clock?: Clock;
  /** Where the simulator logs (never credentials). Default silent. */
  readonly logger?: Logger;
}

/** The options with defaults applied. */
export interface ResolvedRuijieRgosOptions {
  readonly hostname: string;
  readonly users: readonly RuijieRgosUser[];
  readonly ports: readonly string[];
  readonly model: string;
  readonly version: string;
  readonly sysObjectId: string;
  readonly host: string;
  readonly port: number;
  readonly hostKey?: string;
  readonly pageLines: number;
  readonly initialConfig: readonly string[];
  readonly clock?: Clock;
  readonly logger?: Logger;
}

/** Ruijie's SNMP enterprise prefix (PROTOCOLS §2 and §7.2). */
export const RUIJIE_ENTERPRISE_OID = '1.3.6.1.4.1.4881';

/** A string checked without ever quoting it in a failure (passwords, keys). */
const secretString = new t.Type<string, string, unknown>(
  'secret',
  (u): u is string => typeof u === 'string' && u.length > 0,
  (u, c) => (typeof u === 'string' && u.length > 0 ? t.success(u) : t.failure(u, c, 'expected a non-empty string (value not shown)')),
  t.identity,
);

function patternString(name: string, pattern: RegExp, reason: string): t.Type<string, string, unknown> {
  const ok = (u: unknown): u is string => typeof u === 'string' && pattern.test(u);
  return new t.Type<string, string, unknown>(name, ok, (u, c) => (ok(u) ? t.success(u) : t.failure(u, c, `${JSON.stringify(u)} ${reason}`)), t.identity);
}

const PHYSICAL_TYPES = interfaceTypes.filter((ty) => ty.kind === 'physical').map((ty) => ty.name);

function isPortName(u: unknown): u is string {
  if (typeof u !== 'string') return false;
  const m = /^([A-Za-z]+) (\S+)$/.exec(u);
  return m !== null && PHYSICAL_TYPES.includes(m[1]!) && PHYSICAL_NUMBER.test(m[2]!) && !/(^|\/)0\d/.test(m[2]!);
}

/** A physical port name in RGOS form (UNVERIFIED beyond GigabitEthernet/TenGigabitEthernet `0/1`). */
const portName = new t.Type<string, string, unknown>(
  'portName',
  isPortName,
  (u, c) =>
    isPortName(u)
      ? t.success(u)
      : t.failure(u, c, `${JSON.stringify(u)} is not a physical port name like "TenGigabitEthernet 0/1" (type, one space, slot/port; types ${PHYSICAL_TYPES.join(', ')})`),
  t.identity,
);

/** A port list without duplicates. */
const portList = withChecks(t.array(portName), (ports) =>
  ports.flatMap((p, i) => (ports.indexOf(p) < i ? [{ path: [i], message: `${JSON.stringify(p)} is listed twice`, value: p }] : [])),
);

function objectWith(name: string, methods: readonly string[]): t.Type<object, object, unknown> {
  const ok = (u: unknown): u is object => typeof u === 'object' && u !== null && methods.every((m) => typeof (u as Record<string, unknown>)[m] === 'function');
  return new t.Type<object, object, unknown>(name, ok, (u, c) => (ok(u) ? t.success(u) : t.failure(u, c, `expected an object with ${methods.join(', ')}`)), t.identity);
}

const UserCodec = struct(
  'RuijieRgosUser',
  { username: patternString('username', /^[\x21-\x7e]{1,64}$/, 'is not a user name (1..64 visible characters, no spaces)'), password: secretString },
  { firstLogin: t.boolean, privileged: t.boolean },
);

/** The io-ts codec of {@link RuijieRgosSimulatorOptions}. */
export const RuijieRgosSimulatorOptionsCodec = struct(
  'RuijieRgosSimulatorOptions',
  {},
  {
    hostname: patternString('hostname', HOSTNAME, 'is not a host name (1..63 letters, digits, "_", ".", "-"; starting with a letter or digit)'),
    users: t.array(UserCodec),
    ports: portList,
    model: patternString('model', /^[\x21-\x7e]{1,64}$/, 'is not a model name (1..64 visible characters)'),
    version: patternString('version', /^[\x20-\x7e]{1,64}$/, 'is not a software version (1..64 printable characters)'),
    sysObjectId: patternString('sysObjectId', /^1\.3\.6\.1\.4\.1\.4881(\.\d+)+$/, `is not an OID under Ruijie's enterprise ${RUIJIE_ENTERPRISE_OID}`),
    host: patternString('host', /^[\w.:-]{1,255}$/, 'is not a listen address'),
    port: intInRange('port', 0, 65535),
    hostKey: secretString,
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
 * @example resolveRuijieRgosOptions({ hostname: 'Leaf1' }).ports.length // 56
 */
export function resolveRuijieRgosOptions(options: unknown): ResolvedRuijieRgosOptions {
  const o = decodeOrThrow(RuijieRgosSimulatorOptionsCodec, options ?? {}, 'Ruijie RGOS simulator options') as RuijieRgosSimulatorOptions;
  return {
    hostname: o.hostname ?? DEFAULT_HOSTNAME,
    // UNVERIFIED: default credentials; tests and the demo pass their own users.
    users: o.users ?? [{ username: 'admin', password: 'ruijie' }],
    ports: o.ports ?? ruijieRgosDefaultPorts(),
    // UNVERIFIED: a plausible RGOS data-center leaf model and software version.
    model: o.model ?? 'RG-S6510-48VS8CQ',
    version: o.version ?? 'RGOS 11.0(5)B9P59',
    // UNVERIFIED: the enterprise prefix is a fact (PROTOCOLS §2); the suffix is made up.
    sysObjectId: o.sysObjectId ?? `${RUIJIE_ENTERPRISE_OID}.1.1.10.1.2601`,
    host: o.host ?? '127.0.0.1',
    port: o.port ?? 0,
    ...(o.hostKey !== undefined ? { hostKey: o.hostKey } : {}),
    pageLines: o.pageLines ?? DEFAULT_PAGE_LINES,
    initialConfig: o.initialConfig ?? [],
    ...(o.clock !== undefined ? { clock: o.clock } : {}),
    ...(o.logger !== undefined ? { logger: o.logger } : {}),
  };
}
