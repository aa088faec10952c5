/**
 * An in-memory {@link IntentContext} to test one intent plugin without the engine (a plugin package may not import
 * it): allocators that hand out numbers and addresses in order and record the calls worth asserting, a problem list,
 * and a network builder that keeps what the plugin adds.
 */
import { cidrFirst, createEndpoint, ErrorCode, formatIp, NetloomError, ipFromBigint, parseCidr, type Endpoint, type LogicalRouter, type Node, type Peering, type SecurityGroup, type Subnet, type Vlb, type Vpc, type Vrb } from '@netloom/domain';
import type { ClusterSnapshot, DesiredServiceStatus, EngineSettings, IntentAddressBinding, IntentContext, IntentObjectRef, VfwPolicyDraft } from '@netloom/ports';
import { intentTestCluster, intentTestSettings } from './intent.objects';

/**
 * The addresses a test context holds, per `<subnet>/<family>` (subnet addresses, e.g. `web/4`) or `vip.<pool>`
 * (VIPs): owner → binding. Pass one context's `held` to the next to test a second pass (releases, kept addresses).
 */
export type IntentTestAddresses = Map<string, Map<string, IntentAddressBinding>>;

/** A problem a plugin reported on an {@link IntentTestContext}. */
export type IntentTestProblem = IntentObjectRef & { readonly code: string; readonly message: string };

/** What a plugin added to an {@link IntentTestContext}'s network, in the order it added it. */
export interface IntentTestBuilt {
  vpcs: Vpc[];
  subnets: Subnet[];
  /** The names of the LSs. */
  lss: string[];
  /** The names of the LRs (`routers` has the LRs themselves). */
  lrs: string[];
  routers: LogicalRouter[];
  nodes: Node[];
  endpoints: Endpoint[];
  /** The names of the QoS policies. */
  qos: string[];
  vlbs: Vlb[];
  peerings: Peering[];
  policies: VfwPolicyDraft[];
  /** VRBs with the peering each was added for. */
  vrbs: { vrb: Vrb; peering?: string }[];
  /** The desired Service statuses by `<namespace>/<name>` (the last call wins). */
  serviceStatus: Map<string, DesiredServiceStatus>;
  /** Security groups with the object each one's problems are reported on. */
  securityGroups: { group: SecurityGroup; ref?: IntentObjectRef }[];
}

/** An {@link IntentContext} that also shows what the plugin did with it. */
export interface IntentTestContext extends IntentContext {
  /**
   * The allocator calls a test asserts on, in order: `range <subnet> <cidr>`, `release <subnet> <owner>`,
   * `release vip <owner>`, `l3 <vpc>`, `l2 <subnet>`, `carve <vpc>`.
   */
  readonly calls: string[];
  /** Every problem reported, in order (not deduplicated, not sorted). */
  readonly problemList: IntentTestProblem[];
  /** The VPCs failed in this pass. */
  readonly failed: Set<string>;
  /** The owners kept live with `allocators.retain`. */
  readonly retained: { readonly vpcs: Set<string>; readonly subnets: Set<string>; readonly nodes: Set<string> };
  /** What the plugin added. */
  readonly built: IntentTestBuilt;
  /** The addresses and VIPs held now (the map passed in as `held`, changed in place). */
  readonly held: IntentTestAddresses;
}

/** Options of {@link createIntentTestContext}. */
export interface IntentTestContextOptions {
  /** The cluster the plugin reads; lists not given are empty ({@link intentTestCluster}). */
  readonly cluster?: Partial<ClusterSnapshot>;
  /** Settings fields that replace those of {@link intentTestSettings} (a whole `EngineSettings` works too). */
  readonly settings?: Partial<EngineSettings>;
  /** Addresses held from an earlier pass (its context's `held`), to test releases and reuse. Default: none. */
  readonly held?: IntentTestAddresses;
}

