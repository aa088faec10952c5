/**
 * Conformance targets on the Huawei CE simulator: a fresh simulated leaf per check, the device harness the kit needs
 * (written over the simulator's test API), and sample configs that fit a CloudEngine.
 *
 * The simulator lives in `@netloom/conformance/simulators`, which shipped adapter code must not import (the
 * dependency rule `adapters-ship-without-conformance`). So the shapes here are structural, and the simulator class is
 * passed in by the caller (a test):
 *
 * ```ts
 * import { HuaweiCeSimulator } from '@netloom/conformance/simulators';
 * const conformanceTargets = createConformanceTargets((s) => new HuaweiCeSimulator(s));
 * runFabricConformance({ adapter, target: conformanceTargets.fabric, samples: ceSamples });
 * ```
 *
 * The harness: `seedForeign` types the object's lines without a netloom description (as another administrator
 * would, `applyOutOfBand`); `readConfig` parses `runningConfig()` as `observe` does; `changeOutOfBand` renders the
 * change with this adapter's renderer and commits it out of band; `injectFault({ type: 'midCommit' })` makes the next
 * commit fail (`failNextCommit`); `writeCount` is the simulator's count of configuration commands accepted.
 *
 * @packageDocumentation
 */
import { randomBytes } from 'node:crypto';
import {
  AccessBindingCodec,
  L2SegmentCodec,
  VrfCodec,
  decodeOrThrow,
  type Change,
  type ConfigObject,
  type DeviceConfig,
  type DeviceTarget,
} from '@netloom/ports';
import type * as t from 'io-ts';
import { CONFIG, SESSION, line } from './huawei-ce.commands';
import { resolveOptions, type RenderSettings } from './huawei-ce.options';
import { parseConfigText, readFabric } from './huawei-ce.parse';
import { bridgeDomainOf, renderChanges } from './huawei-ce.render';

/** What the target asks of a simulator when it creates one (structurally `HuaweiCeSimulatorOptions`). */
export interface HuaweiCeSimulatorSettings {
  readonly hostname: string;
  readonly users: readonly { readonly username: string; readonly password: string }[];
  readonly ports: readonly string[];
  readonly trialScale: number;
  readonly initialConfig: readonly string[];
}

/** The part of `HuaweiCeSimulator` (from `@netloom/conformance/simulators`) the target and harness use. */
export interface HuaweiCeSimulatorLike {
  start(): Promise<{ readonly host: string; readonly port: number; readonly hostKeyFingerprint: string }>;
  stop(): Promise<void>;
  runningConfig(): string;
  applyOutOfBand(lines: readonly string[] | string, opts?: { readonly user?: string }): Promise<number | undefined>;
  failNextCommit(reason?: string): void;
  readonly stats: { readonly configEdits: number };
}

/** Creates a simulator (`(s) => new HuaweiCeSimulator(s)`). */
export type HuaweiCeSimulatorFactory = (settings: HuaweiCeSimulatorSettings) => HuaweiCeSimulatorLike;

/** What the kit needs from a simulated device beyond the port (structurally the kit's `DeviceHarness`). */
export interface HuaweiCeDeviceHarness {
  seedForeign(opts: { readonly kind: string; readonly object: ConfigObject & Readonly<Record<string, unknown>> }): Promise<void>;
  readConfig(): Promise<{ readonly owned: DeviceConfig; readonly foreign: Readonly<Record<string, Readonly<Record<string, unknown>>>> }>;
  changeOutOfBand(opts: { readonly kind: string; readonly key: string; readonly object: ConfigObject | undefined }): Promise<void>;
  injectFault(opts: { readonly type: 'midCommit'; readonly afterWrites?: number }): Promise<void>;
  writeCount(): Promise<number>;
}

/** One simulated leaf for one check (structurally the kit's `SimulatorInstance`). */
export interface HuaweiCeSimulatorInstance {
  readonly target: DeviceTarget;
  readonly options?: unknown;
  readonly harness?: HuaweiCeDeviceHarness;
  dispose?(): void | Promise<void>;
}

