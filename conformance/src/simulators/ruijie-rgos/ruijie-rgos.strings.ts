/**
 * Every vendor string of the Ruijie RGOS leaf simulator, in one table: prompts, messages, errors, `show` layouts, and
 * the configuration syntax (what is typed, how it is rendered in `show running-config`, in which order).
 *
 * Facts (PROTOCOLS.md §2, from netmiko's RGOS driver): Cisco-like prompts `Ruijie>` (user EXEC) and `Ruijie#`
 * (privileged EXEC); `enable` is needed before `terminal length 0` / `terminal width 256`; a first-login question
 * containing "Do you want to change the password" is answered `n`; `configure terminal` / `end`; `write` saves without
 * a question; SNMP enterprise 4881. Everything else here is UNVERIFIED. Adapters should detect a refused line by its
 * leading `%` (as netmiko's Cisco-like drivers do), not by a full sentence.
 *
 * ## The syntax the simulator accepts until a lab recording corrects it
 *
 * RGOS's VXLAN/EVPN CLI is not documented in any material available (PROTOCOLS §2). The simulator accepts ONE
 * IOS/NX-OS-like set, chosen as a best guess and kept here so that a recording can correct it in one place. Each
 * line below takes effect at once (immediate apply, like IOS; no candidate, no commit).
 *
 * ```
 * hostname <name>                                   global configuration
 * vlan <1-4094>                                     → (config-vlan)#
 *  name <word, 1-32>
 *  description <text, 1-80>
 *  vxlan vni <1-16777215>                           L2 VNI of the VLAN (one per VLAN, a VNI in one place)
 * vrf definition <name>                             → (config-vrf)#
 *  description <text>
 *  rd <asn:nn | a.b.c.d:nn>                         set once; `no rd` before changing it
 *  vni <1-16777215>                                 L3 VNI of the VRF
 *  route-target import|export|both <rt>             `both` stores an import and an export line
 * interface <type> <number>                         → (config-if-<Type> <number>)#; also joined/abbreviated (`te0/1`)
 *  description <text> / shutdown                    every interface
 *  switchport mode trunk|access                     physical ports (access is the default: no line)
 *  switchport trunk allowed vlan all|none|only <list>|add <list>|remove <list>     physical ports; default all
 *  vrf forwarding <vrf>                             VLAN and Loopback interfaces; removes the IP addresses
 *  ip address <ip> <mask|length> / ip address <ip>/<length>
 *  ipv6 address <ipv6>/<length>
 *  mac-address <H.H.H> / anycast-gateway            VLAN interfaces (distributed anycast gateway)
 *  source-interface <Loopback n>                    interface Nve 1
 *  member vni <vni> [associate-vrf]                 interface Nve 1: L2 VNIs plain, L3 VNIs with associate-vrf
 * no <any of the above>                             removes; `no vlan`, `no vrf definition`, `no interface <virtual>`
 * ```
 *
 * Interface types: GigabitEthernet, TenGigabitEthernet, TwentyFiveGigabitEthernet, FortyGigabitEthernet,
 * HundredGigabitEthernet (physical, from the port inventory), VLAN <1-4094>, Loopback <0-1023>, Nve 1. Names are
 * rendered as `TenGigabitEthernet 0/1` (type, one space, number).
 *
 * @packageDocumentation
 */

// ---------------------------------------------------------------------------------------------------------------
// Prompts and modes

/** Prompts (PROTOCOLS §2: Cisco-like, ending in `>` or `#`). */
export const prompts = {
  /** User EXEC: `Ruijie>`. Source: PROTOCOLS §2 (netmiko). */
  user: (host: string): string => `${host}>`,
  /** Privileged EXEC: `Ruijie#`. Source: PROTOCOLS §2 (netmiko). */
  privileged: (host: string): string => `${host}#`,
  /** Configuration modes: `Ruijie(config)#`, `Ruijie(config-if-VLAN 10)#`. Source: Cisco-like (PROTOCOLS §2). */
  config: (host: string, mode: string): string => `${host}(${mode})#`,
} as const;

