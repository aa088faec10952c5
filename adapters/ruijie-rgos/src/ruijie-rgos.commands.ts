/**
 * Every RGOS string the adapter sends or recognises, in ONE table: the CLI dialect (prompts, questions, error lines,
 * pager), the session commands (`enable`, `terminal length 0`, `configure terminal`, `end`, `show ...`, `write`), the
 * configuration line templates per device object, how each managed line is removed again (its `no` form), the
 * ownership and lock markers, the device limits, and the patterns that read `show running-config` and `show version`
 * back.
 *
 * ## Why almost everything here is UNVERIFIED
 *
 * PROTOCOLS.md §2: the only RGOS facts in the available public material are netmiko's — Cisco-like prompts ending in
 * `>` / `#`, `enable` before `terminal length 0` / `terminal width 256`, the first-login "Do you want to change the
 * password" question answered `n`, `configure terminal` / `end`, `write` without a question, SNMP enterprise 4881.
 * RGOS's VXLAN/EVPN syntax was not found anywhere. The configuration lines below are the ones the conformance
 * simulator (`@netloom/conformance/simulators`, `ruijie-rgos.strings.ts`) accepts: one IOS/NX-OS-like best guess.
 * Each guess carries `// UNVERIFIED:`. Correct them from a lab recording (README: "Correcting the syntax from a lab
 * recording"): every template, pattern and limit lives here and nowhere else, so a correction is an edit of this file
 * and a re-run of the tests.
 *
 * Templates have `{placeholders}` checked by the type system ({@link Placeholders}): `line(CONFIG.vlan, { vlan })`
 * does not compile without `vlan`. {@link line} checks every value against an allowlist before a line can exist, so
 * no value can carry a space, a quote, a control character or a command separator into the CLI.
 *
 * @packageDocumentation
 */
import { defineDialect, type CliDialect } from '@netloom/cli-session';
import { InputError, describeValue } from '@netloom/ports';

// ---------------------------------------------------------------------------------------------------------------
// Typed templates

/**
 * The placeholder names of a template.
 *
 * @example type P = Placeholders<'route-target {dir} {rt}'> // 'dir' | 'rt'
 */
export type Placeholders<T extends string> = T extends `${string}{${infer P}}${infer Rest}` ? P | Placeholders<Rest> : never;

/** The values a template needs: one per placeholder. */
export type TemplateValues<T extends string> = { readonly [K in Placeholders<T>]: string | number };

/**
 * What a value in a CLI line may look like: one RGOS token (names, numbers, IPv4 addresses and masks, IPv6 prefixes,
 * route distinguishers and targets, `H.H.H` MACs, interface numbers like `0/1`, ISO times). No spaces, quotes,
 * control characters, `|`, `;`, `?`, `!` or `#`.
 */
export const CLI_TOKEN = /^[A-Za-z0-9][A-Za-z0-9._:/-]{0,127}$/;

/**
 * Fills a template. Every value must match {@link CLI_TOKEN} (numbers: non-negative safe integers); anything else is
 * refused with `InputError` before a line exists, so nothing unsafe can be sent.
 *
 * @throws InputError naming the placeholder and the refused value
 * @example line(CONFIG.vlan, { vlan: 100 }) === 'vlan 100'
 */
export function line<T extends string>(template: T, values: TemplateValues<T>): string {
  return template.replace(/\{([A-Za-z0-9]+)\}/g, (_m, name: string) => {
    const v = (values as Readonly<Record<string, string | number | undefined>>)[name];
    if (typeof v === 'number') {
      if (!Number.isSafeInteger(v) || v < 0) throw new InputError(`CLI value {${name}} ${describeValue(v)} is not a non-negative integer`, [{ path: name, reason: 'must be a non-negative integer' }]);
      return String(v);
    }
    if (typeof v !== 'string' || !CLI_TOKEN.test(v)) {
      throw new InputError(`CLI value {${name}} ${describeValue(v)} is not allowed in an RGOS command (letters, digits, '.', '_', ':', '/', '-' only)`, [
        { path: name, reason: `${describeValue(v)} is not an RGOS token` },
      ]);
    }
    return v;
  });
}