/** A fresh simulated leaf per check (structurally the kit's `SimulatorTarget`). */
export interface HuaweiCeSimulatorTarget {
  readonly kind: 'simulator';
  create(ctx: { readonly checkId: string }): Promise<HuaweiCeSimulatorInstance>;
  readonly lacks?: readonly string[];
}

/** Options of {@link huaweiCeTarget}. */
export interface HuaweiCeTargetOptions {
  /** Adapter options of every device (default `{}`: trial commits of 120 s). */
  readonly options?: Readonly<Record<string, unknown>>;
  /** Capabilities the device lacks (`['confirmedCommit']` with `options.commitMode: 'plain'`). */
  readonly lacks?: readonly string[];
  /** Scales the simulator's trial timers (default 0.05: a 120 s trial lasts 6 s). */
  readonly trialScale?: number;
  /** The simulated leaf's ports (default `10GE1/0/1`..`10GE1/0/4`). */
  readonly ports?: readonly string[];
}

/** The underlay a leaf has before netloom touches it: EVPN as the VXLAN control plane and the VTEP. */
export const LEAF_UNDERLAY: readonly string[] = [CONFIG.evpnOverlay, CONFIG.nve, line(CONFIG.nveSource, { ip: '10.0.0.11' }), SESSION.quit];

const DEFAULT_PORTS: readonly string[] = ['10GE1/0/1', '10GE1/0/2', '10GE1/0/3', '10GE1/0/4'];

const KIND_CODECS: Readonly<Record<string, t.Mixed>> = { vrf: VrfCodec, segment: L2SegmentCodec, binding: AccessBindingCodec };

const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
const int = (v: unknown): number | undefined => (typeof v === 'number' && Number.isInteger(v) ? v : undefined);

/** The lines another administrator would type for a foreign object (no netloom description). */
function foreignLines(kind: string, object: ConfigObject & Readonly<Record<string, unknown>>, s: RenderSettings): string[] {
  const description = str(object['description']);
  const tail = [...(description === undefined ? [] : [`${CONFIG.descriptionKeyword} ${description}`]), SESSION.quit];
  switch (kind) {
    case 'segment': {
      const vni = int(object['l2Vni']);
      const bd = int(object['bridgeDomain']) ?? (vni === undefined ? undefined : bridgeDomainOf(vni, s));
      if (bd === undefined) throw new Error('seedForeign segment: needs l2Vni or bridgeDomain');
      return [line(CONFIG.bridgeDomain, { bd }), ...(vni === undefined ? [] : [line(CONFIG.vxlanVni, { vni })]), ...tail];
    }
    case 'vrf': {
      const vni = int(object['l3Vni']);
      return [line(CONFIG.vpnInstance, { name: str(object['name']) ?? object.key }), ...(vni === undefined ? [] : [line(CONFIG.vxlanVni, { vni })]), ...tail];
    }
    case 'binding': {
      const port = str(object['interface']);
      const vlan = int(object['vlan']);
      if (port === undefined || vlan === undefined) throw new Error('seedForeign binding: needs interface and vlan');
      const bd = int(object['bridgeDomain']);
      return [line(CONFIG.l2Subinterface, { port, sub: vlan }), line(CONFIG.dot1q, { vlan }), ...(bd === undefined ? [] : [line(CONFIG.subifBridgeDomain, { bd })]), ...tail];
    }
    default:
      throw new Error(`seedForeign: no ${kind} objects on a CloudEngine in this adapter`);
  }
}

/**
 * The device harness over a simulator's test API (see the module documentation).
 *
 * @example const harness = huaweiCeHarness(sim, resolveOptions({}, 'leaf1').render);
 */
