/**
 * The endpoint a pod gets, as the controller allocated it: the pod annotations the status write-back sets
 * (`core/runtime/src/controller/status.ts`, `STATUS_ANNOTATIONS`) plus the prefix length and gateway of the
 * `Subnet` the address comes from. ADD waits for them with a bounded backoff; when they do not come in time it
 * fails with code 11 (try again later), so the runtime retries the sandbox.
 *
 * | annotation | value |
 * |---|---|
 * | `netloom.io/allocated-ips` | the addresses, comma-separated, IPv4 first (`10.1.0.5` or `10.1.0.5,fd00::5`) |
 * | `netloom.io/mac-address` | the MAC (`02:5e:…`) |
 * | `netloom.io/vlan` | the VLAN of the pod's LS on this node (network overlay) |
 * | `netloom.io/tunnel-key` | the VNI (host overlay); exactly one of vlan and tunnel-key |
 * | `netloom.io/allocated-subnet` | the `Subnet` the addresses come from |
 *
 * @packageDocumentation
 */
import { cidrContains, createSubnet, formatIp, isNetloomError, parseCidr, parseUnicastMac, tryParseIp, type Subnet } from '@netloom/domain';
import { silentLogger, type KubeSubnet, type Logger } from '@netloom/ports';
import type { PodRef } from './cni.env';
import { CniError, CniErrorCode } from './cni.spec';
import { isRetryable, type KubeApi } from './cni.kube-api';

/** The annotations ADD waits for (the keys of the controller's `STATUS_ANNOTATIONS`). */
export const ALLOCATION_ANNOTATIONS = {
  ips: 'netloom.io/allocated-ips',
  mac: 'netloom.io/mac-address',
  vlan: 'netloom.io/vlan',
  tunnelKey: 'netloom.io/tunnel-key',
  subnet: 'netloom.io/allocated-subnet',
} as const;

/** What the annotations say. */
export interface PodAllocation {
  /** Canonical addresses, at most one per family. */
  readonly ips: readonly string[];
  /** Canonical unicast MAC. */
  readonly mac: string;
  readonly vlan?: number;
  readonly tunnelKey?: number;
  readonly subnet: string;
}

/** The annotations read: complete, or which are still missing. */
export type AllocationState = { readonly state: 'ready'; readonly allocation: PodAllocation } | { readonly state: 'pending'; readonly missing: readonly string[] };

/** One address of the endpoint, with its subnet's prefix and gateway. */
export interface EndpointAddress {
  readonly family: 4 | 6;
  /** `10.1.0.5` */
  readonly ip: string;
  /** `10.1.0.5/24` */
  readonly cidr: string;
  /** `10.1.0.1` */
  readonly gateway: string;
}

/** The endpoint to plumb. */
export interface PodEndpoint {
  readonly pod: PodRef;
  readonly mac: string;
  readonly vlan?: number;
  readonly tunnelKey?: number;
  readonly subnet: string;
  /** IPv4 first. */
  readonly addresses: readonly EndpointAddress[];
}

function invalid(key: string, value: string, reason: string): CniError {
  return new CniError(CniErrorCode.invalidAllocation, `annotation ${key}=${JSON.stringify(value)} ${reason}`, 'the netloom controller wrote an allocation netloom-cni cannot use; see the controller log');
}

function intAnnotation(key: string, value: string, min: number, max: number): number {
  if (!/^\d+$/.test(value) || Number(value) < min || Number(value) > max) throw invalid(key, value, `is not an integer in ${min}..${max}`);
  return Number(value);
}

/**
 * Reads the allocation from a pod's annotations. Missing or empty annotations mean "not yet" (pending); a value that
 * is there but malformed is an error, since waiting will not fix it.
 *
 * @throws CniError code 104 naming the annotation and what is wrong with it.
 * @example allocationFromAnnotations({ 'netloom.io/allocated-ips': '10.1.0.5', 'netloom.io/mac-address': '02:00:00:00:00:05',
 *   'netloom.io/vlan': '100', 'netloom.io/allocated-subnet': 'web' }).state // 'ready'
 */