/** Mode names inside the configuration prompt's parentheses. */
export const modeNames = {
  global: 'config',
  // UNVERIFIED: seen in public RGOS configuration examples, not in PROTOCOLS.
  vlan: 'config-vlan',
  // UNVERIFIED: IOS-like; RGOS's VRF mode name was not found.
  vrf: 'config-vrf',
  // UNVERIFIED: public RGOS examples show `(config-if-GigabitEthernet 0/1)#` and `(config-if-VLAN 10)#`.
  iface: (name: string): string => `config-if-${name}`,
} as const;

/** The host name a device without `hostname` shows (PROTOCOLS §2: the prompt `Ruijie>`). */
export const DEFAULT_HOSTNAME = 'Ruijie';

// ---------------------------------------------------------------------------------------------------------------
// Interfaces

/** What an interface type is. */
export type InterfaceKind = 'physical' | 'svi' | 'loopback' | 'nve';

/** One interface type: its rendered name, kind, number range (virtual types) and speed (physical types). */
export interface InterfaceType {
  readonly name: string;
  readonly kind: InterfaceKind;
  /** Number range of virtual interfaces. */
  readonly min?: number;
  readonly max?: number;
  /** Speed column of `show interfaces status`. */
  readonly speed?: string;
}

/**
 * Interface types, in `show running-config` order (physical first).
 * UNVERIFIED: the type names beyond GigabitEthernet/TenGigabitEthernet (seen in public RGOS examples), the ranges,
 * and the name `Nve` for the VXLAN tunnel endpoint interface.
 */
export const interfaceTypes: readonly InterfaceType[] = [
  { name: 'GigabitEthernet', kind: 'physical', speed: '1000M' },
  { name: 'TenGigabitEthernet', kind: 'physical', speed: '10G' },
  { name: 'TwentyFiveGigabitEthernet', kind: 'physical', speed: '25G' },
  { name: 'FortyGigabitEthernet', kind: 'physical', speed: '40G' },
  { name: 'HundredGigabitEthernet', kind: 'physical', speed: '100G' },
  { name: 'VLAN', kind: 'svi', min: 1, max: 4094 },
  { name: 'Loopback', kind: 'loopback', min: 0, max: 1023 },
  { name: 'Nve', kind: 'nve', min: 1, max: 1 },
];

/** Physical port numbers: `slot/port` or `unit/slot/port`. UNVERIFIED: the three-level form (stacks). */
export const PHYSICAL_NUMBER = /^\d{1,3}(?:\/\d{1,3}){1,2}$/;

// ---------------------------------------------------------------------------------------------------------------
// Configuration lines as rendered (canonical) and as matched

/**
 * Rendered configuration lines, each with the pattern that recognises it in the tree. Handlers build lines only
 * through this table, so changing a rendering is a one-line edit here.
 * UNVERIFIED: every line except `hostname`, `vlan`, `name`, `interface ...`, `description`, `switchport mode trunk`,
 * `switchport trunk allowed vlan only <list>` and `ip address <ip> <mask>` (seen in public RGOS configurations).
 */