/**
 * A template filled WITHOUT the allowlist, for messages only (never sent to a device): error texts then follow the
 * table when the syntax is corrected.
 *
 * @example shown(CONFIG.vlan, { vlan: 100 }) === 'vlan 100'
 */
export function shown<T extends string>(template: T, values: TemplateValues<T>): string {
  return template.replace(/\{([A-Za-z0-9]+)\}/g, (_m, name: string) => String((values as Readonly<Record<string, string | number | undefined>>)[name]));
}

// ---------------------------------------------------------------------------------------------------------------
// Session commands

/** Commands around the configuration lines. */
export const SESSION = {
  /** Source: PROTOCOLS §2 (netmiko). */
  enable: 'enable',
  /** Source: PROTOCOLS §2 (netmiko). */
  terminalLength: 'terminal length 0',
  /** Source: PROTOCOLS §2 (netmiko). */
  terminalWidth: 'terminal width 256',
  /** Source: PROTOCOLS §2 (Cisco-like, netmiko's CiscoBaseConnection). */
  configure: 'configure terminal',
  /** Back to privileged EXEC from any configuration mode. Source: PROTOCOLS §2. */
  end: 'end',
  /** Leaves one configuration mode; in EXEC it logs out. Cisco-like. */
  exit: 'exit',
  /** UNVERIFIED: layout (header, `!` blocks, one space of indentation, `end`). */
  showRunning: 'show running-config',
  /** UNVERIFIED: the `System ... : value` layout. */
  showVersion: 'show version',
  /** Saves running to startup, no question. Source: PROTOCOLS §2 (netmiko save_config). */
  write: 'write',
} as const;

// ---------------------------------------------------------------------------------------------------------------
// The CLI dialect (data for @netloom/cli-session)

/**
 * Every prompt: `Leaf1>` (user EXEC), `Leaf1#` (privileged EXEC), `Leaf1(config)#`, `Leaf1(config-vlan)#`,
 * `Leaf1(config-if-TenGigabitEthernet 0/1)#`. Groups: `host`, `mode` (inside the parentheses), `level` (`>` or `#`).
 * Source: PROTOCOLS §2 (netmiko: Cisco-like, ending in `>` or `#`).
 * UNVERIFIED: the mode names inside the parentheses (`config-vrf`, `config-if-<Type> <n>`).
 */
