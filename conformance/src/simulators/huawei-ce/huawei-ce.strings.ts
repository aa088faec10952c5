/**
 * Every vendor string the Huawei CloudEngine (VRP8) simulator prints, in one table.
 *
 * Sources are PROTOCOLS.md §1 (which cites netmiko, the Ansible CE modules and Huawei's VRP8 command reference).
 * Texts that could not be confirmed there are marked `// UNVERIFIED:` and listed in the simulators README: check
 * them against a real device (or a captured transcript) before an adapter relies on their exact wording. Adapters
 * should detect failures by the `Error:` prefix (as netmiko and the Ansible CE terminal plugin do), not by a full
 * sentence.
 *
 * @packageDocumentation
 */

/** Prompts (PROTOCOLS §1.1). */
export const prompts = {
  /** User view: `<HUAWEI>`. */
  user: (host: string): string => `<${host}>`,
  /**
   * System view and sub-views in two-stage mode: `[~HUAWEI]` (no uncommitted change) or `[*HUAWEI]`; a sub-view
   * appends `-<view>` (`[*Leaf1-bd10-evpn]`).
   */
  system: (host: string, dirty: boolean, view: string): string => `[${dirty ? '*' : '~'}${host}${view === '' ? '' : `-${view}`}]`,
} as const;

/** View names as they appear in prompts (PROTOCOLS §1.1 sub-view prompts). */
export const viewNames = {
  bd: (bd: number): string => `bd${bd}`,
  bdEvpn: (bd: number): string => `bd${bd}-evpn`,
  vpnInstance: (name: string): string => `vpn-instance-${name}`,
  vpnInstanceAf: (name: string): string => `vpn-instance-${name}-af-ipv4`,
  /** Interfaces use their name: `Vbdif10`, `100GE1/0/2.1`, `Nve1`. */
  iface: (name: string): string => name,
} as const;

/** Syntax errors: a caret line under the offending word, then one of these. */
export const syntaxErrors = {
  /** Source: PROTOCOLS §1.1 (Ansible CE error regexes), public scrapli/netmiko platform definitions. */
  unrecognized: "Error: Unrecognized command found at '^' position.",
  incomplete: "Error: Incomplete command found at '^' position.",
  /** Source: public scrapli VRP platform definition (`Error: Wrong parameter`). */
  wrongParameter: "Error: Wrong parameter found at '^' position.",
  // UNVERIFIED: exact text; scrapli lists "Error:Ambiguous command" (no space) for older VRP.
  ambiguous: "Error: Ambiguous command found at '^' position.",
} as const;

/** Formats a semantic error: `Error: <reason>.` */
export function semanticError(reason: string): string {
  return `Error: ${reason}.`;
}

/**
 * Reasons for semantic errors (printed as `Error: <reason>.`, and inside commit failures).
 * UNVERIFIED: every wording in this object is a VRP-style guess; the conditions are what the simulator enforces.
 */
export const reasons = {
  vniBoundToOtherBd: (vni: number, bd: number): string => `The VNI ${vni} has been bound to BD ${bd}`,
  vniBoundToVpn: (vni: number, vpn: string): string => `The VNI ${vni} has been bound to VPN instance ${vpn}`,
  bdHasOtherVni: (vni: number): string => `The BD has been bound to VNI ${vni}. Delete the binding first`,
  vpnHasOtherVni: (vni: number): string => `The VPN instance has been bound to VNI ${vni}. Delete the binding first`,
  vniNotBound: (vni: number): string => `The VNI ${vni} is not bound here`,
  vniNotExist: (vni: number): string => `The VNI ${vni} does not exist. Bind it to a BD first`,
  vniInUseByNve: (vni: number): string => `The VNI ${vni} is being used by the NVE interface. Delete it from the NVE interface first`,
  bdNotExist: (bd: number): string => `The BD ${bd} does not exist`,
  bdInUse: (bd: number, by: string): string => `The BD ${bd} is being used by ${by}. Delete the reference first`,
  evpnOverlayDisabled: 'EVPN overlay is not enabled. Run the evpn-overlay enable command first',
  evpnOverlayInUse: 'EVPN is configured in a BD. Delete the BD EVPN configuration first',
  rdAlreadySet: (rd: string): string => `The RD ${rd} has been configured. Delete it first`,
  rdNotSet: 'The RD does not exist',
  rdFirst: 'Configure an RD first',
  rdInUse: 'VPN targets are configured. Delete them before the RD',
  vpnTargetNotExist: 'The VPN target does not exist',
  vpnNotExist: (name: string): string => `The VPN instance ${name} does not exist`,
  vpnInUse: (name: string, by: string): string => `The VPN instance ${name} is being used by ${by}. Delete the reference first`,
  vpnAfInUse: 'The address family has an RD or VPN targets. Delete them first',
  ifNotExist: (name: string): string => `The interface ${name} does not exist`,
  ifNotDeletable: (name: string): string => `The physical interface ${name} cannot be deleted`,
  ifInUse: (name: string, by: string): string => `The interface ${name} is being used by ${by}. Delete the reference first`,
  subIfNeedsL2: 'The main interface works in Layer 2 mode. Create the sub-interface with the mode l2 parameter',
  subIfModeMismatch: (name: string): string => `The interface ${name} already exists in another mode`,
  vlanInUse: (vlan: number, other: string): string => `The VLAN ${vlan} has been used by sub-interface ${other}`,
  encapNotConfigured: 'The encapsulation type is not configured',
  bdNotBound: 'The interface is not bound to a BD',
  ipInvalid: 'The specified IP address is invalid',
  ipConflict: (other: string): string => `The specified IP address conflicts with the address of interface ${other}`,
  ipNotConfigured: 'The IP address does not exist',
  bindingNotExist: 'The interface is not bound to this VPN instance',
  sourceNotConfigured: 'The source address is not configured',
  macInvalid: 'The MAC address is invalid',
  notConfigured: 'The configuration does not exist',
  viewGone: 'The view has been deleted by another user',
  injectedDefault: 'The configuration failed to be delivered to the service module',
} as const;