/**
 * A fresh in-memory context for one compile pass of one plugin.
 *
 * Allocators: L3 VNIs from 50000 and L2 VNIs from 10000 (one counter for both, so every VNI differs), VLANs from 100,
 * carved subnets 10.244.0.0/24, 10.244.1.0/24, ...; an address or VIP is the owner's own if it holds one (and asked
 * for no other), else the `ip` asked for, else the first free one from the 10th address of the range
 * (`ensureSubnetRange` / `ensureVipPool` set the range; 10.0.0.0/8 before that). Nothing is ever exhausted; a test
 * replaces an allocator to inject a failure.
 *
 * Unlike the engine, `problems.reportError` records every error (a domain invariant as `INPUT.INVALID`, any other as
 * its `code`, or `INTERNAL` without one) and never rethrows; the network builder neither rejects a duplicate name
 * nor drops the objects of a failed VPC; problems are neither deduplicated nor sorted. Run the plugin through the
 * engine (`compileIntent`) to test those rules.
 * @example
 * const ctx = createIntentTestContext({ cluster: { namespaces: [kubeNamespace('shop')] } });
 * await plugin.compile(ctx);
 * assert.deepEqual(ctx.built.vpcs.map((v) => v.name), ['shop']);
 * // A second pass that sees what the first allocated:
 * const next = createIntentTestContext({ cluster: { namespaces: [] }, held: ctx.held });
 */