export const PROMPT = /^(?<view>(?<host>[A-Za-z0-9][A-Za-z0-9_.-]{0,62})(?:\((?<mode>config[^()]*)\))?)(?<level>[>#])$/;

/** `enable` asking for the enable password. UNVERIFIED: the exact text (IOS prints `Password:`). */
export const ENABLE_PASSWORD_QUESTION = /^Password:$/;

/**
 * Informational lines that start with `%` but are no error (they must not fail a command).
 * UNVERIFIED: the IOS notice when `vrf forwarding` removes an interface's addresses.
 */
export const NOTICES: readonly RegExp[] = [/^% ?Interface .+ IPv4 disabled and address\(es\) removed due to (?:enabling|disabling) VRF \S+$/];

/**
 * A refused line: RGOS, like IOS, prints `% ...` (`% Invalid input detected at '^' marker.`, `% Incomplete
 * command.`, `% Ambiguous command: "..."`, `% <reason>`). Matched by the leading `%` only, as netmiko's Cisco-like
 * drivers do, minus the {@link NOTICES}. UNVERIFIED: every wording after the `%`.
 */
export const ERROR_LINE = /^%(?! ?Interface .+ IPv4 disabled and address\(es\) removed due to)/;

/**
 * The RGOS dialect of `@netloom/cli-session` for one device. `enable` runs after login (answered with the enable
 * password when one is given, else with an empty line, which RGOS refuses: the session then stays in user EXEC and
 * the driver reports `DeviceAuthError`), then paging is turned off. `enable` typed in privileged EXEC may be refused
 * as invalid input; its errors are ignored (`checkErrors: false`), the prompt decides.
 *
 * @example const dialect = ruijieRgosDialect({ enablePassword: secret });
 */
export function ruijieRgosDialect(opts: { readonly enablePassword?: string } = {}): CliDialect {
  return defineDialect({
    name: 'ruijie-rgos',
    prompts: [PROMPT],
    postLogin: [
      // Source: PROTOCOLS §2 (netmiko: enable before terminal length/width).
      { command: SESSION.enable, checkErrors: false, answers: [{ pattern: ENABLE_PASSWORD_QUESTION, answer: opts.enablePassword ?? '' }] },
      // In user EXEC (enable refused) these fail; the driver then reports the prompt level, not this error.
      { command: SESSION.terminalLength, checkErrors: false },
      { command: SESSION.terminalWidth, checkErrors: false },
    ],
    errors: [{ pattern: ERROR_LINE }],
    answers: [
      // Source: PROTOCOLS §2 (netmiko answers `n`). UNVERIFIED: the rest of the line.
      { pattern: /change the password.*\[Y\/N\]:?$/i, answer: 'n', phase: 'login' },
    ],
    // UNVERIFIED: IOS-like pager text.
    pager: { pattern: /--More--$/, key: ' ' },
    logout: SESSION.exit,
  });
}

/** The dialect without an enable password (for replays of recorded sessions). */
export const rgosDialect: CliDialect = ruijieRgosDialect();

// ---------------------------------------------------------------------------------------------------------------
// Configuration lines

/** The prefix of every netloom description; `netloom:<key>` marks an object as netloom's. */
export const MARKER_PREFIX = 'netloom:';

/**
 * Configuration lines, one template per line the adapter types (in `configure terminal`). Block lines (`vrf
 * definition`, `vlan`, `interface ...`) enter a mode; the lines after them are typed there, and `exit` leaves it.
 */
export const CONFIG = {
  // vrf (LR)                                        UNVERIFIED: the whole VRF syntax (PROTOCOLS §2 has none).
  vrf: 'vrf definition {name}',
  noVrf: 'no vrf definition {name}',
  vrfDescription: 'description netloom:{key}',
  rd: 'rd {rd}',
  vrfVni: 'vni {vni}',
  routeTargetExport: 'route-target export {rt}',
  routeTargetImport: 'route-target import {rt}',
  // segment (LS): one VLAN per segment, mapped to the L2 VNI   UNVERIFIED: `vxlan vni` under `vlan`.
  vlan: 'vlan {vlan}',
  noVlan: 'no vlan {vlan}',
  segmentDescription: 'description netloom:{key} {name}',
  vxlanVni: 'vxlan vni {vni}',
  // the segment's routed interface (SVI) and anycast gateway   UNVERIFIED: `anycast-gateway`, the `H.H.H` MAC form.
  svi: 'interface VLAN {vlan}',
  noSvi: 'no interface VLAN {vlan}',
  sviDescription: 'description netloom:{key}',
  vrfForwarding: 'vrf forwarding {vrf}',
  ipAddress: 'ip address {ip} {mask}',
  ipv6Address: 'ipv6 address {prefix}',
  macAddress: 'mac-address {mac}',
  anycastGateway: 'anycast-gateway',
  // the VTEP                                         UNVERIFIED: the name `Nve 1` and `member vni [associate-vrf]`.
  nve: 'interface Nve 1',
  memberL2: 'member vni {vni}',
  memberL3: 'member vni {vni} associate-vrf',
  noMember: 'no member vni {vni}',
  // bindings: the segment's VLAN allowed on a node-facing trunk
  /** Physical ports are typed `<Type> <slot>/<port>` (one space). UNVERIFIED beyond (Ten)GigabitEthernet. */
  port: 'interface {type} {number}',
  trunkAdd: 'switchport trunk allowed vlan add {vlan}',
  trunkRemove: 'switchport trunk allowed vlan remove {vlan}',
  // the lock marker (see LOCK)
  lockDescription: 'description netloom-lock until {until}',
  // the underlay: checked, never typed by the adapter (the conformance harness types it into a fresh simulator)
  loopback: 'interface Loopback {n}',
  loopbackAddress: 'ip address {ip} {mask}',
  nveSource: 'source-interface Loopback {n}',
  switchportTrunk: 'switchport mode trunk',
  trunkNone: 'switchport trunk allowed vlan none',
  /** A description as another administrator types it (free text: the harness's foreign objects only). */
  descriptionKeyword: 'description',
} as const;

/**
 * How a managed line inside a block is removed again, in removal order (gateway before its addresses, VNI mappings
 * before route distinguishers). `no` is the removing line; `{1}`, `{2}` stand for the groups of `match`.
 * `replaces: true`: typing a new line of the same kind replaces the old one (no `no` needed when the target has one).
 * Lines of a kind not listed here are never removed on their own (an operator's `shutdown` on a netloom SVI stays);
 * they go with their block. UNVERIFIED: every `no` form (IOS-like; the simulator accepts them).
 */
export const NEGATE: readonly { readonly kind: string; readonly match: RegExp; readonly no: string; readonly replaces?: boolean }[] = [
  { kind: 'anycast-gateway', match: /^anycast-gateway$/, no: 'no anycast-gateway' },
  { kind: 'mac-address', match: /^mac-address (\S+)$/, no: 'no mac-address', replaces: true },
  { kind: 'ipv6 address', match: /^ipv6 address (\S+)$/, no: 'no ipv6 address {1}' },
  { kind: 'ip address', match: /^ip address (\S+) (\S+)$/, no: 'no ip address', replaces: true },
  { kind: 'route-target', match: /^route-target (import|export) (\S+)$/, no: 'no route-target {1} {2}' },
  { kind: 'vxlan vni', match: /^vxlan vni (\d+)$/, no: 'no vxlan vni {1}' },
  { kind: 'vni', match: /^vni (\d+)$/, no: 'no vni {1}' },
  { kind: 'rd', match: /^rd (\S+)$/, no: 'no rd {1}' },
  { kind: 'description', match: /^description (.*)$/, no: 'no description', replaces: true },
];

/**
 * Lines whose removal from a netloom SVI means replacing the SVI (`no interface VLAN <v>`, then typing it again):
 * `vrf forwarding` also removes the interface's addresses, so it is never changed in place.
 * UNVERIFIED: that RGOS clears addresses on `vrf forwarding` (IOS does).
 */
export const SVI_REPLACED_BY: RegExp = /^vrf forwarding (\S+)$/;

// ---------------------------------------------------------------------------------------------------------------
// The lock marker (RGOS has no configuration lock)

/**
 * netloom's own writer lock on an immediate-apply device: a VRF that does nothing (no RD, no VNI, no interface),
 * created while a transaction is open and removed at confirm or rollback. Its name carries the expiry (epoch seconds,
 * base 36) and a random token, so creating it is one atomic line: `vrf definition netloom-lock-<expiry>-<token>`.
 * The description repeats the expiry for people. A marker whose expiry passed is stale and removed by the next
 * netloom writer. UNVERIFIED: VRF names up to 31 characters.
 */
export const LOCK = {
  prefix: 'netloom-lock',
  name: (expiry36: string, token: string): string => `netloom-lock-${expiry36}-${token}`,
  match: /^netloom-lock-([0-9a-z]{1,8})-([0-9a-f]{8})$/,
  description: /^netloom-lock until (\S+)$/,
} as const;

// ---------------------------------------------------------------------------------------------------------------
// Names, limits

/**
 * Physical port types (UNVERIFIED beyond GigabitEthernet/TenGigabitEthernet, seen in public RGOS configurations).
 * netloom writes a port without the space (`TenGigabitEthernet0/1`, an interface name of the port vocabulary); the
 * device shows it with one (`TenGigabitEthernet 0/1`).
 */
export const PHYSICAL_TYPES = ['GigabitEthernet', 'TenGigabitEthernet', 'TwentyFiveGigabitEthernet', 'FortyGigabitEthernet', 'HundredGigabitEthernet'] as const;

/** A port as netloom names it: `TenGigabitEthernet0/1` (type, then `slot/port` or `unit/slot/port`). */
export const MODEL_PORT = new RegExp(`^(${PHYSICAL_TYPES.join('|')})(\\d{1,3}(?:/\\d{1,3}){1,2})$`);
/** A port as the device shows it: `TenGigabitEthernet 0/1`. */
export const DEVICE_PORT = new RegExp(`^(${PHYSICAL_TYPES.join('|')}) (\\d{1,3}(?:/\\d{1,3}){1,2})$`);

/** Device limits. UNVERIFIED: every value (the simulator's). */
export const LIMITS = {
  /** VLAN ids (802.1Q). */
  vlan: { min: 1, max: 4094 },
  /** VNIs: 24 bits. */
  vni: { min: 1, max: 16_777_215 },
  /** VRF names. */
  vrfName: 31,
  /** Descriptions. */
  description: 80,
} as const;

// ---------------------------------------------------------------------------------------------------------------
// Reading show running-config and show version back

/** Patterns of configuration lines as `show running-config` shows them (without indentation). */
export const PARSE = {
  vrf: /^vrf definition (\S+)$/,
  vlan: /^vlan (\d+)$/,
  /** Any interface block (physical ports are told apart with {@link DEVICE_PORT}). */
  iface: /^interface (.+)$/,
  svi: /^interface VLAN (\d+)$/,
  nve: /^interface Nve 1$/,
  physical: DEVICE_PORT,
  description: /^description (.*)$/,
  rd: /^rd (\S+)$/,
  vrfVni: /^vni (\d+)$/,
  routeTarget: /^route-target (import|export) (\S+)$/,
  vxlanVni: /^vxlan vni (\d+)$/,
  vrfForwarding: /^vrf forwarding (\S+)$/,
  ipAddress: /^ip address (\S+) (\S+)$/,
  ipv6Address: /^ipv6 address (\S+)$/,
  macAddress: /^mac-address (\S+)$/,
  anycastGateway: /^anycast-gateway$/,
  member: /^member vni (\d+)( associate-vrf)?$/,
  sourceInterface: /^source-interface (.+)$/,
  switchportTrunk: /^switchport mode trunk$/,
  /** `only <list>` or `none`; no line: every VLAN. UNVERIFIED: `none` for an empty list. */
  trunkAllowed: /^switchport trunk allowed vlan (?:only (\S+)|(none))$/,
  /** A VLAN list: `10,20-22`. */
  vlanList: /^\d+(?:-\d+)?(?:,\d+(?:-\d+)?)*$/,
  /** Marker of a segment's VLAN: `netloom:<l2Vni> <name>`. */
  segmentMarker: /^netloom:(\d+) (\S+)$/,
  /** The `H.H.H` MAC form. UNVERIFIED: that RGOS writes MACs dotted (Cisco form). */
  mac: /^([0-9a-fA-F]{1,4})\.([0-9a-fA-F]{1,4})\.([0-9a-fA-F]{1,4})$/,
  /** Where the configuration starts in `show running-config` (after `Building configuration...` and the size). */
  configStart: /^!$/,
  /** Lines of `show running-config` that are not configuration. */
  skip: /^(!.*|end)$/,
  /** `show version`: `System <key> : <value>` rows. UNVERIFIED layout. */
  versionRow: /^(System [A-Za-z ]+?)\s*:\s*(.*)$/,
  versionKeys: {
    description: 'System description',
    software: 'System software version',
    serial: 'System serial number',
    hardware: 'System hardware version',
    uptime: 'System uptime',
    /** A simulator addition (RGOS may not print it). */
    sysObjectId: 'System sysObjectID',
  },
  /** The model inside `System description : Ruijie ... (RG-S6510-48VS8CQ) By Ruijie Networks`. UNVERIFIED. */
  versionModel: /\(([^()\s]+)\)/,
  /** `write`'s success line. UNVERIFIED (netmiko only says `write` asks nothing). */
  writeOk: /\[OK\]/,
} as const;

/** Ruijie's SNMP enterprise prefix (PROTOCOLS §2 and §7.2). */
export const RUIJIE_SYS_OBJECT_ID = '1.3.6.1.4.1.4881';