/** Informational messages. */
export const infos = {
  /** Source: PROTOCOLS §1.1 (`screen-length 0 temporary`); the text itself: UNVERIFIED. */
  screenLength: 'Info: The configuration takes effect on the current user terminal interface only.',
  // UNVERIFIED: printed when `ip binding vpn-instance` removes the interface's IP configuration.
  bindingClearsIp: 'Info: All IPv4 related configurations on this interface are removed.',
  /**
   * Source: NE8000 VRP8 command reference example of `commit trial 120` (PROTOCOLS §1.2 CfgTrial page).
   */
  trialStarted: (seconds: number): string =>
    `Info: The system enters the trial configuration mode. The system will revert to previous configuration if the trial configuration is not confirmed in ${seconds} seconds.`,
  // UNVERIFIED: save progress and result lines.
  saving: 'Now saving the current configuration to the slot 1.',
  saved: 'Info: Save the configuration successfully.',
  /** Source: VRP8 configuration guide example (`system-view` in the NE8000 VRP8 user guide, PROTOCOLS §1.1). */
  enterSystemView: 'Enter system view, return user view with return command.',
  // UNVERIFIED: rollback result line.
  rolledBack: 'Info: Succeeded in rolling back the configuration.',
  // UNVERIFIED: first lines after login (VTY user counts and login time).
  loginBanner: (vtyUsers: number, now: string): string[] => [
    `Info: The max number of VTY users is 21, the number of current VTY users online is ${vtyUsers}, and total number of terminal users online is ${vtyUsers}.`,
    `      The current login time is ${now}.`,
  ],
} as const;

/** Questions that wait for an answer line. */
export const questions = {
  /** The brief's text for `return`/`quit` with uncommitted changes. UNVERIFIED: exact wording and placement. */
  uncommitted: 'Uncommitted configurations found. Are you sure to commit them before exiting? [Y(yes)/N(no)/C(cancel)]:',
  /** Source: PROTOCOLS §1.2 (`save` asks `[Y/N]`, netmiko answers `y`); the sentence: UNVERIFIED. */
  save: 'Warning: The current configuration will be written to the device. Continue? [Y/N]:',
  // UNVERIFIED: `abort trial` confirmation (the VRP8 example output starts with "Warning: The trial conf...").
  abortTrial: 'Warning: The trial configuration will be rolled back. Continue? [Y/N]:',
  /** Source: PROTOCOLS §1.1 (netmiko answers `N` to a first-login password change question); text UNVERIFIED. */
  changePassword: 'Warning: The password has not been changed since the first login. Change now? [Y/N]:',
} as const;