export const lines = {
  hostname: { render: (name: string): string => `hostname ${name}`, match: /^hostname (\S+)$/ },
  vlan: { render: (vlan: number): string => `vlan ${vlan}`, match: /^vlan (\d+)$/ },
  vlanName: { render: (name: string): string => `name ${name}`, match: /^name (\S+)$/ },
  vxlanVni: { render: (vni: number): string => `vxlan vni ${vni}`, match: /^vxlan vni (\d+)$/ },
  vrf: { render: (name: string): string => `vrf definition ${name}`, match: /^vrf definition (\S+)$/ },
  rd: { render: (rd: string): string => `rd ${rd}`, match: /^rd (\S+)$/ },
  vrfVni: { render: (vni: number): string => `vni ${vni}`, match: /^vni (\d+)$/ },
  routeTarget: { render: (dir: 'import' | 'export', rt: string): string => `route-target ${dir} ${rt}`, match: /^route-target (import|export) (\S+)$/ },
  iface: { render: (name: string): string => `interface ${name}`, match: /^interface (.+)$/ },
  description: { render: (text: string): string => `description ${text}`, match: /^description (.*)$/ },
  shutdown: { render: (): string => 'shutdown', match: /^shutdown$/ },
  switchportTrunk: { render: (): string => 'switchport mode trunk', match: /^switchport mode trunk$/ },
  allowedVlans: { render: (list: string): string => `switchport trunk allowed vlan only ${list}`, match: /^switchport trunk allowed vlan (?:only (\S+)|none)$/ },
  // UNVERIFIED: how an empty allowed list is shown (IOS prints `none`).
  allowedNone: { render: (): string => 'switchport trunk allowed vlan none', match: /^switchport trunk allowed vlan none$/ },
  vrfForwarding: { render: (vrf: string): string => `vrf forwarding ${vrf}`, match: /^vrf forwarding (\S+)$/ },
  ipAddress: { render: (ip: string, mask: string): string => `ip address ${ip} ${mask}`, match: /^ip address (\S+) (\S+)$/ },
  ipv6Address: { render: (prefix: string): string => `ipv6 address ${prefix}`, match: /^ipv6 address (\S+)$/ },
  macAddress: { render: (mac: string): string => `mac-address ${mac}`, match: /^mac-address (\S+)$/ },
  anycastGateway: { render: (): string => 'anycast-gateway', match: /^anycast-gateway$/ },
  sourceInterface: { render: (name: string): string => `source-interface ${name}`, match: /^source-interface (.+)$/ },
  memberVni: {
    render: (vni: number, l3: boolean): string => `member vni ${vni}${l3 ? ' associate-vrf' : ''}`,
    match: /^member vni (\d+)( associate-vrf)?$/,
  },
} as const;

/**
 * Sibling order in `show running-config`: the position of a line's pattern in the list of its block (unknown lines
 * last, ties in natural order). Top-level blocks are ordered in `ruijie-rgos.config.ts` (hostname, VLANs, VRFs,
 * interfaces by type and number).
 * UNVERIFIED: RGOS's real order inside each block.
 */
export const childOrder = {
  vlan: [lines.vlanName.match, lines.description.match, lines.vxlanVni.match],
  vrf: [lines.description.match, lines.rd.match, lines.vrfVni.match, /^route-target export /, /^route-target import /],
  iface: [
    lines.description.match,
    lines.switchportTrunk.match,
    lines.allowedVlans.match,
    lines.vrfForwarding.match,
    lines.ipAddress.match,
    lines.ipv6Address.match,
    lines.macAddress.match,
    lines.anycastGateway.match,
    lines.sourceInterface.match,
    lines.memberVni.match,
    lines.shutdown.match,
  ],
} as const;

// ---------------------------------------------------------------------------------------------------------------
// Errors

/** Syntax errors (IOS style). */
export const syntaxErrors = {
  /** Printed under a caret line pointing at the offending word. UNVERIFIED for RGOS (IOS text; brief). */
  invalidInput: "% Invalid input detected at '^' marker.",
  // UNVERIFIED: IOS text, no caret.
  incomplete: '% Incomplete command.',
  // UNVERIFIED: IOS prints the whole line in quotes after two spaces, no caret.
  ambiguous: (line: string): string => `% Ambiguous command:  "${line}"`,
} as const;

/** Formats a semantic error: `% <reason>`. UNVERIFIED: the `% ` prefix for semantic errors on RGOS. */
export function semanticError(reason: string): string {
  return `% ${reason}`;
}

/**
 * Reasons of semantic errors (printed as `% <reason>`). UNVERIFIED: every wording; the conditions are what the
 * simulator enforces (documented in SIMULATORS.md).
 */
