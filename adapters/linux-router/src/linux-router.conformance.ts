/**
 * Conformance targets for the fabric kit (`netloom conformance run --adapter @netloom/adapter-linux-router`, and this
 * package's tests), with the samples that fit a router ({@link conformanceSamples}: bindings on its uplink).
 *
 * - {@link linuxRouterTarget}: 802.1Q legs. For every check a FRESH router host namespace `nlrh<pid>x<n>` with a veth
 *   pair as uplink (`eth0`; the peer end sits in a namespace the harness owns, `nlrp<pid>x<n>`), and a VRF
 *   namespace prefix of its own (`nlr<pid>x<n>-`), all deleted in `dispose`. Needs root and a kernel with 802.1Q.
 * - {@link linuxRouterOvsTarget}: OVS legs, for kernels without 802.1Q: per check an OVS bridge of the caller's
 *   running `ovs-vswitchd` (userspace datapath) with a veth uplink as its trunk port, the router host being the
 *   caller's namespace.
 *
 * The device harness the kit needs:
 * - `seedForeign` makes the object without a netloom marker (a segment: a bridge with an alias of its own; a VRF: a
 *   namespace with the prefix and no marker), as another tool would;
 * - `readConfig` reads the owned config as observe does, and the seeded foreign devices;
 * - `changeOutOfBand` runs the commands of the change directly (not through a session, not under the lock);
 * - `injectFault({ type: 'midCommit', afterWrites })` makes the adapter's write number `afterWrites + 1` fail, as a
 *   refused command (the runner tap answers it with exit 2 and does not run it);
 * - `writeCount` counts the adapter's commands that changed the router.
 *
 * The shapes are written out structurally: shipped adapter code never imports `@netloom/conformance`.
 *
 * @packageDocumentation
 */
import { execFile } from 'node:child_process';
import { unlink } from 'node:fs/promises';
import { promisify } from 'node:util';
import {
  L2SegmentCodec,
  decodeOrThrow,
  diffConfig,
  fabricVocabulary,
  type ConfigObject,
  type DeviceConfig,
  type DeviceTarget,
  type FabricConfig,
  type FabricConfigInput,
} from '@netloom/ports';
import { deviceIdentity, normalizeFabric, renderContextOf } from './linux-router.driver';
import { lockFileFor } from './linux-router.lock';
import { LinuxRouterOptionsCodec, type LinuxRouterOptions } from './linux-router.options';
import { readLinks, readNamespaces, readOwnedConfig } from './linux-router.parse';
import { commandText, modelOf, renderSteps } from './linux-router.render';
import { LocalRouterRunner, routerRunnerTaps, type CommandResult, type RouterRunner, type RunOptions } from './linux-router.runner';

const exec = promisify(execFile);

/** What the kit needs from a simulated device beyond the port (structurally the kit's `DeviceHarness`). */
export interface RouterDeviceHarness {
  seedForeign(opts: { readonly kind: string; readonly object: ConfigObject & Readonly<Record<string, unknown>> }): Promise<void>;
  readConfig(): Promise<{ readonly owned: DeviceConfig; readonly foreign: Readonly<Record<string, Readonly<Record<string, unknown>>>> }>;
  changeOutOfBand(opts: { readonly kind: string; readonly key: string; readonly object: ConfigObject | undefined }): Promise<void>;
  injectFault(opts: { readonly type: 'midCommit'; readonly afterWrites?: number }): Promise<void>;
  writeCount(): Promise<number>;
}

/** One router for one check (structurally the kit's `SimulatorInstance`). */
export interface RouterSimulatorInstance {
  readonly target: DeviceTarget;
  readonly options?: unknown;
  readonly harness?: RouterDeviceHarness;
  dispose?(): void | Promise<void>;
}

/** A fresh router per check (structurally the kit's `SimulatorTarget`). */
export interface RouterSimulatorTarget {
  readonly kind: 'simulator';
  create(ctx: { readonly checkId: string }): RouterSimulatorInstance | Promise<RouterSimulatorInstance>;
  readonly lacks?: readonly string[];
}

/** The text of the refusal the fault injection answers with. */
export const INJECTED_FAULT = 'netloom conformance harness: injected fault';

