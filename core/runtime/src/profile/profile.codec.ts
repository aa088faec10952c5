/**
 * The deployment profile (ARCHITECTURE §7): its io-ts codec and the types it decodes to.
 *
 * The codec checks every field on its own (types, ranges, formats, unknown keys) and fills in defaults. Checks
 * that involve several fields (references between sections, overlaps, uniqueness) are in `profile.checks.ts`;
 * loading, path resolution and warnings are in `profile.loader.ts`. The reference for authors is docs/profile.md.
 *
 * @packageDocumentation
 */
import * as t from 'io-ts';
import { isIpv4, isIpv6, isSafeName, parseIp, tryParseCidr, parseCidr, parseIpRange, VNI_MAX, VNI_MIN, VLAN_MAX, VLAN_MIN } from '@netloom/domain';
import type { PortKind } from '@netloom/ports';
import {
  anything,
  bool,
  defaultedStruct,
  describe,
  describeKind,
  intIn,
  leaf,
  listOf,
  literal,
  oneOf,
  patterned,
  struct,
  text,
  withDefault,
  type RelativeProblem,
} from './codec-kit';
import { closest } from './suggest';

/** The profile format version this runtime reads. */
export const PROFILE_API_VERSION = 'netloom.io/v1alpha1';

/** Default store: the embedded sqlite adapter, a file next to the profile. */
export const DEFAULT_STORE_ADAPTER = '@netloom/adapter-sqlite';
/** Default sqlite file, relative to the profile's directory. */
export const DEFAULT_STORE_PATH = '.netloom/state.db';

/** The intent plugins this build ships; a profile without `plugins` enables all of them. */
export const DEFAULT_PLUGINS = ['kubernetes', 'service-lb', 'vpc-peering', 'security-groups'] as const;
/** The plugins of ARCHITECTURE §3 (a name outside this list is a warning, not an error). */
export const KNOWN_PLUGINS = ['kubernetes', 'service-lb', 'vpc-peering', 'security-groups', 'qos', 'lldp-discovery'] as const;

/** Device roles in the inventory. */
export const DEVICE_ROLES = ['leaf', 'vswitch', 'firewall', 'loadBalancer', 'discovery', 'router'] as const;
/** A device's role: which part of the network it plays. */
export type DeviceRole = (typeof DEVICE_ROLES)[number];

/** The port an adapter must provide for a device of each role. */
export const ROLE_PORT = {
  leaf: 'fabric',
  vswitch: 'vswitch',
  firewall: 'firewall',
  loadBalancer: 'loadBalancer',
  discovery: 'discovery',
  router: 'fabric',
} as const satisfies Record<DeviceRole, PortKind>;

/** Overlay modes (ARCHITECTURE §2). */
export const OVERLAY_MODES = ['network', 'host', 'hybrid'] as const;
export type OverlayMode = (typeof OVERLAY_MODES)[number];

// ---------------------------------------------------------------------------------------------------------------
// Leaf values

/** Safe object names (the allowlist of @netloom/domain). */
const safeName = leaf('name', (u) => {
  if (typeof u !== 'string') return { ok: false, reason: `expected a name, got ${describe(u)}` };
  if (!isSafeName(u)) return { ok: false, reason: `${describe(u)} is not allowed: use 1-63 letters, digits, '.', '_' or '-', starting with a letter or digit` };
  return { ok: true, value: u };
});

const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
/** Kubernetes node names (DNS-1123 subdomains). */
const nodeName = leaf('node name', (u) => {
  if (typeof u !== 'string') return { ok: false, reason: `expected a node name, got ${describe(u)}` };
  if (u.length > 253 || !DNS_SUBDOMAIN.test(u)) return { ok: false, reason: `${describe(u)} is not a Kubernetes node name (lower-case letters, digits, '-' and '.')` };
  return { ok: true, value: u };
});