export const reasons = {
  vniInUseByVlan: (vni: number, vlan: number): string => `VNI ${vni} is already mapped to VLAN ${vlan}`,
  vniInUseByVrf: (vni: number, vrf: string): string => `VNI ${vni} is already mapped to VRF ${vrf}`,
  vlanHasVni: (vlan: number, vni: number): string => `VLAN ${vlan} is already mapped to VNI ${vni}; remove the mapping first`,
  vrfHasVni: (vrf: string, vni: number): string => `VRF ${vrf} is already mapped to VNI ${vni}; remove the mapping first`,
  vniNotMappedHere: (vni: number): string => `VNI ${vni} is not mapped here`,
  vniIsMember: (vni: number, nve: string): string => `VNI ${vni} is a member of interface ${nve}; remove the member first`,
  vniNotL2: (vni: number): string => `VNI ${vni} is not mapped to a VLAN`,
  vniNotL3: (vni: number): string => `VNI ${vni} is not mapped to a VRF`,
  vlanNotExist: (vlan: number): string => `VLAN ${vlan} does not exist`,
  vrfNotExist: (vrf: string): string => `VRF ${vrf} does not exist`,
  vrfInUse: (vrf: string, iface: string): string => `VRF ${vrf} is in use by interface ${iface}`,
  rdAlreadySet: (rd: string): string => `RD ${rd} is already configured; remove it first`,
  rdNotSet: (rd: string): string => `RD ${rd} is not configured`,
  ifNotExist: (name: string): string => `Interface ${name} does not exist`,
  ifPhysical: (name: string): string => `Physical interface ${name} cannot be removed`,
  ifInUse: (name: string, by: string): string => `Interface ${name} is the source interface of ${by}`,
  notLoopback: (name: string): string => `Interface ${name} is not a loopback interface`,
  badAddress: (ip: string, mask: string): string => `Bad address ${ip} mask ${mask}: not a host address`,
  addressOverlaps: (network: string, other: string): string => `${network} overlaps with ${other}`,
  addressNotConfigured: (ip: string): string => `Address ${ip} is not configured on this interface`,
  modeGone: 'The configuration object of this mode has been removed by another user',
  injectedDefault: 'The configuration failed to take effect',
} as const;

// ---------------------------------------------------------------------------------------------------------------
// Messages and questions

/** Informational output. */
export const messages = {
  // UNVERIFIED: IOS text; also seen after `conf t` in a public RGOS transcript.
  enterConfig: 'Enter configuration commands, one per line.  End with CNTL/Z.',
  // UNVERIFIED: `write` output (netmiko only confirms that `write` asks nothing).
  writeBuilding: 'Building configuration...',
  writeOk: '[OK]',
  // UNVERIFIED: IOS's notice when `vrf forwarding` removes an interface's addresses.
  vrfClearsAddresses: (iface: string, vrf: string): string => `% Interface ${iface} IPv4 disabled and address(es) removed due to enabling VRF ${vrf}`,
  vrfRemovedClearsAddresses: (iface: string, vrf: string): string => `% Interface ${iface} IPv4 disabled and address(es) removed due to disabling VRF ${vrf}`,
  // UNVERIFIED: the simulator never changes passwords.
  passwordUnchanged: '% The password was not changed.',
} as const;

/** Questions that wait for an answer line. */
export const questions = {
  /**
   * Source: PROTOCOLS §2 (netmiko answers `n` to a first-login question containing "Do you want to change the
   * password"). UNVERIFIED: the rest of the line.
   */
  changePassword: 'Do you want to change the password? [Y/N]:',
} as const;

/** The `--More--` pager. UNVERIFIED: IOS-like prompt, erased with backspaces. */
export const pager = {
  prompt: ' --More-- ',
  erase: `${'\b'.repeat(10)}${' '.repeat(10)}${'\b'.repeat(10)}`,
} as const;

/** Lines per page before `--More--` until `terminal length` changes it. UNVERIFIED: the RGOS default. */
export const DEFAULT_PAGE_LINES = 24;

// ---------------------------------------------------------------------------------------------------------------
// show outputs

