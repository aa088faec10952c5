/**
 * Endpoint: one network attachment (a pod's interface) in a subnet, on a node. Its addresses come from the subnet;
 * on the node it is a port of `br-int` tagged with the LS's per-host VLAN (network overlay) or tunnel key (host
 * overlay). The allocation fields (`ips`, `mac`, `vlan`, `tunnelKey`) are absent until the allocators fill them.
 * @packageDocumentation
 */
import { Invariant } from './errors';
import { formatIp, type IpAddress } from './ip';
import { parseUnicastMac } from './mac';
import { assertVlan, assertVni } from './primitives';
import {
  checkArray,
  checkBoolean,
  checkIp,
  checkName,
  checkNameList,
  checkObject,
  checkOptionalName,
  compact,
  sealModel,
  describe,
  familyName,
  violation,
  within,
  type Where,
} from './validation.helpers';

/** A Kubernetes namespace name: DNS-1123 label, 1..63 characters. */
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
/** A Kubernetes object name: DNS-1123 subdomain, 1..253 characters. */
const DNS_SUBDOMAIN = /^(?=.{1,253}$)[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** Who an endpoint belongs to, e.g. `{ kind: 'pod', namespace: 'shop', name: 'web-0' }`. */
export interface EndpointOwner {
  /** Owner kind (safe name), e.g. `pod`, `vm`, `baremetal`. */
  readonly kind: string;
  /** Kubernetes namespace (DNS-1123 label), for namespaced owners. */
  readonly namespace?: string;
  /** Owner name (Kubernetes object name: DNS-1123 subdomain, up to 253 characters). */
  readonly name: string;
}

/** An endpoint. */
export interface Endpoint {
  /** Unique endpoint id (safe name), e.g. the pod UID. */
  readonly id: string;
  /** Name of the endpoint's VPC; must equal its subnet's VPC. */
  readonly vpc: string;
  /** Name of the subnet the endpoint's addresses come from. */
  readonly subnet: string;
  /** Name of the node the endpoint lives on. */
  readonly node: string;
  /**
   * Addresses, canonical text, IPv4 first, at most one per family; empty until allocated. Each lies inside the
   * subnet's CIDR of its family and is not the gateway (or the IPv4 network/broadcast address); no two endpoints
   * of one VPC share an address (`checkNetwork`).
   */
  readonly ips: readonly string[];
  /** MAC address, canonical (lowercase, colon-separated), unicast; absent until allocated. */
  readonly mac?: string;
  /**
   * VLAN tag of the endpoint's `br-int` port (network overlay), 1..4094. Allocated per node, not globally: on one
   * node one LS has one VLAN and one VLAN belongs to one LS (`checkNetwork`). Never together with `tunnelKey`.
   */
  readonly vlan?: number;
  /** Tunnel key (VXLAN VNI, 1..16777215) of the endpoint's port (host overlay). Never together with `vlan`. */
  readonly tunnelKey?: number;
  /** Who the endpoint belongs to (for status write-back and audit). */
  readonly owner?: EndpointOwner;
  /** True if the addresses were asked for (`netloom.io/ip-address`, StatefulSet) and must be kept as they are. */
  readonly fixed: boolean;
  /** Names of the security groups applied to the endpoint (groups of its VPC). */
  readonly securityGroups: readonly string[];
  /** Name of the QoS policy applied to the endpoint's port. */
  readonly qos?: string;
}

/** Input of {@link createEndpoint}; addresses and MAC in any valid text form. */
export interface EndpointInput {
  readonly id: string;
  readonly vpc: string;
  readonly subnet: string;
  readonly node: string;
  readonly ips?: readonly string[];
  readonly mac?: string;
  readonly vlan?: number;
  readonly tunnelKey?: number;
  readonly owner?: EndpointOwner;
  readonly fixed?: boolean;
  readonly securityGroups?: readonly string[];
  readonly qos?: string;
}

/** The endpoint's addresses, parsed, IPv4 first. */
export function endpointIps(ep: Endpoint): readonly IpAddress[] {
  return ep.ips.map((t) => checkIp(t, { kind: 'endpoint', name: ep.id }, 'ips').ip);
}

/**
 * Validates an endpoint's own invariants and returns a frozen, canonical endpoint.
 * @throws InvariantError
 *   - `name-invalid`: id, vpc, subnet, node, a security group, qos or owner kind/namespace/name;
 *   - `ip-invalid`: an address is malformed; `duplicate`: two addresses of one family;
 *   - `mac-invalid`: malformed, multicast/broadcast or all-zero MAC;
 *   - `vlan-range` / `vni-range`: VLAN outside 1..4094, tunnel key outside 1..16777215;
 *   - `value-invalid`: both `vlan` and `tunnelKey`, or `fixed` without an address.
 * @example createEndpoint({ id: 'pod-1', vpc: 'shop', subnet: 'web', node: 'worker-1', ips: ['10.0.0.5'],
 *   mac: '02:00:0a:00:00:05', vlan: 100, owner: { kind: 'pod', namespace: 'shop', name: 'web-0' } })
 */
export function createEndpoint(input: EndpointInput): Endpoint {
  const raw = checkObject(input, { kind: 'endpoint' });
  const id = checkName(raw['id'], { kind: 'endpoint' }, 'id');
  const where: Where = { kind: 'endpoint', name: id };
  const vpc = checkName(raw['vpc'], where, 'vpc');
  const subnet = checkName(raw['subnet'], where, 'subnet');
  const node = checkName(raw['node'], where, 'node');

  const parsed = checkArray(raw['ips'], where, 'ips').map((t, i) => checkIp(t, where, `ips[${i}]`).ip);
  const families = new Set<number>();
  for (const ip of parsed) {
    if (families.has(ip.family)) {
      throw violation(Invariant.DUPLICATE, where, `has two ${familyName(ip.family)} addresses; an endpoint has at most one per family`, {
        field: 'ips',
        value: parsed.map(formatIp),
      });
    }
    families.add(ip.family);
  }
  const ips = [...parsed].sort((a, b) => a.family - b.family).map(formatIp);

  const mac = raw['mac'] === undefined ? undefined : within(where, 'mac', () => parseUnicastMac(raw['mac'] as string));
  const vlan = raw['vlan'];
  if (vlan !== undefined) within(where, 'vlan', () => assertVlan(vlan));
  const tunnelKey = raw['tunnelKey'];
  if (tunnelKey !== undefined) within(where, 'tunnelKey', () => assertVni(tunnelKey, 'tunnel key'));
  if (vlan !== undefined && tunnelKey !== undefined) {
    throw violation(Invariant.VALUE_INVALID, where, `has both vlan ${String(vlan)} and tunnelKey ${String(tunnelKey)}; give one`, { field: 'vlan' });
  }
  const fixed = checkBoolean(raw['fixed'], where, 'fixed', false);
  if (fixed && ips.length === 0) {
    throw violation(Invariant.VALUE_INVALID, where, 'is fixed but has no address; a fixed endpoint keeps the addresses it asked for', { field: 'fixed' });
  }

  let owner: EndpointOwner | undefined;
  if (raw['owner'] !== undefined) {
    const o = checkObject(raw['owner'], { kind: `endpoint "${id}" owner` });
    const kind = checkName(o['kind'], where, 'owner.kind');
    const ns = o['namespace'];
    if (ns !== undefined && (typeof ns !== 'string' || !DNS_LABEL.test(ns))) {
      throw violation(Invariant.NAME_INVALID, where, `owner.namespace ${describe(ns)} is not a Kubernetes namespace name (DNS-1123 label)`, {
        field: 'owner.namespace',
        value: ns,
      });
    }
    const oName = o['name'];
    if (typeof oName !== 'string' || !DNS_SUBDOMAIN.test(oName)) {
      throw violation(Invariant.NAME_INVALID, where, `owner.name ${describe(oName)} is not a Kubernetes object name (DNS-1123 subdomain)`, {
        field: 'owner.name',
        value: oName,
      });
    }
    owner = compact<EndpointOwner>({ kind, namespace: ns as string | undefined, name: oName });
  }

  return sealModel(
    compact<Endpoint>({
      id,
      vpc,
      subnet,
      node,
      ips,
      mac,
      vlan: vlan as number | undefined,
      tunnelKey: tunnelKey as number | undefined,
      owner,
      fixed,
      securityGroups: checkNameList(raw['securityGroups'], where, 'securityGroups'),
      qos: checkOptionalName(raw['qos'], where, 'qos'),
    }),
  );
}