/** A runner wrapper that counts writes and can fail one. */
class TappedRunner implements RouterRunner {
  readonly where: string;
  constructor(
    private readonly inner: RouterRunner,
    private readonly state: { writes: number; failIn: number | undefined },
  ) {
    this.where = inner.where;
  }

  async run(argv: readonly string[], options: RunOptions = {}): Promise<CommandResult> {
    if (options.write !== true) return this.inner.run(argv, options);
    if (this.state.failIn !== undefined) {
      if (this.state.failIn === 0) {
        this.state.failIn = undefined;
        return { stdout: '', stderr: INJECTED_FAULT, code: 2 };
      }
      this.state.failIn--;
    }
    const r = await this.inner.run(argv, options);
    if (r.code === 0) this.state.writes++;
    return r;
  }

  close(): Promise<void> {
    return this.inner.close();
  }
}

/** Runs a command of the harness or the target; a failure throws with the command's text. */
async function sh(argv: readonly string[], env?: NodeJS.ProcessEnv): Promise<string> {
  try {
    return (await exec(argv[0]!, argv.slice(1), env === undefined ? {} : { env })).stdout;
  } catch (e) {
    const err = e as { stderr?: string; message?: string };
    throw new Error(`${commandText(argv)} failed: ${(err.stderr ?? err.message ?? String(e)).trim()} (the linux-router conformance target needs root and iproute2)`);
  }
}

/** Options of {@link linuxRouterHarness}. */
export interface RouterHarnessOptions {
  /** The device's inventory name (the runner tap is registered under it). */
  readonly device: string;
  /** The adapter options of the router. */
  readonly options: LinuxRouterOptions;
  /** Put into the names of seeded foreign devices (keeps harnesses that share a namespace apart). */
  readonly foreignTag?: string;
}

/** The harness of one router; registers its runner tap for `device`. Call `release()` when done. */
export function linuxRouterHarness(opts: RouterHarnessOptions): RouterDeviceHarness & { release(): Promise<void> } {
  const ctx = renderContextOf(opts.options);
  const direct = new LocalRouterRunner();
  const state = { writes: 0, failIn: undefined as number | undefined };
  routerRunnerTaps.set(opts.device, (runner) => new TappedRunner(runner, state));
  const seeded: { kind: string; key: string; netns: string | undefined; ifname?: string }[] = [];
  const readOwned = (): Promise<FabricConfig> => readOwnedConfig({ runner: direct, device: opts.device, ctx });
  const ipIn = (netns: string | undefined): string[] => (netns ?? ctx.hostNetns) === undefined ? ['ip'] : ['ip', '-n', (netns ?? ctx.hostNetns)!];

  const readForeign = async (): Promise<Record<string, Record<string, unknown>>> => {
    const out: Record<string, Record<string, unknown>> = {};
    const namespaces = await readNamespaces(direct, opts.device);
    for (const s of seeded) {
      let seen: unknown;
      if (s.ifname === undefined) seen = namespaces.includes(s.netns!) ? { netns: s.netns } : undefined;
      else {
        const link = (await readLinks(direct, opts.device, ctx, s.netns)).find((l) => l.ifname === s.ifname);
        seen = link === undefined ? undefined : { ifname: link.ifname, alias: link.ifalias ?? null, mac: link.address ?? null, kind: link.linkinfo?.info_kind ?? null, addresses: (link.addr_info ?? []).map((a) => `${a.local ?? ''}/${a.prefixlen ?? ''}`).sort() };
      }
      if (seen !== undefined) (out[s.kind] ??= {})[s.key] = seen;
    }
    return out;
  };

  return {
    async seedForeign({ kind, object }) {
      if (kind === 'segment') {
        // Only the identity is used: foreign objects may carry fields the vocabulary does not know.
        const s = decodeOrThrow(L2SegmentCodec, { key: object.key, name: object['name'], l2Vni: object['l2Vni'] }, 'foreign segment');
        const ifname = `fb${opts.foreignTag ?? ''}${s.l2Vni}`.slice(0, 15);
        await sh([...ipIn(undefined), 'link', 'add', 'name', ifname, 'type', 'bridge']);
        await sh([...ipIn(undefined), 'link', 'set', 'dev', ifname, 'alias', `made by hand: ${s.name}`]);
        seeded.push({ kind, key: s.key, netns: undefined, ifname });
      } else if (kind === 'vrf') {
        const netns = `${ctx.netnsPrefix}foreign-${String(object.key)}`.slice(0, 64);
        await sh(['ip', 'netns', 'add', netns]);
        seeded.push({ kind, key: object.key, netns });
      } else throw new Error(`the linux-router harness seeds foreign segments and VRFs, not ${kind}`);
    },
    async readConfig() {
      return { owned: await readOwned(), foreign: await readForeign() };
    },
    async changeOutOfBand({ kind, key, object }) {
      const current = await readOwned();
      const edited: Record<string, Record<string, ConfigObject>> = {};
      for (const k of fabricVocabulary.order) edited[k] = { ...(current[k] as Record<string, ConfigObject>) };
      if (object === undefined) delete edited[kind]?.[key];
      else (edited[kind] ??= {})[key] = object;
      const next = normalizeFabric(decodeOrThrow(fabricVocabulary.configCodec, edited, 'config after the out-of-band change'));
      if (diffConfig({ desired: next, observed: current, order: fabricVocabulary.order }).length === 0) return;
      for (const step of renderSteps(modelOf(current, ctx), modelOf(next, ctx), ctx)) await sh(step.argv);
    },
    async injectFault({ afterWrites = 1 }) {
      state.failIn = afterWrites;
    },
    async writeCount() {
      return state.writes;
    },
    async release() {
      routerRunnerTaps.delete(opts.device);
      for (const s of seeded.splice(0)) {
        if (s.ifname !== undefined) await sh([...ipIn(s.netns), 'link', 'del', 'dev', s.ifname]).catch(() => undefined);
        else await sh(['ip', 'netns', 'del', s.netns!]).catch(() => undefined);
      }
    },
  };
}