/** `show` layouts. UNVERIFIED: every layout below is an IOS/RGOS-like best guess; the content is exact. */
export const show = {
  runningHeader: (bytes: number): string[] => ['Building configuration...', `Current configuration : ${bytes} bytes`, ''],
  separator: '!',
  end: 'end',
  versionLine: (version: string): string => `version ${version}`,
  version: (o: { model: string; version: string; sysObjectId: string; startTime: string; uptime: string }): string[] => [
    `System description      : Ruijie Data Center Switch(${o.model}) By Ruijie Networks`,
    `System start time       : ${o.startTime}`,
    `System uptime           : ${o.uptime}`,
    'System hardware version : 1.00',
    `System software version : ${o.version}`,
    'System patch number     : NA',
    'System serial number    : SIM00000001',
    // A simulator addition: the SNMP sysObjectID (enterprise 4881, PROTOCOLS §2) the model would report.
    `System sysObjectID      : ${o.sysObjectId}`,
  ],
  interfacesStatusHeader: [
    'Interface                        Status    Vlan   Duplex   Speed     Type',
    '-------------------------------- --------  ----   -------  --------- ------',
  ],
  interfacesStatusRow: (o: { name: string; status: string; vlan: string; speed: string }): string =>
    `${o.name.padEnd(33)}${o.status.padEnd(10)}${o.vlan.padEnd(7)}${'Full'.padEnd(9)}${o.speed.padEnd(10)}fiber`,
  statusUp: 'up',
  statusDisabled: 'disabled',
  vlanTrunk: 'trunk',
  vxlanSummary: (o: { source: string; nve: string; l2: number; l3: number }): string[] => [
    `VTEP interface          : ${o.nve}`,
    `Source interface        : ${o.source}`,
    `L2 VNI count            : ${o.l2}`,
    `L3 VNI count            : ${o.l3}`,
  ],
  noVtep: 'VXLAN is not configured.',
  vxlanVniHeader: ['VNI        Type  VLAN  VRF                              NVE member', '---------- ----  ----  -------------------------------- ----------'],
  vxlanVniRow: (o: { vni: number; type: 'L2' | 'L3'; vlan: string; vrf: string; member: boolean }): string =>
    `${String(o.vni).padEnd(11)}${o.type.padEnd(6)}${o.vlan.padEnd(6)}${o.vrf.padEnd(33)}${o.member ? 'yes' : 'no'}`,
  none: '-',
} as const;

// ---------------------------------------------------------------------------------------------------------------
// Typed syntax

/**
 * The command syntax per mode, as typed: keys are command ids (statistics count executed lines per id), values the
 * syntaxes that run that command. Words in angle brackets are parameters (their value syntax is in
 * `ruijie-rgos.values.ts`); `{iface}` stands for an interface name, typed as `<type> <number>` (type keyword
 * abbreviable: `te 0/1`) or joined (`te0/1`, `vlan10`, `TenGigabitEthernet0/1`). Keywords are case-insensitive and
 * may be abbreviated to a unique prefix (`conf t`, `sh run`).
 * UNVERIFIED: everything except `enable`, `terminal length 0`, `terminal width 256`, `configure terminal`, `end`,
 * `write` (PROTOCOLS §2) and the Cisco-like basics (`exit`, `disable`, `show running-config`, `show version`).
 */