const INTERFACE = /^[A-Za-z0-9][A-Za-z0-9/._:-]{0,63}$/;
/** Switch interface names (`Eth1/1`, `10GE1/0/1`, `swp3`). */
const interfaceName = patterned('interface name', INTERFACE, "an interface name (letters, digits, '/', '.', ':', '_', '-')");

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const PACKAGE_NAME = /^(@[a-z0-9][a-z0-9._~-]*\/)?[a-z0-9][a-z0-9._~-]*$/;
const PLUGIN_NAME = /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/;
const FINGERPRINT = /^SHA256:[A-Za-z0-9+/]{43}=?$/;
const HOST_LABEL = /^[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/;

/** True if `spec` is a path (`./x`, `../x`, `/x`) rather than a package name. */
export function isPathSpecifier(spec: string): boolean {
  return spec.startsWith('./') || spec.startsWith('../') || spec.startsWith('/');
}

/** An npm package name, or a path to a package directory (for adapters under development). */
const packageRef = leaf('package', (u) => {
  if (typeof u !== 'string' || u === '') return { ok: false, reason: `expected an npm package name (e.g. "@netloom/adapter-fake"), got ${describe(u)}` };
  if (isPathSpecifier(u) || PACKAGE_NAME.test(u)) return { ok: true, value: u };
  return { ok: false, reason: `${describe(u)} is not an npm package name (e.g. "@netloom/adapter-fake") or a path starting with ./, ../ or /` };
});

function ipReason(u: string): string {
  try {
    parseIp(u);
    return '';
  } catch (e) {
    const m = /is not an IP address: (.*)$/.exec((e as Error).message);
    return m?.[1] ?? '';
  }
}

/** An IPv4 or IPv6 address; the message says which family the text looked like. */
function checkIp(u: unknown): { ok: true; value: string } | { ok: false; reason: string } {
  if (typeof u !== 'string') return { ok: false, reason: `expected an IP address, got ${describe(u)}` };
  if (u.includes(':')) {
    if (isIpv6(u)) return { ok: true, value: u };
    const why = ipReason(u);
    return { ok: false, reason: `${describe(u)} is not an IPv6 address${why !== '' ? ` (${why})` : ''}` };
  }
  if (isIpv4(u)) return { ok: true, value: u };
  const why = ipReason(u);
  return { ok: false, reason: `${describe(u)} is not an IPv4 address${why !== '' ? ` (${why})` : ''}` };
}

const ipAddress = leaf('IP address', checkIp);

/** An IPv4 address (a leaf's VTEP: flood lists and host-overlay tunnels are IPv4). */
const ipv4Address = leaf('IPv4 address', (u) => {
  const r = checkIp(u);
  if (!r.ok || !r.value.includes(':')) return r;
  return { ok: false, reason: `${describe(u)} is an IPv6 address; a leaf's VTEP address is IPv4 (flood lists and host-overlay tunnels)` };
});

/** A host: an IPv4 address, an IPv6 address or a DNS host name. */
const hostAddress = leaf('address', (u) => {
  if (typeof u !== 'string') return { ok: false, reason: `expected a host name or IP address, got ${describe(u)}` };
  // Text of digits and dots, or with a colon, is meant as an IP address: judge it as one.
  if (/^[\d.]+$/.test(u) || u.includes(':')) return checkIp(u);
  const labels = u.replace(/\.$/, '').split('.');
  const last = labels[labels.length - 1] ?? '';
  if (u.length <= 253 && labels.every((l) => HOST_LABEL.test(l)) && !/^\d+$/.test(last)) return { ok: true, value: u };
  return { ok: false, reason: `${describe(u)} is not a host name or IP address` };
});

/** A CIDR block (host bits must be zero). */
const cidr = leaf('CIDR', (u) => {
  if (typeof u !== 'string') return { ok: false, reason: `expected a CIDR block (e.g. 10.0.0.0/16), got ${describe(u)}` };
  if (tryParseCidr(u) !== undefined) return { ok: true, value: u };
  try {
    parseCidr(u);
  } catch (e) {
    return { ok: false, reason: (e as Error).message };
  }
  return { ok: false, reason: `${describe(u)} is not a CIDR block` };
});

/** An IP address or an inclusive range `first..last`. */
const ipOrRange = leaf('IP address or range', (u) => {
  if (typeof u !== 'string') return { ok: false, reason: `expected an IP address or range (a..b), got ${describe(u)}` };
  try {
    parseIpRange(u);
    return { ok: true, value: u };
  } catch (e) {
    return { ok: false, reason: (e as Error).message };
  }
});

const envName = patterned('environment variable name', ENV_NAME, 'an environment variable name (letters, digits and _)');

/** A number range `{ from, to }` with both ends in `min..max` and `from <= to`. */
function rangeOf(name: string, min: number, max: number) {
  return struct(
    name,
    { from: intIn(min, max), to: intIn(min, max) },
    {},
    {
      check: (raw) =>
        typeof raw.from === 'number' && typeof raw.to === 'number' && raw.from > raw.to
          ? [{ reason: `from ${raw.from} is greater than to ${raw.to}` }]
          : [],
    },
  );
}

// ---------------------------------------------------------------------------------------------------------------
// Secrets: references only

/** A secret by reference: an environment variable or a file, read when netloom connects. */
export type SecretRef = { readonly env: string } | { readonly file: string };
/** A user name: like a secret reference, or given inline (`{ value: admin }` or just `admin`). */
export type UsernameRef = SecretRef | { readonly value: string };

const INLINE_SECRET = 'inline secrets are not allowed: use { env: NAME } (an environment variable) or { file: path } (a file netloom reads when it connects)';

function refCodec(name: string, allowValue: boolean): t.Type<UsernameRef, UsernameRef, unknown> {
  const keys = allowValue ? ['env', 'file', 'value'] : ['env', 'file'];
  const shape = allowValue ? '{ env: NAME }, { file: path } or { value: name }' : '{ env: NAME } or { file: path }';
  return new t.Type<UsernameRef, UsernameRef, unknown>(
    name,
    (u): u is UsernameRef => typeof u === 'object' && u !== null,
    (u, c) => {
      if (u === undefined || u === null) return t.failure(u, c, 'required');
      if (typeof u === 'string' || typeof u === 'number') {
        if (allowValue && typeof u === 'string' && u !== '') return t.success({ value: u });
        return t.failure(u, c, allowValue ? `expected ${shape}, got ${describeKind(u)}` : INLINE_SECRET);
      }
      if (typeof u !== 'object' || Array.isArray(u)) return t.failure(u, c, `expected ${shape}, got ${describeKind(u)}`);
      const o = u as Record<string, unknown>;
      const errors: t.ValidationError[] = [];
      for (const k of Object.keys(o)) {
        if (keys.includes(k)) continue;
        // Never echo the value: a misplaced key may hold a secret.
        const message = k === 'value' ? INLINE_SECRET : `unknown field; ${closest(k, keys) !== undefined ? `did you mean "${closest(k, keys)}"?` : `expected ${shape}`}`;
        errors.push({ value: undefined, context: t.appendContext(c, k, t.never, undefined), message });
      }
      const given = keys.filter((k) => o[k] !== undefined && o[k] !== null);
      if (errors.length === 0 && given.length !== 1) {
        errors.push({ value: undefined, context: c, message: given.length === 0 ? `expected ${shape}` : `give only one of ${given.join(', ')}` });
      }
      if (errors.length > 0) return t.failures(errors);
      const k = given[0] as 'env' | 'file' | 'value';
      const v = o[k];
      if (k === 'env') {
        const r = envName.validate(v, t.appendContext(c, 'env', envName, v));
        return r._tag === 'Left' ? r : t.success({ env: r.right });
      }
      if (typeof v !== 'string' || v.trim() === '') {
        return t.failure(undefined, t.appendContext(c, k, t.string, undefined), k === 'file' ? `expected a file path, got ${describeKind(v)}` : 'must not be empty');
      }
      return t.success(k === 'file' ? { file: v } : { value: v });
    },
    t.identity,
  );
}

const secretRef = refCodec('secret reference', false) as unknown as t.Type<SecretRef, SecretRef, unknown>;
const usernameRef = refCodec('user name reference', true);

/** Credentials by reference. At least one of password, token, privateKey. */
export const CredentialsRefCodec = struct(
  'credentials',
  {},
  { username: usernameRef, password: secretRef, token: secretRef, privateKey: secretRef },
  {
    check: (raw) =>
      raw.password === undefined && raw.token === undefined && raw.privateKey === undefined
        ? [{ at: ['password'], reason: 'required (or give token or privateKey)' }]
        : [],
  },
);
export type CredentialsRef = t.TypeOf<typeof CredentialsRefCodec>;

const fileRef = struct('file reference', { file: text('a file path') });

const TlsCodec = struct('tls', { verify: withDefault(bool, true) }, { ca: fileRef });
const HostKeyCodec = struct(
  'hostKey',
  { verify: withDefault(bool, true) },
  { fingerprint: patterned('fingerprint', FINGERPRINT, 'a SHA256 host key fingerprint (SHA256:<43 base64 characters>)'), knownHostsFile: text('a file path') },
);

// ---------------------------------------------------------------------------------------------------------------
// Sections

const deviceRole = oneOf(DEVICE_ROLES);

/**
 * The fields that say how to reach a real device. A simulated device (`simulator: true`) is reached where its
 * simulator listens, with the simulator's own credentials and TLS / host-key material, so none of them may be given.
 */
export const CONNECTION_FIELDS = ['address', 'port', 'credentials', 'tls', 'hostKey'] as const;

/**
 * One device in the inventory. `simulator: true` (labs and the demo only) runs the adapter package's own protocol
 * simulator in-process for the device and connects the adapter to it; the connection fields are then refused.
 * `vtepIp` (leafs only, IPv4): the leaf's VTEP address, which host-overlay nodes tunnel to (hybrid overlay).
 */
export const InventoryDeviceCodec = struct(
  'device',
  { name: safeName, role: deviceRole, adapter: packageRef },
  {
    address: hostAddress,
    port: intIn(1, 65535),
    credentials: CredentialsRefCodec,
    tls: TlsCodec,
    hostKey: HostKeyCodec,
    options: anything,
    simulator: bool,
    vtepIp: ipv4Address,
  },
  {
    check: (raw) =>
      raw.simulator === true
        ? CONNECTION_FIELDS.filter((k) => raw[k] !== undefined && raw[k] !== null).map((k) => ({
            at: [k],
            reason: `not allowed with simulator: true (a simulated device is reached at its in-process simulator's own address, with its own credentials and TLS / host-key material); remove ${k} or simulator`,
          }))
        : [],
  },
);
export type InventoryDevice = t.TypeOf<typeof InventoryDeviceCodec>;

const SOURCE_KEYS = ['scenario', 'kubeconfig', 'inCluster'] as const;
const ScenarioSource = struct('scenario source', { scenario: text('a file path') });
const KubeconfigSource = struct('kubeconfig source', { kubeconfig: text('a file path') }, { context: text('a context name') });
const inClusterTrue = leaf('true', (u) => (u === true ? { ok: true, value: true as const } : { ok: false, reason: `must be true, got ${describe(u)}` }));
const InClusterSourceCodec = struct('in-cluster source', { inCluster: inClusterTrue });

export type KubernetesSource = t.TypeOf<typeof ScenarioSource> | t.TypeOf<typeof KubeconfigSource> | t.TypeOf<typeof InClusterSourceCodec>;

/** `sources.kubernetes`: exactly one of `{ scenario }`, `{ kubeconfig, context? }`, `{ inCluster: true }`. */
const KubernetesSourceCodec = new t.Type<KubernetesSource, KubernetesSource, unknown>(
  'kubernetes source',
  (u): u is KubernetesSource => typeof u === 'object' && u !== null,
  (u, c) => {
    const shapes = '{ scenario: <file> }, { kubeconfig: <file>, context?: <name> } or { inCluster: true }';
    if (u === undefined || u === null) return t.failure(u, c, `required: ${shapes}`);
    if (typeof u !== 'object' || Array.isArray(u)) return t.failure(u, c, `expected ${shapes}, got ${describeKind(u)}`);
    const given = SOURCE_KEYS.filter((k) => k in (u as object));
    if (given.length > 1) return t.failure(u, c, `give only one of ${given.join(', ')}`);
    const which = given[0];
    if (which === 'scenario') return ScenarioSource.validate(u, c);
    if (which === 'kubeconfig') return KubeconfigSource.validate(u, c);
    if (which === 'inCluster') return InClusterSourceCodec.validate(u, c);
    const keys = Object.keys(u);
    const guess = keys.map((k) => closest(k, SOURCE_KEYS)).find((s) => s !== undefined);
    return t.failure(u, c, `expected ${shapes}${guess !== undefined ? `; did you mean "${guess}"?` : ''}`);
  },
  t.identity,
);

const SourcesCodec = struct('sources', { kubernetes: KubernetesSourceCodec });

const VniRange = rangeOf('VNI range', VNI_MIN, VNI_MAX);
const VlanRange = rangeOf('VLAN range', VLAN_MIN, VLAN_MAX);
export type NumberRange = t.TypeOf<typeof VniRange>;

const VipPoolCodec = struct('VIP pool', { name: safeName, cidr }, { exclude: listOf(ipOrRange) });
export type VipPool = t.TypeOf<typeof VipPoolCodec>;

const AddressPlanCodec = struct('addressPlan', {
  vni: struct('vni', { l2: listOf(VniRange, { minItems: 1, what: 'VNI range' }), l3: listOf(VniRange, { minItems: 1, what: 'VNI range' }) }),
  vlan: withDefault(VlanRange, { from: 2, to: VLAN_MAX }),
  containerBlocks: listOf(cidr, { minItems: 1, what: 'CIDR block' }),
  vipPools: withDefault(listOf(VipPoolCodec), []),
  defaultSubnetPrefix: defaultedStruct(struct('defaultSubnetPrefix', { ipv4: withDefault(intIn(1, 32), 24), ipv6: withDefault(intIn(1, 128), 64) })),
});
export type AddressPlan = t.TypeOf<typeof AddressPlanCodec>;

const TopologyNodeCodec = struct('node', { name: nodeName }, { leaf: safeName, port: interfaceName, overlay: oneOf(['network', 'host'] as const), vtepIp: ipAddress, vswitch: safeName });
export type TopologyNode = t.TypeOf<typeof TopologyNodeCodec>;

/**
 * A VPC router (ADR 0012): `device` (role `router`) has its uplink plugged into `leaf` at `port`; `uplink` is the
 * router's own interface of that trunk (default `eth1`); `vpcs` limits the VPCs it serves (absent: every VPC that
 * needs one on that leaf).
 */
const TopologyRouterCodec = struct('router', { device: safeName, leaf: safeName, port: interfaceName }, { uplink: interfaceName, vpcs: listOf(safeName, { minItems: 1 }) });
export type TopologyRouter = t.TypeOf<typeof TopologyRouterCodec>;

/**
 * Where a firewall is plugged in (ADR 0013): `device` (role `firewall`) has its trunk plugged into `leaf` at `port`;
 * `uplink` is the firewall's own trunk interface (default `eth1`). With
 * it, peered traffic is routed through the firewall's legs instead of leaking directly between the VRFs.
 */
const TopologyFirewallCodec = struct('firewall', { device: safeName, leaf: safeName, port: interfaceName }, { uplink: interfaceName });
export type TopologyFirewall = t.TypeOf<typeof TopologyFirewallCodec>;

const TopologyCodec = struct(
  'topology',
  {},
  { nodes: listOf(TopologyNodeCodec), routers: listOf(TopologyRouterCodec), firewalls: listOf(TopologyFirewallCodec), discovery: struct('discovery', { device: safeName }) },
  {
    check: (raw) =>
      raw.nodes === undefined && raw.discovery === undefined ? [{ reason: 'give nodes (each node with its leaf and port) or discovery: { device: <name> }' }] : [],
  },
);
export type Topology = t.TypeOf<typeof TopologyCodec>;

const StoreCodec = struct('store', { adapter: packageRef }, { options: anything });
export type StoreSettings = t.TypeOf<typeof StoreCodec>;

/** Leader election among controller replicas on a Lease (ADR 0008). Absent: one controller, no election. */
const LeaderElectionCodec = struct(
  'leaderElection',
  { namespace: safeName, name: withDefault(safeName, 'netloom-leader'), durationSec: withDefault(intIn(3, 600), 15) },
  { identity: safeName },
);

const ControllerCodec = struct(
  'controller',
  {
    batchWindowMs: withDefault(intIn(0, 60_000), 300),
    confirmTimeoutSec: withDefault(intIn(1, 3600), 120),
    resyncSec: withDefault(intIn(0, 86_400), 600),
  },
  { leaderElection: LeaderElectionCodec },
);
export type ControllerSettings = t.TypeOf<typeof ControllerCodec>;

const pluginName = patterned('plugin name', PLUGIN_NAME, 'a plugin name (kebab-case, e.g. "service-lb")');

function duplicatesIn(raw: unknown): RelativeProblem[] {
  if (!Array.isArray(raw)) return [];
  const seen = new Map<unknown, number>();
  const out: RelativeProblem[] = [];
  raw.forEach((v: unknown, i) => {
    const first = seen.get(v);
    if (first !== undefined) out.push({ at: [i], reason: `${describe(v)} is listed twice (also at [${first}])` });
    else seen.set(v, i);
  });
  return out;
}

/** The deployment profile. */
export const ProfileCodec = struct(
  'profile',
  {
    apiVersion: literal(PROFILE_API_VERSION),
    kind: literal('Profile'),
    metadata: struct('metadata', { name: safeName }, { description: text() }),
    sources: SourcesCodec,
    overlay: withDefault(oneOf(OVERLAY_MODES), 'network'),
    addressPlan: AddressPlanCodec,
    inventory: struct('inventory', { devices: listOf(InventoryDeviceCodec, { minItems: 1, what: 'device' }) }),
    topology: TopologyCodec,
    vpcPolicy: withDefault(oneOf(['per-namespace', 'default'] as const), 'per-namespace'),
    plugins: withDefault(listOf(pluginName), [...DEFAULT_PLUGINS]),
    store: withDefault(StoreCodec, { adapter: DEFAULT_STORE_ADAPTER, options: { path: DEFAULT_STORE_PATH } }),
    controller: defaultedStruct(ControllerCodec),
  },
  {},
  { check: (raw) => duplicatesIn(raw.plugins).map((p) => ({ at: ['plugins', ...(p.at ?? [])], reason: p.reason })) },
);

/** A decoded deployment profile, defaults filled in and relative paths resolved. */
export type Profile = t.TypeOf<typeof ProfileCodec>;