export function huaweiCeHarness(sim: HuaweiCeSimulatorLike, settings: RenderSettings): HuaweiCeDeviceHarness {
  const read = () => readFabric(parseConfigText(sim.runningConfig(), 'simulator running configuration'), settings, 'simulator running configuration');
  return {
    async seedForeign({ kind, object }) {
      await sim.applyOutOfBand(foreignLines(kind, object, settings), { user: 'operator' });
    },
    async readConfig() {
      const view = read();
      return { owned: view.config, foreign: view.foreign };
    },
    async changeOutOfBand({ kind, key, object }) {
      const codec = KIND_CODECS[kind];
      if (codec === undefined) throw new Error(`changeOutOfBand: no ${kind} objects in this adapter`);
      const current = (read().config as unknown as Record<string, Record<string, ConfigObject> | undefined>)[kind]?.[key];
      const after = object === undefined ? undefined : (decodeOrThrow(codec, object, `${kind} ${key}`) as ConfigObject);
      let change: Change | undefined;
      if (after === undefined) change = current === undefined ? undefined : { op: 'delete', kind, key, before: current };
      else change = current === undefined ? { op: 'create', kind, key, after } : { op: 'update', kind, key, before: current, after };
      if (change !== undefined) await sim.applyOutOfBand(renderChanges([change], settings), { user: 'operator' });
    },
    async injectFault() {
      // The whole commit fails on the device (nothing of it reaches running), however many lines were typed.
      sim.failNextCommit();
    },
    async writeCount() {
      return sim.stats.configEdits;
    },
  };
}

let sequence = 0;

/**
 * A conformance target: a fresh simulated leaf (with {@link LEAF_UNDERLAY}) per check, reached over SSH with a random
 * password and its host key pinned.
 *
 * @example runFabricConformance({ adapter, target: huaweiCeTarget((s) => new HuaweiCeSimulator(s)), samples: ceSamples })
 */
export function huaweiCeTarget(createSimulator: HuaweiCeSimulatorFactory, opts: HuaweiCeTargetOptions = {}): HuaweiCeSimulatorTarget {
  return {
    kind: 'simulator',
    ...(opts.lacks === undefined ? {} : { lacks: opts.lacks }),
    create: async ({ checkId }) => {
      const name = `ce-${++sequence}-${checkId.replace(/[^A-Za-z0-9]+/g, '-')}`.slice(0, 63).replace(/-+$/, '');
      const username = 'netloom';
      const password = randomBytes(12).toString('base64url');
      const sim = createSimulator({ hostname: 'Leaf1', users: [{ username, password }], ports: opts.ports ?? DEFAULT_PORTS, trialScale: opts.trialScale ?? 0.05, initialConfig: LEAF_UNDERLAY });
      const endpoint = await sim.start();
      const options = { ...(opts.options ?? {}) };
      return {
        target: { name, address: endpoint.host, port: endpoint.port, credentials: { username, password }, hostKey: { verify: true, fingerprint: endpoint.hostKeyFingerprint } },
        options,
        harness: huaweiCeHarness(sim, resolveOptions(options, name).render),
        dispose: () => sim.stop(),
      };
    },
  };
}

/**
 * The targets of this adapter for the conformance kit, per device port, on simulators made by `createSimulator`.
 *
 * @example const conformanceTargets = createConformanceTargets((s) => new HuaweiCeSimulator(s));
 */
export function createConformanceTargets(createSimulator: HuaweiCeSimulatorFactory, opts: HuaweiCeTargetOptions = {}): { readonly fabric: HuaweiCeSimulatorTarget } {
  return { fabric: huaweiCeTarget(createSimulator, opts) };
}

// ---------------------------------------------------------------------------------------------------------------
// Samples

/** A config in input form, open for editing (per kind, key → object). */
export type EditableConfig = Record<string, Record<string, Record<string, unknown>>>;

