/**
 * Every VRP8 string the adapter sends or recognises, in one table: the CLI dialect (prompts, paging, questions,
 * error lines), the session commands (views, two-stage commit, lock, displays), the configuration line templates
 * per fabric object, the ownership marker, and the patterns that read configuration and `display` output back.
 *
 * Templates have `{placeholders}` checked by the type system ({@link Placeholders}): `line(CONFIG.vxlanVni, { vni })`
 * does not compile without `vni`. {@link line} checks every value against an allowlist before a line can exist, so
 * no value can carry a space, a quote, a control character or a command separator into the CLI.
 *
 * Sources: PROTOCOLS.md §1 (netmiko's VRP8 driver, the Ansible CloudEngine modules, Huawei's CE EVPN example and the
 * VRP8 command reference). Texts marked `UNVERIFIED` come from the simulator's own guesses (its
 * `huawei-ce.strings.ts`) and must be checked on a real CloudEngine before relying on their exact wording; the adapter
 * therefore matches them loosely (`locked by another user`, `Failed to generate committed config`, `^Error`).
 *
 * @packageDocumentation
 */
import { defineDialect } from '@netloom/cli-session';
import { InputError, describeValue } from '@netloom/ports';

// ---------------------------------------------------------------------------------------------------------------
// Typed templates

/**
 * The placeholder names of a template.
 *
 * @example type P = Placeholders<'vpn-target {rt} export-extcommunity evpn'> // 'rt'
 */
export type Placeholders<T extends string> = T extends `${string}{${infer P}}${infer Rest}` ? P | Placeholders<Rest> : never;

/** The values a template needs: one per placeholder. */
export type TemplateValues<T extends string> = { readonly [K in Placeholders<T>]: string | number };

/**
 * What a value in a CLI line may look like: a VRP token (names, numbers, IPv4 addresses and masks, route targets,
 * `H-H-H` MACs, interface names like `10GE1/0/1`, binding keys like `10GE1/0/1:100`). No spaces, quotes, control
 * characters, `|`, `;`, `?` or `#`.
 */
export const CLI_TOKEN = /^[A-Za-z0-9][A-Za-z0-9._:/-]{0,127}$/;

/**
 * Fills a template. Every value must match {@link CLI_TOKEN} (numbers: non-negative safe integers); anything else is
 * refused with `InputError` before a line exists, so nothing unsafe can be sent.
 *
 * @throws InputError naming the placeholder and the refused value
 * @example line(CONFIG.bridgeDomain, { bd: 10010 }) === 'bridge-domain 10010'
 */
export function line<T extends string>(template: T, values: TemplateValues<T>): string {
  return template.replace(/\{([A-Za-z0-9]+)\}/g, (_m, name: string) => {
    const v = (values as Readonly<Record<string, string | number | undefined>>)[name];
    if (typeof v === 'number') {
      if (!Number.isSafeInteger(v) || v < 0) throw new InputError(`CLI value {${name}} ${describeValue(v)} is not a non-negative integer`, [{ path: name, reason: 'must be a non-negative integer' }]);
      return String(v);
    }
    if (typeof v !== 'string' || !CLI_TOKEN.test(v)) {
      throw new InputError(`CLI value {${name}} ${describeValue(v)} is not allowed in a VRP command (letters, digits, '.', '_', ':', '/', '-' only)`, [
        { path: name, reason: `${describeValue(v)} is not a VRP token` },
      ]);
    }
    return v;
  });
}

// ---------------------------------------------------------------------------------------------------------------
// The CLI dialect (data for @netloom/cli-session)

/** The prompt of the user view, `<Leaf1>`. */
export const USER_PROMPT = /^<(?<view>[^<>\s]+)>$/;
/** The prompt of the system view and its sub-views: `[~Leaf1]`, `[*Leaf1-bd10]` (`*`: uncommitted changes). */
export const SYSTEM_PROMPT = /^\[(?<state>[~*])?(?<view>[^[\]\s]+)\]$/;

/**
 * The VRP8 dialect of `@netloom/cli-session`. Error lines: a configuration lock or another session's trial →
 * `CliLockedError` (a `LockedError`); the commit failure netmiko looks for → `CliCommitError`; any other `Error:`
 * line → `CliCommandError`. Questions: the first-login password change is declined, `[Y/N]` (`abort trial`) is
 * confirmed, and the "uncommitted configurations" question of `return`/`quit` is answered `n` (discard): netloom
 * never commits implicitly.
 */