export function createIntentTestContext(opts: IntentTestContextOptions = {}): IntentTestContext {
  const held: IntentTestAddresses = opts.held ?? new Map();
  const calls: string[] = [];
  const problemList: IntentTestProblem[] = [];
  const failed = new Set<string>();
  const retained = { vpcs: new Set<string>(), subnets: new Set<string>(), nodes: new Set<string>() };
  const built: IntentTestBuilt = { vpcs: [], subnets: [], lss: [], lrs: [], routers: [], nodes: [], endpoints: [], qos: [], vlbs: [], peerings: [], policies: [], vrbs: [], serviceStatus: new Map(), securityGroups: [] };
  const ranges = new Map<string, string>();
  let vni = 0;
  let vlan = 0;
  let carve = 0;
  const pool = (key: string): Map<string, IntentAddressBinding> => {
    let m = held.get(key);
    if (m === undefined) held.set(key, (m = new Map()));
    return m;
  };
  const take = (key: string, owner: string, ip?: string): string => {
    const m = pool(key);
    const mine = m.get(owner);
    if (mine !== undefined && (ip === undefined || mine.ip === ip)) {
      m.set(owner, { ...mine, state: 'allocated' });
      return mine.ip;
    }
    const cidr = parseCidr(ranges.get(key) ?? '10.0.0.0/8');
    let next = ip;
    for (let n = 10n; next === undefined; n++) {
      const candidate = formatIp(ipFromBigint(cidr.family, cidrFirst(cidr) + n));
      if (![...m.values()].some((b) => b.ip === candidate)) next = candidate;
    }
    m.set(owner, { owner, ip: next, state: 'allocated' });
    return next;
  };
  const nsVpc = (n: string): string | undefined => built.vpcs.find((v) => v.namespaces.includes(n))?.name;
  return {
    cluster: intentTestCluster(opts.cluster),
    settings: intentTestSettings(opts.settings),
    calls,
    problemList,
    failed,
    retained,
    built,
    held,
    allocators: {
      ensureSubnetRange: async ({ subnet, cidr }) => {
        calls.push(`range ${subnet} ${cidr}`);
        ranges.set(`${subnet}/${parseCidr(cidr).family}`, cidr);
      },
      allocateAddress: async ({ subnet, family, owner, ip }) => take(`${subnet}/${family}`, owner, ip),
      listAddresses: async ({ subnet, family }) => [...pool(`${subnet}/${family}`).values()],
      releaseAddress: async ({ subnet, family, owner }) => {
        calls.push(`release ${subnet} ${owner}`);
        pool(`${subnet}/${family}`).delete(owner);
      },
      ensureVipPool: async ({ pool: p, cidr }) => {
        ranges.set(`vip.${p}`, cidr);
        return { cidr };
      },
      lookupVip: async ({ pool: p, owner }) => pool(`vip.${p}`).get(owner)?.ip,
      allocateVip: async ({ pool: p, owner, ip }) => take(`vip.${p}`, owner, ip),
      listVips: async ({ pool: p }) => [...pool(`vip.${p}`).values()],
      releaseVip: async ({ pool: p, owner }) => {
        calls.push(`release vip ${owner}`);
        pool(`vip.${p}`).delete(owner);
      },
      allocateL3Vni: async ({ vpc }) => {
        calls.push(`l3 ${vpc}`);
        return 50000 + vni++;
      },
      allocateL2Vni: async ({ subnet }) => {
        calls.push(`l2 ${subnet}`);
        return 10000 + vni++;
      },
      allocateVlan: async () => 100 + vlan++,
      carveSubnet: async ({ vpc }) => {
        calls.push(`carve ${vpc}`);
        return [`10.244.${carve++}.0/24`];
      },
      retain: ({ vpcs, subnets, nodes }) => {
        for (const v of vpcs ?? []) retained.vpcs.add(v);
        for (const x of subnets ?? []) retained.subnets.add(x);
        for (const n of nodes ?? []) retained.nodes.add(n);
      },
    },
    problems: {
      report: (ref, code, message) => {
        problemList.push({ ...ref, code, message });
      },
      reportError: (ref, e, prefix = '') => {
        const err = e as { code?: string; message?: string };
        // As the engine does: a domain invariant broken by user input is INPUT.INVALID.
        problemList.push({ ...ref, code: err.code === 'DOMAIN.INVARIANT' ? 'INPUT.INVALID' : (err.code ?? 'INTERNAL'), message: `${prefix}${err.message ?? String(e)}` });
      },
      failVpc: (vpc) => {
        failed.add(vpc);
      },
      isVpcFailed: (vpc) => failed.has(vpc),
    },
    network: {
      addVpc: (v) => void built.vpcs.push(v),
      addSubnet: (x) => void built.subnets.push(x),
      addLogicalSwitch: (x) => void built.lss.push(x.name),
      addLogicalRouter: (x) => {
        built.lrs.push(x.name);
        built.routers.push(x);
      },
      addNode: (x) => void built.nodes.push(x),
      addEndpoint: (x) => void built.endpoints.push(x),
      addQosPolicy: (x) => void built.qos.push(x.name),
      addVlb: (x) => void built.vlbs.push(x),
      addPeering: (x) => void built.peerings.push(x),
      addVfwPolicy: (x) => void built.policies.push(x),
      addVrb: (vrb, o) => void built.vrbs.push(o?.peering === undefined ? { vrb } : { vrb, peering: o.peering }),
      setServiceStatus: (x) => void built.serviceStatus.set(`${x.namespace}/${x.name}`, x),
      addSecurityGroup: (group, o) => void built.securityGroups.push(o?.ref === undefined ? { group } : { group, ref: o.ref }),
      setEndpointSecurityGroups: (id, groups) => {
        const i = built.endpoints.findIndex((e) => e.id === id);
        const ep = built.endpoints[i];
        // As the engine does: an unknown endpoint is a plugin bug.
        if (ep === undefined) throw new NetloomError(ErrorCode.INTERNAL, `no endpoint ${JSON.stringify(id)} to set security groups on`);
        built.endpoints[i] = createEndpoint({ ...ep, securityGroups: [...groups] });
      },
      vpcs: () => built.vpcs,
      vpcOfNamespace: nsVpc,
      subnets: () => built.subnets,
      nodes: () => built.nodes,
      endpoints: () => built.endpoints,
      logicalRouters: () => built.routers,
      vrbs: () => built.vrbs.map((v) => v.vrb),
      securityGroups: () => built.securityGroups.map((g) => g.group),
    },
  };
}