/** Sample configs for the kit (structurally the kit's `DeviceSamples`). */
export interface HuaweiCeSamples {
  readonly full: () => unknown;
  readonly byCapability: Readonly<Record<string, Readonly<Record<string, readonly string[]>>>>;
  readonly foreign: { readonly kind: string; readonly object: ConfigObject & Readonly<Record<string, unknown>> };
  readonly badInputs: readonly { readonly id: string; readonly title: string; readonly capability: string; readonly edit: (config: EditableConfig) => void }[];
}

const put = (c: EditableConfig, kind: string, object: Record<string, unknown> & { key: string }): void => {
  (c[kind] ??= {})[object.key] = object;
};

const BAD_NAMES: readonly { readonly id: string; readonly name: string }[] = [
  { id: 'name-newline', name: 'bad\nquit' },
  { id: 'name-semicolon', name: 'bad;reboot' },
  { id: 'name-pipe', name: 'bad|more' },
  { id: 'name-space', name: 'bad name' },
];

/**
 * The kit's fabric samples adapted to a CloudEngine (structurally the kit's `DeviceSamples`): ports named as on a CE
 * (`10GE1/0/1`), an IPv4-only anycast gateway (this adapter refuses IPv6 gateways with NotSupportedError), and extra
 * invalid inputs for the CE limits (VNI 16000001, an interface that is not a CE port, a 32-character VPN name).
 */