export function allocationFromAnnotations(annotations: Readonly<Record<string, string>>): AllocationState {
  const get = (k: string): string | undefined => {
    const v = Object.prototype.hasOwnProperty.call(annotations, k) ? annotations[k] : undefined;
    return v === undefined || v.trim() === '' ? undefined : v.trim();
  };
  const A = ALLOCATION_ANNOTATIONS;
  const ipsText = get(A.ips);
  const macText = get(A.mac);
  const vlanText = get(A.vlan);
  const keyText = get(A.tunnelKey);
  const subnet = get(A.subnet);
  const missing = [
    ...(ipsText === undefined ? [A.ips] : []),
    ...(macText === undefined ? [A.mac] : []),
    ...(vlanText === undefined && keyText === undefined ? [`${A.vlan} or ${A.tunnelKey}`] : []),
    ...(subnet === undefined ? [A.subnet] : []),
  ];
  if (missing.length > 0 || ipsText === undefined || macText === undefined || subnet === undefined) return { state: 'pending', missing };
  if (vlanText !== undefined && keyText !== undefined) throw invalid(A.vlan, vlanText, `comes together with ${A.tunnelKey}; a pod has one or the other`);
  const ips: string[] = [];
  const families = new Set<number>();
  for (const part of ipsText.split(',')) {
    const ip = tryParseIp(part.trim());
    if (ip === undefined) throw invalid(A.ips, ipsText, `holds ${JSON.stringify(part)}, which is not an IP address`);
    if (families.has(ip.family)) throw invalid(A.ips, ipsText, `holds two IPv${ip.family} addresses`);
    families.add(ip.family);
    ips.push(formatIp(ip));
  }
  let mac: string;
  try {
    mac = parseUnicastMac(macText);
  } catch (e) {
    throw invalid(A.mac, macText, `is not a unicast MAC (${(e as Error).message})`);
  }
  return {
    state: 'ready',
    allocation: {
      ips: ips.sort((a, b) => (a.includes(':') ? 1 : 0) - (b.includes(':') ? 1 : 0)),
      mac,
      ...(vlanText !== undefined ? { vlan: intAnnotation(A.vlan, vlanText, 1, 4094) } : {}),
      ...(keyText !== undefined ? { tunnelKey: intAnnotation(A.tunnelKey, keyText, 1, 16_777_215) } : {}),
      subnet,
    },
  };
}

