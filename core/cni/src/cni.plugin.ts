/**
 * The four CNI verbs of netloom-cni.
 *
 * - **ADD** waits (bounded) for the pod's allocation, creates the veth pair with the container end directly in the
 *   pod's namespace (MAC, MTU, addresses, default routes via the subnet gateways), then adds the host end to the
 *   bridge as one OVSDB transaction. Idempotent: when the container is already plumbed as allocated it returns the
 *   same result and changes nothing; a partial or outdated attachment of the same container is removed and redone.
 *   A failure half-way undoes every step done so far, in reverse order.
 * - **DEL** removes the host veth (its peer goes with it) and netloom-cni's port; missing namespace, veth, port or
 *   pod annotations are fine. It never talks to the Kubernetes API.
 * - **CHECK** reads the allocation once and compares the namespace (interface, MAC, MTU, addresses, routes), the
 *   host veth, the OVS port and `prevResult` with it; any difference is an error (code 103) listing all of them.
 * - **VERSION** prints the supported versions.
 *
 * @packageDocumentation
 */
import * as fs from 'node:fs';
import type { Logger } from '@netloom/ports';
import { CONFIG_DEFAULTS, type NetloomCniConfig } from './cni.config';
import { waitForEndpoint, type PodEndpoint } from './cni.endpoint';
import type { CniEnv, PodRef } from './cni.env';
import { IpRoute } from './cni.iproute';
import { KubeApi } from './cni.kube-api';
import { inClusterConnection, loadKubeconfig } from './cni.kubeconfig';
import { silentCniLogger, type CniLogger } from './cni.logger';
import { hostVethName } from './cni.names';
import { CniOvsdb, portDrift, type CniPortSpec } from './cni.ovsdb';
import { CniError, CniErrorCode, DEFAULT_CNI_VERSION, SUPPORTED_VERSIONS, type CniResult, type CniVersionInfo } from './cni.spec';

/** What a verb works with. */
export interface CniContext {
  readonly env: CniEnv;
  readonly config: NetloomCniConfig;
  readonly logger?: CniLogger;
  /** The Kubernetes API client (default: from `config.kubeconfig`, else in-cluster). */
  readonly kube?: KubeApi;
}

/** Everything ADD, CHECK and DEL need to know about one attachment, derived from the parameters and the allocation. */
export interface AttachmentPlan {
  readonly containerId: string;
  /** The interface name inside the container. */
  readonly ifname: string;
  /** The pod's network namespace (a path). */
  readonly netns: string;
  /** The host end of the veth (also the OVS Port and Interface name). */
  readonly hostIfname: string;
  readonly mtu: number;
  readonly endpoint: PodEndpoint;
  /** The OVS side. */
  readonly port: CniPortSpec;
}

/**
 * Derives the attachment from the parameters, the configuration and the allocation. Pure.
 * @example planAttachment(env, config, endpoint).hostIfname // 'nlv…' (15 characters)
 */
export function planAttachment(env: CniEnv, config: NetloomCniConfig, endpoint: PodEndpoint): AttachmentPlan {
  const hostIfname = hostVethName(env.containerId, env.ifname);
  const mtu = config.mtu ?? (endpoint.tunnelKey !== undefined ? CONFIG_DEFAULTS.mtuTunnel : CONFIG_DEFAULTS.mtuVlan);
  return {
    containerId: env.containerId,
    ifname: env.ifname,
    netns: env.netns,
    hostIfname,
    mtu,
    endpoint,
    port: {
      bridge: config.bridge,
      name: hostIfname,
      pod: { namespace: endpoint.pod.namespace, name: endpoint.pod.name },
      containerId: env.containerId,
      ifname: env.ifname,
      mac: endpoint.mac,
      ips: endpoint.addresses.map((a) => a.ip),
      ...(endpoint.vlan !== undefined ? { vlan: endpoint.vlan } : {}),
      ...(endpoint.tunnelKey !== undefined ? { tunnelKey: endpoint.tunnelKey } : {}),
      subnet: endpoint.subnet,
    },
  };
}

/**
 * The ADD result of an attachment: interface 0 the host end, interface 1 the container end (with `sandbox`); every
 * address on interface 1 with its gateway; one default route per family.
 */