export const vrp8Dialect = defineDialect({
  name: 'huawei-vrp8',
  prompts: [USER_PROMPT, SYSTEM_PROMPT],
  postLogin: ['screen-length 0 temporary'],
  errors: [
    // UNVERIFIED: lock and trial texts (simulator guesses); matched loosely.
    { pattern: /locked by another user/i, kind: 'locked' },
    { pattern: /trial configuration of another user is running/i, kind: 'locked' },
    { pattern: /Failed to generate committed config/, kind: 'commit' },
    { pattern: /^(% ?)?Error(\[\d+\])?:/ },
  ],
  answers: [
    { pattern: /Change now\?\s*\[Y\/N\]:?$/i, answer: 'N', phase: 'login' },
    // UNVERIFIED: the wording of the uncommitted-changes question.
    { pattern: /\[Y\(yes\)\/N\(no\)\/C\(cancel\)\]:?$/i, answer: 'n', phase: 'command' },
    { pattern: /\[Y\/N\]:?$/i, answer: 'y', phase: 'command' },
  ],
  // eslint-disable-next-line no-control-regex -- Huawei's " ESC[1D" echo junk is a control sequence
  cleanup: [{ pattern: / \x1b\[1D/g }],
  pager: { pattern: /---- More ----$/, key: ' ' },
  logout: 'quit',
});

// ---------------------------------------------------------------------------------------------------------------
// Session commands

/** Commands around the configuration lines: views, the two-stage commit, the lock, the displays. */
export const SESSION = {
  systemView: 'system-view',
  /** Back to the user view from any view (the candidate must be clean, or the question is answered `n`). */
  returnToUser: 'return',
  /** Leaves one view. */
  quit: 'quit',
  /** Takes the exclusive configuration lock (any view): others may edit but not commit. */
  lock: 'configuration exclusive',
  unlock: 'undo configuration exclusive',
  displayVersion: 'display version',
  displayRunning: 'display current-configuration',
  /** The pending candidate as `+`/`-` lines with unchanged parents as context. UNVERIFIED: exact layout. */
  displayCandidateChanges: 'display configuration candidate changes',
  /** Discards the candidate and goes back to the system view. */
  clearCandidate: 'clear configuration candidate',
  displayCommitList: 'display configuration commit list',
  /** Commits and arms the automatic rollback (confirmed by `commit` in the same session). */
  commitTrial: 'commit trial {seconds}',
  commit: 'commit',
  /** Rolls the pending trial back now (asks `[Y/N]`). */
  abortTrial: 'abort trial',
  /** User view: running becomes the configuration right after commit `id`. */
  rollbackToCommit: 'rollback configuration to commit-id {id}',
  /** User view: running becomes the configuration before the last `n` commits. */
  rollbackLast: 'rollback configuration last {n}',
} as const;

/** `commit trial` limits (PROTOCOLS §1.2: default 600, range 60–65535). */
export const TRIAL_SECONDS = { min: 60, max: 65535 } as const;

// ---------------------------------------------------------------------------------------------------------------
// Configuration lines

/** The prefix of every netloom description; `netloom:<key>` marks an object as netloom's. */
export const MARKER_PREFIX = 'netloom:';

/**
 * Configuration lines, one template per line the adapter types. View lines (`ip vpn-instance`, `bridge-domain`,
 * `evpn`, `ipv4-family`, `interface ...`) open the view the lines after them are typed in.
 */
export const CONFIG = {
  // vrf
  vpnInstance: 'ip vpn-instance {name}',
  undoVpnInstance: 'undo ip vpn-instance {name}',
  vrfDescription: 'description netloom:{key}',
  ipv4Family: 'ipv4-family',
  routeDistinguisher: 'route-distinguisher {rd}',
  vrfExportTarget: 'vpn-target {rt} export-extcommunity evpn',
  vrfImportTarget: 'vpn-target {rt} import-extcommunity evpn',
  undoVrfExportTarget: 'undo vpn-target {rt} export-extcommunity evpn',
  undoVrfImportTarget: 'undo vpn-target {rt} import-extcommunity evpn',
  vxlanVni: 'vxlan vni {vni}',
  undoVxlanVni: 'undo vxlan vni {vni}',
  // segment
  bridgeDomain: 'bridge-domain {bd}',
  undoBridgeDomain: 'undo bridge-domain {bd}',
  segmentDescription: 'description netloom:{key} {name}',
  bdEvpn: 'evpn',
  bdExportTarget: 'vpn-target {rt} export-extcommunity',
  bdImportTarget: 'vpn-target {rt} import-extcommunity',
  vbdif: 'interface Vbdif{bd}',
  undoVbdif: 'undo interface Vbdif{bd}',
  gatewayDescription: 'description netloom:{key}',
  ipBinding: 'ip binding vpn-instance {vrf}',
  ipAddress: 'ip address {ip} {mask}',
  undoIpAddress: 'undo ip address',
  macAddress: 'mac-address {mac}',
  undoMacAddress: 'undo mac-address',
  anycastGateway: 'vxlan anycast-gateway enable',
  undoAnycastGateway: 'undo vxlan anycast-gateway enable',
  nve: 'interface Nve1',
  nvePeerListBgp: 'vni {vni} head-end peer-list protocol bgp',
  undoNvePeerListBgp: 'undo vni {vni} head-end peer-list protocol bgp',
  // floodVtep: static ingress replication, one remote VTEP per line (the command takes 1–10). Source: Huawei's
  // `vni head-end peer-list` command reference (VRP8 NVE interface view) and [cn.ce] ce_vxlan_tunnel.py.
  // NOTE: UNVERIFIED on CE whether a static list and `protocol bgp` coexist for one VNI (the reference warns that
  // other configurations of the same VNI are overwritten): with `ingressReplication: true`, check on a lab device.
  nvePeerListStatic: 'vni {vni} head-end peer-list {ip}',
  undoNvePeerListStatic: 'undo vni {vni} head-end peer-list {ip}',
  // binding
  l2Subinterface: 'interface {port}.{sub} mode l2',
  undoSubinterface: 'undo interface {port}.{sub}',
  bindingDescription: 'description netloom:{key}',
  dot1q: 'encapsulation dot1q vid {vlan}',
  subifBridgeDomain: 'bridge-domain {bd}',
  undoSubifBridgeDomain: 'undo bridge-domain',
  // the underlay (checked, never typed by the adapter; the conformance harness types it into a fresh simulator)
  evpnOverlay: 'evpn-overlay enable',
  nveSource: 'source {ip}',
  /** A description as another administrator writes it (free text: the harness's foreign objects only). */
  descriptionKeyword: 'description',
} as const;

/**
 * CloudEngine interface names a binding may use: physical ports (`10GE1/0/1`, `100GE1/0/2`, types GE … 400GE) and
 * Eth-Trunks (`Eth-Trunk1`; UNVERIFIED: not exercised by the simulator).
 */
export const CE_INTERFACE = /^(?:(?:GE|10GE|25GE|40GE|100GE|400GE)\d+(?:\/\d+){1,2}|Eth-Trunk\d{1,4})$/;

/** VNIs a CloudEngine accepts (PROTOCOLS §1.3: 1–16000000 per the Ansible CE modules). */
export const CE_VNI = { min: 1, max: 16_000_000 } as const;
/** Bridge-domain ids (PROTOCOLS §1.3). */
export const CE_BD = { min: 1, max: 16_777_215 } as const;
/** VPN instance names: at most 31 characters (VRP; UNVERIFIED on CE). */
export const CE_VPN_NAME_MAX = 31;
/** Bridge-domain descriptions: at most 80 characters (UNVERIFIED; the simulator's limit). */
export const CE_BD_DESCRIPTION_MAX = 80;

// ---------------------------------------------------------------------------------------------------------------
// Reading configuration and display output back

/** Patterns of configuration lines (as `display current-configuration` renders them, without indentation). */
export const PARSE = {
  vpnInstance: /^ip vpn-instance (\S+)$/,
  bridgeDomain: /^bridge-domain (\d+)$/,
  vbdif: /^interface Vbdif(\d+)$/,
  l2Subinterface: /^interface (\S+)\.(\d+) mode l2$/,
  nve: /^interface Nve1$/,
  description: /^description (.*)$/,
  vxlanVni: /^vxlan vni (\d+)$/,
  ipv4Family: /^ipv4-family$/,
  vrfTarget: /^vpn-target (\S+) (export|import)-extcommunity evpn$/,
  bdEvpn: /^evpn$/,
  ipBinding: /^ip binding vpn-instance (\S+)$/,
  ipAddress: /^ip address (\S+) (\S+)$/,
  macAddress: /^mac-address (\S+)$/,
  anycastGateway: /^vxlan anycast-gateway enable$/,
  dot1q: /^encapsulation dot1q vid (\d+)$/,
  subifBridgeDomain: /^bridge-domain (\d+)$/,
  nvePeerListBgp: /^vni (\d+) head-end peer-list protocol bgp$/,
  /** Static peers; one or more IPv4 addresses (UNVERIFIED: whether `display` groups several peers on one line). */
  nvePeerListStatic: /^vni (\d+) head-end peer-list ((?:\d{1,3}\.){3}\d{1,3}(?: (?:\d{1,3}\.){3}\d{1,3})*)$/,
  evpnOverlay: /^evpn-overlay enable$/,
  /** Marker of a segment's bridge domain: `netloom:<l2Vni> <name>`. */
  segmentMarker: /^netloom:(\d+) (\S+)$/,
  /** Lines of `display current-configuration` that are not configuration (header, separators, end). */
  skip: /^(!.*|#|return)$/,
  /** One line of `display configuration candidate changes`: a sign, then the indented configuration line. */
  candidateChange: /^([+\- ])( *)(\S.*)$/,
  /** `display version`: `VRP (R) software, Version 8.180 (CE6881 V200R005C10SPC800)`. UNVERIFIED layout. */
  versionVrp: /^VRP \(R\) software, Version (\S+) \((\S+) (\S+)\)$/,
  /** `display version`: `HUAWEI CE6881-48S6CQ uptime is 0 days, 1 hours, 2 minutes`. UNVERIFIED layout. */
  versionModel: /^HUAWEI (\S+) uptime is (.+)$/,
  /** A row of `display configuration commit list`: number, commit id, label, user, type, time. UNVERIFIED layout. */
  commitRow: /^\s*(\d+)\s+(\d{10})\s+(\S+)\s+(\S+)\s+(\S+)\s+(.+?)\s*$/,
  /** The answer of `display configuration commit list` before any commit. */
  noCommits: /^Info: No commit record exists\.?$/,
  /** `abort trial` without a pending trial. UNVERIFIED text. */
  noTrial: /No trial configuration exists/i,
} as const;