export const syntax = {
  /** User EXEC (`Ruijie>`). */
  user: {
    enable: ['enable'],
    exit: ['exit', 'logout'],
  },
  /** Privileged EXEC (`Ruijie#`); also reachable from configuration modes with `do`. */
  privileged: {
    disable: ['disable'],
    exit: ['exit', 'logout'],
    configure: ['configure terminal', 'configure'],
    'terminal length': ['terminal length <pageLines>'],
    'terminal width': ['terminal width <width>'],
    write: ['write', 'write memory'],
    'show running-config': ['show running-config'],
    'show running-config interface': ['show running-config interface {iface}'],
  },
  /**
   * `show` commands of every mode (user EXEC included; `show running-config` is privileged). UNVERIFIED: `show`
   * without `do` in configuration modes.
   */
  shows: {
    'show version': ['show version'],
    'show interfaces status': ['show interfaces status'],
    'show vxlan': ['show vxlan'],
    'show vxlan vni': ['show vxlan vni'],
  },
  /** Every configuration mode. */
  configAny: {
    exit: ['exit'],
    end: ['end'],
  },
  /** Global configuration (`Ruijie(config)#`); these also run from sub-modes and move the session there. */
  global: {
    hostname: ['hostname <hostname>'],
    'no hostname': ['no hostname'],
    vlan: ['vlan <vlan>'],
    'no vlan': ['no vlan <vlan>'],
    'vrf definition': ['vrf definition <vrf>'],
    'no vrf definition': ['no vrf definition <vrf>'],
    interface: ['interface {iface}'],
    'no interface': ['no interface {iface}'],
  },
  /** `vlan <n>` mode. */
  vlan: {
    name: ['name <vlanName>'],
    'no name': ['no name', 'no name <vlanName>'],
    description: ['description <text>'],
    'no description': ['no description'],
    'vxlan vni': ['vxlan vni <vni>'],
    'no vxlan vni': ['no vxlan vni', 'no vxlan vni <vni>'],
  },
  /** `vrf definition <name>` mode. */
  vrf: {
    description: ['description <text>'],
    'no description': ['no description'],
    rd: ['rd <rd>'],
    'no rd': ['no rd', 'no rd <rd>'],
    vni: ['vni <vni>'],
    'no vni': ['no vni', 'no vni <vni>'],
    'route-target import': ['route-target import <rt>'],
    'route-target export': ['route-target export <rt>'],
    'route-target both': ['route-target both <rt>'],
    'no route-target import': ['no route-target import <rt>'],
    'no route-target export': ['no route-target export <rt>'],
    'no route-target both': ['no route-target both <rt>'],
  },
  /** Every interface mode. */
  ifaceAny: {
    description: ['description <text>'],
    'no description': ['no description'],
    shutdown: ['shutdown'],
    'no shutdown': ['no shutdown'],
  },
  /** Physical port modes. */
  physical: {
    'switchport mode trunk': ['switchport mode trunk'],
    'switchport mode access': ['switchport mode access'],
    'no switchport mode': ['no switchport mode'],
    'switchport trunk allowed vlan all': ['switchport trunk allowed vlan all'],
    'switchport trunk allowed vlan none': ['switchport trunk allowed vlan none'],
    'switchport trunk allowed vlan only': ['switchport trunk allowed vlan only <vlanList>'],
    'switchport trunk allowed vlan add': ['switchport trunk allowed vlan add <vlanList>'],
    'switchport trunk allowed vlan remove': ['switchport trunk allowed vlan remove <vlanList>'],
    'no switchport trunk allowed vlan': ['no switchport trunk allowed vlan'],
  },
  /** VLAN and Loopback interface modes. */
  routed: {
    'vrf forwarding': ['vrf forwarding <vrf>'],
    'no vrf forwarding': ['no vrf forwarding', 'no vrf forwarding <vrf>'],
    'ip address': ['ip address <ip> <mask>', 'ip address <prefix>'],
    'no ip address': ['no ip address', 'no ip address <ip> <mask>', 'no ip address <prefix>'],
    'ipv6 address': ['ipv6 address <ipv6Prefix>'],
    'no ipv6 address': ['no ipv6 address', 'no ipv6 address <ipv6Prefix>'],
  },
  /** VLAN interface modes only (distributed anycast gateway). */
  svi: {
    'mac-address': ['mac-address <mac>'],
    'no mac-address': ['no mac-address', 'no mac-address <mac>'],
    'anycast-gateway': ['anycast-gateway'],
    'no anycast-gateway': ['no anycast-gateway'],
  },
  /** `interface Nve 1` mode. */
  nve: {
    'source-interface': ['source-interface {iface}'],
    'no source-interface': ['no source-interface', 'no source-interface {iface}'],
    'member vni': ['member vni <vni>'],
    'member vni associate-vrf': ['member vni <vni> associate-vrf'],
    'no member vni': ['no member vni <vni>', 'no member vni <vni> associate-vrf'],
  },
} as const;

/** The prefix that runs a privileged EXEC command from a configuration mode (`do show running-config`). */
export const DO_PREFIX = 'do';

/** Output filters after `|`. UNVERIFIED: RGOS supports the IOS set; `section` prints whole blocks. */
export const pipeFilters = ['include', 'exclude', 'begin', 'section'] as const;