export function buildResult(plan: AttachmentPlan, hostMac: string, config: Pick<NetloomCniConfig, 'cniVersion' | 'dns'>): CniResult {
  return {
    cniVersion: config.cniVersion,
    interfaces: [
      { name: plan.hostIfname, mac: hostMac },
      { name: plan.ifname, mac: plan.endpoint.mac, sandbox: plan.netns },
    ],
    ips: plan.endpoint.addresses.map((a) => ({ address: a.cidr, gateway: a.gateway, interface: 1 })),
    routes: plan.endpoint.addresses.map((a) => ({ dst: a.family === 4 ? '0.0.0.0/0' : '::/0', gw: a.gateway })),
    dns: config.dns ?? {},
  };
}

/** What {@link inspectAttachment} found. */
export interface Inspection {
  /** Every difference from the plan, as sentences (empty: the attachment is as planned). */
  readonly drift: readonly string[];
  /** The host veth's MAC, when it exists. */
  readonly hostMac?: string;
}

/** Compares the kernel (host veth, the container's interface, addresses, default routes) and the OVS port with the plan. */
export async function inspectAttachment(plan: AttachmentPlan, ip: IpRoute, ovs: CniOvsdb): Promise<Inspection> {
  const drift: string[] = [];
  const host = await ip.link(plan.hostIfname);
  if (host === undefined) drift.push(`host veth ${plan.hostIfname} is missing`);
  else {
    if (host.linkinfo?.info_kind !== 'veth') drift.push(`${plan.hostIfname} is a ${host.linkinfo?.info_kind ?? 'plain'} link, expected a veth`);
    if (!host.flags.includes('UP')) drift.push(`host veth ${plan.hostIfname} is down`);
    if (host.mtu !== plan.mtu) drift.push(`host veth ${plan.hostIfname} has MTU ${host.mtu}, expected ${plan.mtu}`);
  }
  if (!fs.existsSync(plan.netns)) drift.push(`network namespace ${plan.netns} is missing`);
  else {
    const where = `${plan.ifname} in ${plan.netns}`;
    const link = await ip.link(plan.ifname, plan.netns);
    if (link === undefined) drift.push(`${where} is missing`);
    else {
      if (host !== undefined && link.link_index !== host.ifindex) drift.push(`${where} is not the peer of host veth ${plan.hostIfname}`);
      if (link.address !== plan.endpoint.mac) drift.push(`${where} has MAC ${link.address ?? 'none'}, expected ${plan.endpoint.mac}`);
      if (link.mtu !== plan.mtu) drift.push(`${where} has MTU ${link.mtu}, expected ${plan.mtu}`);
      if (!link.flags.includes('UP')) drift.push(`${where} is down`);
      const addrs = await ip.addresses(plan.ifname, plan.netns);
      const want = new Set(plan.endpoint.addresses.map((a) => a.cidr));
      for (const a of plan.endpoint.addresses) {
        if (!addrs.some((x) => `${x.local}/${x.prefixlen}` === a.cidr)) drift.push(`${where} lacks the address ${a.cidr}`);
      }
      for (const x of addrs) {
        if (x.scope === 'global' && !want.has(`${x.local}/${x.prefixlen}`)) drift.push(`${where} has the unexpected address ${x.local}/${x.prefixlen}`);
      }
      for (const a of plan.endpoint.addresses) {
        const routes = await ip.defaultRoutes(plan.ifname, a.family, plan.netns);
        if (!routes.some((r) => r.gateway === a.gateway)) drift.push(`${where} lacks the IPv${a.family} default route via ${a.gateway}`);
      }
    }
  }
  drift.push(...portDrift(plan.port, await ovs.readPort(plan.hostIfname)));
  return { drift, ...(host?.address !== undefined ? { hostMac: host.address } : {}) };
}

function kubeApi(ctx: CniContext, logger: CniLogger): KubeApi {
  if (ctx.kube !== undefined) return ctx.kube;
  const connection = ctx.config.kubeconfig !== undefined ? loadKubeconfig(ctx.config.kubeconfig) : inClusterConnection();
  if (connection.token !== undefined) logger.addSecret(connection.token);
  return new KubeApi({ connection, timeoutMs: ctx.config.apiTimeoutMs, logger });
}

function requirePod(env: CniEnv): PodRef {
  if (env.pod === undefined) throw new CniError(CniErrorCode.invalidEnvironment, 'CNI_ARGS must carry K8S_POD_NAMESPACE and K8S_POD_NAME');
  return env.pod;
}

/** A step ADD did, and how to take it back. */
interface UndoStep {
  readonly what: string;
  undo(): Promise<unknown>;
}