/** A `Subnet` CR name (DNS-1123 subdomain). Subnets the controller carves itself (`<vpc>_default`) have none. */
const CR_NAME = /^(?=.{1,253}$)[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/**
 * Combines the allocation with its `Subnet` CR: each address gets the prefix length of its family's CIDR and the
 * family's gateway (explicit, or the first address after the network, the same rule as the controller's, by
 * `createSubnet` of `@netloom/domain`).
 *
 * @throws CniError code 104 when the subnet is invalid, has no CIDR of an address's family, or does not contain it.
 */
export function resolveEndpoint(pod: PodRef, allocation: PodAllocation, subnetCr: KubeSubnet): PodEndpoint {
  let subnet: Subnet;
  try {
    // The VPC does not change prefix or gateway; a placeholder stands in when the CR leaves it to the plugin.
    subnet = createSubnet({ name: subnetCr.metadata.name, vpc: subnetCr.spec.vpc ?? 'unassigned', cidrs: subnetCr.spec.cidrs, ...(subnetCr.spec.gateways !== undefined ? { gateways: subnetCr.spec.gateways } : {}) });
  } catch (e) {
    throw new CniError(CniErrorCode.invalidAllocation, `Subnet ${subnetCr.metadata.name} is invalid: ${(e as Error).message}`, undefined, { cause: e });
  }
  const addresses = allocation.ips.map((ip): EndpointAddress => {
    const family = ip.includes(':') ? 6 : 4;
    const f = family === 4 ? subnet.ipv4 : subnet.ipv6;
    if (f === undefined) throw new CniError(CniErrorCode.invalidAllocation, `pod ${pod.namespace}/${pod.name} has the IPv${family} address ${ip} but Subnet ${subnet.name} has no IPv${family} CIDR`);
    const block = parseCidr(f.cidr);
    const addr = tryParseIp(ip);
    if (addr === undefined || !cidrContains(block, addr)) {
      throw new CniError(CniErrorCode.invalidAllocation, `pod ${pod.namespace}/${pod.name} has the address ${ip}, which is outside ${f.cidr} of Subnet ${subnet.name}`);
    }
    return { family, ip, cidr: `${ip}/${block.prefix}`, gateway: f.gateway };
  });
  return {
    pod,
    mac: allocation.mac,
    ...(allocation.vlan !== undefined ? { vlan: allocation.vlan } : {}),
    ...(allocation.tunnelKey !== undefined ? { tunnelKey: allocation.tunnelKey } : {}),
    subnet: subnet.name,
    addresses,
  };
}

/** Options of {@link waitForEndpoint}. */
export interface WaitForEndpointOptions {
  /** Give up after this long (0: one attempt). */
  readonly timeoutMs: number;
  readonly logger?: Logger;
  /** First delay between attempts (default 100 ms); doubles up to {@link maxDelayMs}. */
  readonly initialDelayMs?: number;
  /** Longest delay between attempts (default 2000 ms). */
  readonly maxDelayMs?: number;
}

/**
 * Reads the pod and its subnet until the allocation is complete, with exponential backoff (±20 % jitter), for at
 * most `timeoutMs`. Retried: a missing pod or annotation, a missing `Subnet`, a pod whose UID is not the runtime's
 * (`K8S_POD_UID`: an old namesake), connection failures, timeouts, 429 and 5xx.
 *
 * @throws CniError code 11 (try again later) when the time is up, with the last reason in `details`; 100 when the
 *   API refuses the credentials or answers something that is not a pod or subnet; 104 for an unusable allocation.
 * @example const ep = await waitForEndpoint(api, { namespace: 'shop', name: 'web-0' }, { timeoutMs: 30_000 });
 */
export async function waitForEndpoint(api: KubeApi, pod: PodRef, options: WaitForEndpointOptions): Promise<PodEndpoint> {
  const log = options.logger ?? silentLogger;
  const started = Date.now();
  const deadline = started + options.timeoutMs;
  let delay = options.initialDelayMs ?? 100;
  const maxDelay = options.maxDelayMs ?? 2000;
  const who = `pod ${pod.namespace}/${pod.name}`;
  for (let attempt = 1; ; attempt++) {
    let pending: string;
    try {
      const outcome = await attemptOnce(api, pod);
      if (typeof outcome !== 'string') {
        log.info({ attempt, ms: Date.now() - started }, 'allocation found');
        return outcome;
      }
      pending = outcome;
    } catch (e) {
      if (e instanceof CniError) throw e;
      if (!isRetryable(e)) {
        throw new CniError(CniErrorCode.kubernetesApi, isNetloomError(e) ? e.message : `Kubernetes API request failed: ${(e as Error).message}`, `while reading ${who} from ${api.server}`, { cause: e });
      }
      pending = (e as Error).message;
    }
    log.debug({ attempt, pending }, 'allocation not ready');
    const wait = Math.round(delay * (0.8 + Math.random() * 0.4));
    if (Date.now() + wait > deadline) {
      throw new CniError(
        CniErrorCode.tryAgainLater,
        `${who} has no usable netloom allocation after ${Date.now() - started} ms (${attempt} attempt${attempt === 1 ? '' : 's'})`,
        `last reason: ${pending}. The netloom controller writes the allocation as pod annotations; check that it runs and reports no problem for this pod.`,
      );
    }
    await new Promise((r) => setTimeout(r, wait));
    delay = Math.min(delay * 2, maxDelay);
  }
}

/** One read: the endpoint, or why it is not there yet. */
async function attemptOnce(api: KubeApi, pod: PodRef): Promise<PodEndpoint | string> {
  const p = await api.getPod(pod.namespace, pod.name);
  if (p === undefined) return `pod ${pod.namespace}/${pod.name} not found`;
  if (pod.uid !== undefined && p.metadata.uid !== pod.uid) return `the API shows pod ${pod.namespace}/${pod.name} with UID ${p.metadata.uid}, the runtime asked for UID ${pod.uid}`;
  const read = allocationFromAnnotations(p.metadata.annotations ?? {});
  if (read.state === 'pending') return `annotations missing: ${read.missing.join(', ')}`;
  const name = read.allocation.subnet;
  if (!CR_NAME.test(name)) {
    throw new CniError(
      CniErrorCode.invalidAllocation,
      `subnet ${JSON.stringify(name)} of pod ${pod.namespace}/${pod.name} has no Subnet resource (the controller carved it from the profile's container blocks)`,
      'netloom-cni reads the prefix length and gateway from the Subnet resource; give the namespace a Subnet (ADR 0007)',
    );
  }
  const subnet = await api.getSubnet(name);
  if (subnet === undefined) return `Subnet ${name} not found`;
  return resolveEndpoint(pod, read.allocation, subnet);
}