/**
 * Deletes what netloom owns on the router (devices in the router host's namespace too: with OVS legs that is a
 * namespace the checks share), then every namespace with the prefix (what a check left behind).
 */
async function cleanUp(options: LinuxRouterOptions): Promise<void> {
  const ctx = renderContextOf(options);
  const runner = new LocalRouterRunner();
  const owned = await readOwnedConfig({ runner, device: 'cleanup', ctx }).catch(() => undefined);
  if (owned !== undefined) for (const step of renderSteps(modelOf(owned, ctx), modelOf(fabricVocabulary.empty(), ctx), ctx)) await sh(step.argv).catch(() => undefined);
  await deletePrefixed(ctx.netnsPrefix);
}

/** Deletes every namespace with `prefix`. */
async function deletePrefixed(prefix: string): Promise<void> {
  const names = await readNamespaces(new LocalRouterRunner(), 'cleanup').catch(() => [] as string[]);
  for (const n of names) if (n.startsWith(prefix)) await sh(['ip', 'netns', 'del', n]).catch(() => undefined);
}

let sequence = 0;

/** The name parts of one check's router (unique per process and check; `adapter-docs` plans only, under `nlr-`). */
function names(checkId: string): { readonly n: string; readonly prefix: string } {
  const n = `${process.pid.toString(36)}x${(++sequence).toString(36)}`;
  // The generated docs must not change from run to run; that run only plans, so the default prefix is safe there.
  return { n, prefix: checkId === 'adapter-docs' ? 'nlr-' : `nlr${n}-` };
}

/** The uplink of the routers {@link linuxRouterTarget} creates (a fresh namespace each, so one name fits all). */
export const TARGET_UPLINK = 'eth0';

/**
 * A router per check on 802.1Q legs: a fresh router host namespace with a veth uplink.
 * @example runFabricConformance({ adapter, target: linuxRouterTarget(), samples: conformanceSamples.fabric })
 */