async function undoAll(steps: UndoStep[], log: Logger): Promise<void> {
  for (const step of steps.reverse()) {
    try {
      await step.undo();
      log.info({ step: step.what }, 'undone');
    } catch (e) {
      log.error({ step: step.what, err: e }, 'undo failed; the next DEL removes what is left');
    }
  }
}

/**
 * ADD: plumbs the pod. See the module documentation.
 *
 * @throws CniError code 3 (the namespace does not exist), 4, 11 (no allocation in time), 100, 101, 102, 104.
 * @example const result = await cmdAdd({ env, config });   // result.ips[0].address === '10.1.0.5/24'
 */
export async function cmdAdd(ctx: CniContext): Promise<CniResult> {
  const { env, config } = ctx;
  const log = ctx.logger ?? silentCniLogger;
  const pod = requirePod(env);
  if (!fs.existsSync(env.netns)) throw new CniError(CniErrorCode.unknownContainer, `network namespace ${env.netns} does not exist`);
  const api = kubeApi(ctx, log);
  log.info({ pod: `${pod.namespace}/${pod.name}`, timeoutMs: config.annotationTimeoutMs }, 'waiting for the allocation');
  const endpoint = await waitForEndpoint(api, pod, { timeoutMs: config.annotationTimeoutMs, logger: log });
  const plan = planAttachment(env, config, endpoint);
  log.info({ host: plan.hostIfname, mac: endpoint.mac, addresses: endpoint.addresses.map((a) => a.cidr), vlan: endpoint.vlan, tunnelKey: endpoint.tunnelKey, mtu: plan.mtu }, 'attachment planned');
  const ip = new IpRoute({ logger: log });

  if ((await ip.link(plan.hostIfname)) !== undefined) {
    const ovs = await CniOvsdb.connect(config.ovsdb, config.ovsdbTimeoutMs, log);
    try {
      const seen = await inspectAttachment(plan, ip, ovs);
      if (seen.drift.length === 0 && seen.hostMac !== undefined) {
        log.info({}, 'already plumbed as allocated; nothing changed');
        return buildResult(plan, seen.hostMac, config);
      }
      log.warn({ drift: seen.drift }, 'an earlier attachment of this container differs from the allocation; plumbing it again');
      await ip.deleteLink(plan.hostIfname);
      await ovs.removePort(plan.hostIfname);
    } finally {
      await ovs.close();
    }
  }
  if ((await ip.link(env.ifname, env.netns)) !== undefined) {
    throw new CniError(CniErrorCode.kernel, `${env.ifname} already exists in ${env.netns} and is not netloom-cni's`, 'another plugin configured this interface name; give netloom-cni its own CNI_IFNAME');
  }

  const done: UndoStep[] = [];
  let ovs: CniOvsdb | undefined;
  try {
    await ip.addVeth({ host: plan.hostIfname, peer: plan.ifname, mac: endpoint.mac, mtu: plan.mtu, netns: plan.netns });
    done.push({ what: `delete veth ${plan.hostIfname}`, undo: () => ip.deleteLink(plan.hostIfname) });
    log.info({ host: plan.hostIfname, peer: plan.ifname }, 'created veth');
    for (const a of endpoint.addresses) await ip.addAddress(plan.ifname, a.cidr, plan.netns);
    await ip.setUp(plan.ifname, plan.netns);
    for (const a of endpoint.addresses) await ip.addDefaultRoute(plan.ifname, a.gateway, plan.netns);
    await ip.setUp(plan.hostIfname);
    log.info({ addresses: endpoint.addresses.map((a) => a.cidr) }, 'configured the container interface');

    ovs = await CniOvsdb.connect(config.ovsdb, config.ovsdbTimeoutMs, log);
    const session = ovs;
    const nextCfg = await session.addPort(plan.port);
    done.push({ what: `remove OVS port ${plan.hostIfname}`, undo: () => session.removePort(plan.hostIfname) });
    await session.waitApplied(nextCfg, config.ovsdbTimeoutMs);

    const host = await ip.link(plan.hostIfname);
    if (host?.address === undefined) throw new CniError(CniErrorCode.kernel, `host veth ${plan.hostIfname} disappeared while it was being plumbed`);
    log.info({}, 'plumbed');
    return buildResult(plan, host.address, config);
  } catch (e) {
    log.error({ err: e }, 'ADD failed; undoing what it did');
    await undoAll(done, log);
    throw e;
  } finally {
    await ovs?.close();
  }
}