export const ceSamples: HuaweiCeSamples = {
  full: (): unknown => ({
    vrf: { 'vpc-shop': { key: 'vpc-shop', name: 'vpc-shop', l3Vni: 50001, importRouteTargets: ['65000:50001'], exportRouteTargets: ['65000:50001'] } },
    interconnect: {
      'vrb-dc2': {
        key: 'vrb-dc2',
        name: 'vrb-dc2',
        vrf: 'vpc-shop',
        importRouteTargets: ['65100:1'],
        exportRouteTargets: ['65000:50001'],
        borderPeers: [{ address: '192.0.2.1', remoteAs: 65100 }],
      },
    },
    segment: {
      '10010': { key: '10010', name: 'ls-web', l2Vni: 10010, vrf: 'vpc-shop', anycastGateway: { ipv4: ['10.1.0.1/24'], mac: '00:00:5e:00:01:01' } },
      '10020': { key: '10020', name: 'ls-db', l2Vni: 10020 },
    },
    binding: {
      '10GE1/0/1:100': { key: '10GE1/0/1:100', interface: '10GE1/0/1', vlan: 100, l2Vni: 10010 },
      '10GE1/0/2:100': { key: '10GE1/0/2:100', interface: '10GE1/0/2', vlan: 100, l2Vni: 10020 },
    },
    floodVtep: {
      '10010:192.0.2.141': { key: '10010:192.0.2.141', l2Vni: 10010, remoteIp: '192.0.2.141' },
      '10020:192.0.2.141': { key: '10020:192.0.2.141', l2Vni: 10020, remoteIp: '192.0.2.141' },
      '10020:192.0.2.142': { key: '10020:192.0.2.142', l2Vni: 10020, remoteIp: '192.0.2.142' },
    },
  }),
  byCapability: {
    l2Segment: { segment: ['10020'] },
    vrf: { vrf: ['vpc-shop'] },
    anycastGateway: { vrf: ['vpc-shop'], segment: ['10010'] },
    accessBinding: { segment: ['10020'], binding: ['10GE1/0/2:100'] },
    interconnect: { vrf: ['vpc-shop'], interconnect: ['vrb-dc2'] },
    floodVtep: { segment: ['10020'], floodVtep: ['10020:192.0.2.141', '10020:192.0.2.142'] },
  },
  foreign: { kind: 'segment', object: { key: '20000', name: 'legacy-bd', l2Vni: 20000, description: 'made by hand' } },
  badInputs: [
    {
      id: 'vlan-5000',
      title: 'a binding on VLAN 5000',
      capability: 'accessBinding',
      edit: (c: EditableConfig): void => {
        put(c, 'segment', { key: '10030', name: 'ls-vlan', l2Vni: 10030 });
        put(c, 'binding', { key: '10GE1/0/3:5000', interface: '10GE1/0/3', vlan: 5000, l2Vni: 10030 });
      },
    },
    {
      id: 'flood-vtep-bad-ip',
      title: 'a flood VTEP at 192.0.2.256',
      capability: 'floodVtep',
      edit: (c: EditableConfig): void => {
        put(c, 'segment', { key: '10050', name: 'ls-flood', l2Vni: 10050 });
        put(c, 'floodVtep', { key: '10050:192.0.2.256', l2Vni: 10050, remoteIp: '192.0.2.256' });
      },
    },
    { id: 'vni-0', title: 'a segment with L2 VNI 0', capability: 'l2Segment', edit: (c: EditableConfig): void => put(c, 'segment', { key: '0', name: 'ls-zero', l2Vni: 0 }) },
    { id: 'vni-16777216', title: 'a VRF with L3 VNI 2^24', capability: 'vrf', edit: (c: EditableConfig): void => put(c, 'vrf', { key: 'vrf-big', name: 'vrf-big', l3Vni: 16_777_216 }) },
    { id: 'ce-vni-16000001', title: 'a segment with L2 VNI 16000001 (above the CloudEngine range)', capability: 'l2Segment', edit: (c: EditableConfig): void => put(c, 'segment', { key: '16000001', name: 'ls-big', l2Vni: 16_000_001 }) },
    {
      id: 'ce-interface',
      title: 'a binding on Ethernet1/1 (not a CloudEngine interface name)',
      capability: 'accessBinding',
      edit: (c: EditableConfig): void => {
        put(c, 'segment', { key: '10040', name: 'ls-eth', l2Vni: 10040 });
        put(c, 'binding', { key: 'Ethernet1/1:40', interface: 'Ethernet1/1', vlan: 40, l2Vni: 10040 });
      },
    },
    { id: 'ce-vpn-name', title: 'a VRF with a 32-character name', capability: 'vrf', edit: (c: EditableConfig): void => put(c, 'vrf', { key: `v${'x'.repeat(31)}`, name: `v${'x'.repeat(31)}`, l3Vni: 50098 }) },
    ...BAD_NAMES.map((b) => ({ id: `vrf-${b.id}`, title: `a vrf named ${JSON.stringify(b.name)}`, capability: 'vrf', edit: (c: EditableConfig): void => put(c, 'vrf', { key: b.name, name: b.name, l3Vni: 50099 }) })),
    ...BAD_NAMES.map((b) => ({
      id: `segment-${b.id}`,
      title: `a segment named ${JSON.stringify(b.name)}`,
      capability: 'l2Segment',
      edit: (c: EditableConfig): void => put(c, 'segment', { key: '10099', name: b.name, l2Vni: 10099 }),
    })),
  ],
};

// ---------------------------------------------------------------------------------------------------------------
// The shipped targets

let simulators: Promise<{ readonly HuaweiCeSimulator: new (settings: HuaweiCeSimulatorSettings) => HuaweiCeSimulatorLike }> | undefined;

/**
 * The simulator targets `netloom conformance run --adapter @netloom/adapter-huawei-ce --target simulator` uses (with
 * {@link ceSamples}, which fit a CloudEngine): a fresh simulated CE per check. The simulators are imported
 * dynamically when a check creates a device, so the driver loads without `@netloom/conformance` (ADR 0006).
 */
export const conformanceTargets: { readonly fabric: HuaweiCeSimulatorTarget } = {
  fabric: {
    kind: 'simulator',
    create: async (ctx) => {
      simulators ??= import('@netloom/conformance/simulators');
      const { HuaweiCeSimulator } = await simulators;
      return huaweiCeTarget((s) => new HuaweiCeSimulator(s)).create(ctx);
    },
  },
};

/** The samples `netloom conformance run` uses with {@link conformanceTargets}, per port. */
export const conformanceSamples: { readonly fabric: HuaweiCeSamples } = { fabric: ceSamples };