export function linuxRouterTarget(): RouterSimulatorTarget {
  return {
    kind: 'simulator',
    create: async ({ checkId }) => {
      const { n, prefix } = names(checkId);
      // The generated docs show the host namespace: stable there (that run only plans).
      const docs = checkId === 'adapter-docs';
      const host = docs ? 'nlrh-docs' : `nlrh${n}`;
      const peer = docs ? 'nlrp-docs' : `nlrp${n}`;
      if (docs) for (const ns of [host, peer]) await sh(['ip', 'netns', 'del', ns]).catch(() => undefined);
      await sh(['ip', 'netns', 'add', host]);
      try {
        await sh(['ip', 'netns', 'add', peer]);
        await sh(['ip', '-n', host, 'link', 'add', 'name', TARGET_UPLINK, 'type', 'veth', 'peer', 'name', 'leaf0', 'netns', peer]);
        await sh(['ip', '-n', host, 'link', 'set', 'dev', TARGET_UPLINK, 'up']);
      } catch (e) {
        await sh(['ip', 'netns', 'del', host]).catch(() => undefined);
        await sh(['ip', 'netns', 'del', peer]).catch(() => undefined);
        throw e;
      }
      const options = decodeOrThrow(LinuxRouterOptionsCodec, { uplink: TARGET_UPLINK, netns: host, netnsPrefix: prefix }, 'conformance target options');
      const device = `router-${n}`;
      const harness = linuxRouterHarness({ device, options });
      return {
        target: { name: device },
        options,
        harness,
        dispose: async () => {
          await harness.release();
          await unlink(lockFileFor(deviceIdentity(options))).catch(() => undefined);
          await cleanUp(options);
          await sh(['ip', 'netns', 'del', host]).catch(() => undefined);
          await sh(['ip', 'netns', 'del', peer]).catch(() => undefined);
        },
      };
    },
  };
}

/** Options of {@link linuxRouterOvsTarget}. */
export interface OvsTargetOptions {
  /** The ovsdb-server of the running `ovs-vswitchd` (`unix:/path/db.sock`). */
  readonly db: string;
  /** Environment of `ovs-vsctl` (e.g. `OVS_RUNDIR` of a sandbox). */
  readonly env?: NodeJS.ProcessEnv;
}

/**
 * A router per check on OVS legs, for kernels without 802.1Q: an OVS bridge `nlrb<n>` (userspace datapath) of the
 * caller's `ovs-vswitchd`, with the veth `nlru<pid>` as its trunk port (the router's uplink; the peer `nlrl<pid>` stays
 * unplugged), in the caller's namespace.
 * @example runFabricConformance({ adapter, target: linuxRouterOvsTarget({ db: sandbox.unixRemote }), samples: ovsSamples })
 */
export function linuxRouterOvsTarget(opts: OvsTargetOptions): RouterSimulatorTarget & { readonly uplink: string } {
  const vsctl = (...args: string[]): Promise<string> => sh(['ovs-vsctl', `--db=${opts.db}`, ...args], opts.env);
  return {
    kind: 'simulator',
    uplink: ovsTargetUplink(),
    create: async ({ checkId }) => {
      const { n, prefix } = names(checkId);
      const bridge = `nlrb${n}`;
      // One uplink name per process, so that the samples name it; checks run one after the other and each deletes it.
      const uplink = ovsTargetUplink();
      await vsctl('add-br', bridge, '--', 'set', 'bridge', bridge, 'datapath_type=netdev');
      try {
        await sh(['ip', 'link', 'add', 'name', uplink, 'type', 'veth', 'peer', 'name', `nlrl${process.pid.toString(36)}`]);
        await sh(['ip', 'link', 'set', 'dev', uplink, 'up']);
        await vsctl('add-port', bridge, uplink);
      } catch (e) {
        await vsctl('del-br', bridge).catch(() => undefined);
        await sh(['ip', 'link', 'del', 'dev', uplink]).catch(() => undefined);
        throw e;
      }
      const options = decodeOrThrow(LinuxRouterOptionsCodec, { uplink, netnsPrefix: prefix, ovs: { bridge, db: opts.db } }, 'conformance target options');
      const device = `router-${n}`;
      const harness = linuxRouterHarness({ device, options, foreignTag: n });
      return {
        target: { name: device },
        options,
        harness,
        dispose: async () => {
          await harness.release();
          await unlink(lockFileFor(deviceIdentity(options))).catch(() => undefined);
          await cleanUp(options);
          await vsctl('del-br', bridge).catch(() => undefined);
          await sh(['ip', 'link', 'del', 'dev', uplink]).catch(() => undefined);
        },
      };
    },
  };
}