/**
 * DEL: removes the attachment. Tolerates a missing namespace, veth, port and pod; never reads the Kubernetes API.
 *
 * @throws CniError code 101 when OVSDB cannot be reached (the runtime retries DEL), 102 when `ip` fails.
 */
export async function cmdDel(ctx: CniContext): Promise<void> {
  const { env, config } = ctx;
  const log = ctx.logger ?? silentCniLogger;
  const host = hostVethName(env.containerId, env.ifname);
  const ip = new IpRoute({ logger: log });
  const deleted = await ip.deleteLink(host);
  log.info({ host, deleted }, deleted ? 'deleted veth' : 'no veth to delete');
  const ovs = await CniOvsdb.connect(config.ovsdb, config.ovsdbTimeoutMs, log);
  try {
    const r = await ovs.removePort(host);
    log.info({ port: host, outcome: r }, 'DEL done');
  } finally {
    await ovs.close();
  }
}

/**
 * CHECK: reports any difference between the attachment and the allocation.
 *
 * @throws CniError code 7 (no `prevResult`), 3 (the namespace is gone), 103 (drift: `details` lists every
 *   difference), and the codes of reading the allocation (100, 104; 11 when it is missing).
 */
export async function cmdCheck(ctx: CniContext): Promise<void> {
  const { env, config } = ctx;
  const log = ctx.logger ?? silentCniLogger;
  const pod = requirePod(env);
  if (config.prevResult === undefined) throw new CniError(CniErrorCode.invalidConfig, 'CHECK needs prevResult in the network configuration');
  if (!fs.existsSync(env.netns)) throw new CniError(CniErrorCode.unknownContainer, `network namespace ${env.netns} does not exist`);
  const endpoint = await waitForEndpoint(kubeApi(ctx, log), pod, { timeoutMs: 0, logger: log });
  const plan = planAttachment(env, config, endpoint);
  const ip = new IpRoute({ logger: log });
  const ovs = await CniOvsdb.connect(config.ovsdb, config.ovsdbTimeoutMs, log);
  let seen: Inspection;
  try {
    seen = await inspectAttachment(plan, ip, ovs);
  } finally {
    await ovs.close();
  }
  const drift = [...seen.drift, ...prevResultDrift(config.prevResult, buildResult(plan, seen.hostMac ?? '', config))];
  if (drift.length > 0) {
    log.warn({ drift }, 'CHECK found drift');
    throw new CniError(CniErrorCode.drift, `the attachment of pod ${pod.namespace}/${pod.name} differs from its allocation: ${drift[0]}${drift.length > 1 ? ` (and ${drift.length - 1} more)` : ''}`, drift.join('\n'));
  }
  log.info({}, 'CHECK passed');
}

/** Differences between the runtime's `prevResult` and the result the allocation gives now. */
function prevResultDrift(prev: CniResult, now: CniResult): string[] {
  const out: string[] = [];
  const key = (i: { address: string; gateway?: string }): string => `${i.address} via ${i.gateway ?? 'none'}`;
  const had = new Set((prev.ips ?? []).map(key));
  const has = new Set((now.ips ?? []).map(key));
  for (const k of has) if (!had.has(k)) out.push(`prevResult lacks the address ${k}`);
  for (const k of had) if (!has.has(k)) out.push(`prevResult has the address ${k}, which is not allocated`);
  const mine = now.interfaces?.[1];
  if (mine !== undefined && !(prev.interfaces ?? []).some((i) => i.name === mine.name && i.mac === mine.mac && i.sandbox === mine.sandbox)) {
    out.push(`prevResult lacks the interface ${mine.name} (${mine.mac ?? ''}) in ${mine.sandbox ?? ''}`);
  }
  return out;
}

/**
 * VERSION: the supported versions, answered in the caller's version when it is one of them.
 * @example cmdVersion('{"cniVersion":"1.0.0"}') // { cniVersion: '1.0.0', supportedVersions: ['1.0.0'] }
 */
export function cmdVersion(stdin: string): CniVersionInfo {
  let asked: unknown;
  try {
    asked = (JSON.parse(stdin) as { cniVersion?: unknown }).cniVersion;
  } catch {
    asked = undefined;
  }
  return { cniVersion: typeof asked === 'string' && SUPPORTED_VERSIONS.includes(asked) ? asked : DEFAULT_CNI_VERSION, supportedVersions: [...SUPPORTED_VERSIONS] };
}