/** Commit and lock errors. */
export const commitErrors = {
  /**
   * Source: PROTOCOLS §1.2 — netmiko's VRP8 driver looks for "Failed to generate committed config". The rest of the
   * line (the reason) is UNVERIFIED.
   */
  failed: (reason: string): string => `Error: Failed to generate committed config. ${reason}.`,
  // UNVERIFIED: commit refused because another session holds `configuration exclusive`.
  locked: (user: string, sessionId: number): string => `Error: The configuration is locked by another user (user ${user}, session ${sessionId}).`,
  // UNVERIFIED: `configuration exclusive` when another session holds the lock.
  lockHeld: (user: string, sessionId: number): string => `Error: The configuration has been locked by another user (user ${user}, session ${sessionId}).`,
  // UNVERIFIED: `undo configuration exclusive` by a session that does not hold the lock.
  notLockOwner: 'Error: The configuration is not locked by the current user.',
  // UNVERIFIED: a commit while another session's trial commit waits for confirmation.
  trialBusy: (user: string, sessionId: number): string =>
    `Error: A trial configuration of another user is running (user ${user}, session ${sessionId}). Wait until it is confirmed or rolled back.`,
  // UNVERIFIED: `commit trial` while this session's own trial runs.
  trialRunning: 'Error: The system is already in the trial configuration mode. Confirm or abort the trial first.',
  // UNVERIFIED: `abort trial` without a pending trial.
  noTrial: 'Error: No trial configuration exists.',
  // UNVERIFIED: duplicate commit label.
  labelExists: (label: string): string => `Error: The label ${label} already exists.`,
  // UNVERIFIED: invalid label (must not start with a digit or be "-"; from the VRP8 commit reference).
  labelInvalid: 'Error: The label cannot start with a digit or be a hyphen (-).',
  // UNVERIFIED: rollback to an id or label that is not in the commit list.
  unknownCommit: 'Error: The specified rollback point does not exist.',
} as const;

/** The `--More--` pager (PROTOCOLS §1.1: netmiko strips Huawei's cursor sequences). */
export const pager = {
  // UNVERIFIED: exact spacing of the pager prompt.
  prompt: '  ---- More ----',
  // UNVERIFIED: VRP erases the pager prompt with cursor-left sequences; netmiko strips `ESC[<n>D`.
  erase: '\x1b[16D                \x1b[16D',
} as const;

/** `display` output building blocks. UNVERIFIED: every layout below is a VRP-like best guess. */
export const display = {
  softwareVersionLine: (softwareVersion: string): string => `!Software Version ${softwareVersion}`,
  lastUpdatedLine: (time: string, user: string): string => `!Last configuration was updated at ${time} by ${user}`,
  configSeparator: '#',
  configEnd: 'return',
  version: (o: { vrpVersion: string; series: string; softwareVersion: string; model: string; uptime: string }): string[] => [
    'Huawei Versatile Routing Platform Software',
    `VRP (R) software, Version ${o.vrpVersion} (${o.series} ${o.softwareVersion})`,
    'Copyright (C) 2012-2024 Huawei Technologies Co., Ltd.',
    `HUAWEI ${o.model} uptime is ${o.uptime}`,
  ],
  bridgeDomainHeader: (count: number): string[] => [
    `The total number of bridge-domains is : ${count}`,
    '--------------------------------------------------------------------------------',
    'MAC_LRN: MAC learning;  STAT: Statistics;  SPLIT: Split-horizon;',
    'BC: Broadcast;  MC: Unknown multicast;  UC: Unknown unicast;',
    '*down: Administratively down;  FWD: Forward;  DSD: Discard;',
    '--------------------------------------------------------------------------------',
    '',
    'BDID     State MAC-LRN STAT    BC  MC  UC  SPLIT   Description',
    '--------------------------------------------------------------------------------',
  ],
  vxlanVniHeader: (count: number): string[] => [`Number of vxlan vni : ${count}`, 'VNI            BD-ID            State', '---------------------------------------'],
  vxlanTunnelHeader: (count: number): string[] => [
    `Number of vxlan tunnel : ${count}`,
    'Tunnel ID   Source           Destination      State  Type     Uptime',
    '---------------------------------------------------------------------',
  ],
  interfaceBriefHeader: [
    'PHY: Physical',
    '*down: administratively down',
    '^down: standby',
    '(l): loopback',
    '(s): spoofing',
    '(E): E-Trunk down',
    '(b): BFD down',
    '(B): Bit-error-detection down',
    '(e): ETHOAM down',
    '(d): Dampening Suppressed',
    '(p): port alarm down',
    '(ld): loop-detect trigger down',
    '(mf): mac-flapping blocked',
    '(c): CFM down',
    '(sd): STP instance discarding',
    'InUti/OutUti: input utility rate/output utility rate',
    'Interface                     PHY      Protocol  InUti OutUti   inErrors  outErrors',
  ],
  commitListHeader: ['Config commit list:', ' No.  CommitId      Label                 User            Type         TimeStamp', ' ------------------------------------------------------------------------------------'],
  noCommits: 'Info: No commit record exists.',
} as const;