/** The uplink of the routers {@link linuxRouterOvsTarget} creates in this process: `nlru<pid>`. */
export const ovsTargetUplink = (): string => `nlru${process.pid.toString(36)}`;

/** A config in input form, open for editing (per kind, key → object). */
export type EditableConfig = Record<string, Record<string, Record<string, unknown>>>;

/** Sample configs for the kit (structurally the kit's `DeviceSamples`; foreign object and bad inputs: the kit's). */
export interface RouterSamples {
  readonly full: () => unknown;
  readonly byCapability: Readonly<Record<string, Readonly<Record<string, readonly string[]>>>>;
}

/**
 * The kit's fabric samples on a router whose uplink is `uplink`: one VRF with a routed segment (IPv4 and IPv6 anycast
 * gateway, a MAC) and a plain one, one binding each on the uplink; a second VRF with a routed segment and a static
 * route to a next hop in it (port API 1.2); and the interconnect and flood VTEP the kit expects to be refused.
 */
export function routerSamples(uplink: string): RouterSamples {
  const full = (): FabricConfigInput => ({
    vrf: {
      'vpc-shop': { key: 'vpc-shop', name: 'vpc-shop', l3Vni: 50001, importRouteTargets: ['65000:50001'], exportRouteTargets: ['65000:50001'] },
      'vpc-pay': { key: 'vpc-pay', name: 'vpc-pay', l3Vni: 50002, staticRoutes: [{ prefix: '10.9.0.0/24', nextHop: '10.2.0.250' }] },
    },
    interconnect: {
      'vrb-dc2': { key: 'vrb-dc2', name: 'vrb-dc2', vrf: 'vpc-shop', importRouteTargets: ['65100:1'], exportRouteTargets: ['65000:50001'], borderPeers: [{ address: '192.0.2.1', remoteAs: 65100 }] },
    },
    segment: {
      '10010': { key: '10010', name: 'ls-web', l2Vni: 10010, vrf: 'vpc-shop', anycastGateway: { ipv4: ['10.1.0.1/24'], ipv6: ['fd00:1::1/64'], mac: '00:00:5e:00:01:01' } },
      '10020': { key: '10020', name: 'ls-db', l2Vni: 10020 },
      '10050': { key: '10050', name: 'ls-pay', l2Vni: 10050, vrf: 'vpc-pay', anycastGateway: { ipv4: ['10.2.0.1/24'], mac: '00:00:5e:00:01:01' } },
    },
    binding: {
      [`${uplink}:100`]: { key: `${uplink}:100`, interface: uplink, vlan: 100, l2Vni: 10010 },
      [`${uplink}:200`]: { key: `${uplink}:200`, interface: uplink, vlan: 200, l2Vni: 10020 },
    },
    floodVtep: { '10020:192.0.2.141': { key: '10020:192.0.2.141', l2Vni: 10020, remoteIp: '192.0.2.141' } },
  });
  return {
    full,
    byCapability: {
      l2Segment: { segment: ['10020'] },
      vrf: { vrf: ['vpc-shop'] },
      anycastGateway: { vrf: ['vpc-shop'], segment: ['10010'] },
      accessBinding: { vrf: ['vpc-shop'], segment: ['10010', '10020'], binding: [`${uplink}:100`, `${uplink}:200`] },
      interconnect: { vrf: ['vpc-shop'], interconnect: ['vrb-dc2'] },
      floodVtep: { segment: ['10020'], floodVtep: ['10020:192.0.2.141'] },
      staticRoute: { vrf: ['vpc-pay'], segment: ['10050'] },
    },
  };
}

/**
 * The simulator targets this adapter ships, per device port (802.1Q legs; needs root and a kernel with 802.1Q).
 */
export const conformanceTargets: { readonly fabric: RouterSimulatorTarget } = { fabric: linuxRouterTarget() };

/** The samples `netloom conformance run` uses with {@link conformanceTargets}, per port. */
export const conformanceSamples: { readonly fabric: RouterSamples } = { fabric: routerSamples(TARGET_UPLINK) };
