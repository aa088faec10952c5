/**
 * The names netloom gives objects on devices, and {@link vpcOfObject}, which reads the VPC back from them.
 *
 * | port | kind | name / key | VPC read back from |
 * |---|---|---|---|
 * | fabric | `vrf` | `vpc-<vpc>` | the name |
 * | fabric | `segment` | key `<l2Vni>`, name `ls-<subnet>` (hashed if long), `vrf: vpc-<vpc>` | `vrf` |
 * | fabric | `binding` | key `<leaf port>:<vlan>` | the `vrf` of its segment in the same config |
 * | fabric | `floodVtep` | key `<l2Vni>:<host-overlay node VTEP>` | the `vrf` of its segment in the same config |
 * | fabric | `interconnect` | — | `vrf` |
 * | vswitch | `bridge` | `br-int` | shared: undefined |
 * | vswitch | `uplink` | the node's uplink (`eth1`) | shared: undefined |
 * | vswitch | `tunnel` | `vx` + 11 hex of a hash of the remote VTEP (a host-overlay node's or a leaf's) | shared (key `flow`, all VNIs): undefined |
 * | vswitch | `endpointPort` | `nl` + 11 hex of a hash of the endpoint id (≤ 15: Linux ifname), `endpointId: <vpc>/<endpoint id>` | `endpointId` before the first `/` |
 * | firewall | `zone` | `vpc-<vpc>`, `vpc: <vpc>` | `vpc` (else the name) |
 * | firewall | `policy` | the VFW policy name (`peer-…`, `dns-…`, hashed if long) | its `dstZone`: a policy guards access into its destination VPC |
 * | loadBalancer | `partition` | `vpc-<vpc>`, `vpc: <vpc>` | `vpc` (else the name) |
 * | loadBalancer | `pool`, `monitor`, `member`, `virtualServer` | `<partition>/<name>` (`<ns>.<svc>.<proto>-<port>`) | `partition` |
 *
 * VPC names are at most 59 characters (the compiler refuses longer ones), so `vpc-<vpc>` is always a safe name and
 * the VPC is the name without its `vpc-` prefix. Names are checked with `assertSafeName` before they are used.
 * @packageDocumentation
 */
import { assertSafeName } from '@netloom/domain';
import type { DeviceConfig } from '@netloom/ports';
import { fitName, shortHash } from '../intent/intent.names';
import type { VpcOfObject } from '../pipeline/pipeline.types';

/** Prefix of every per-VPC device object name (VRF, firewall zone, load-balancer partition). */
export const VPC_OBJECT_PREFIX = 'vpc-';
/** The integration bridge on every node. */
export const BRIDGE_NAME = 'br-int';
/** The uplink interface of a node whose topology entry names none. */
export const DEFAULT_UPLINK = 'eth1';
/** The anycast gateway MAC of every segment (the same on every leaf: distributed gateway). */
export const ANYCAST_GATEWAY_MAC = '00:00:5e:00:01:01';

/** `vpc-<vpc>`: the VRF, firewall zone and load-balancer partition of a VPC. */
export function vpcObjectName(vpc: string): string {
  const name = `${VPC_OBJECT_PREFIX}${vpc}`;
  assertSafeName(name, `device name of VPC ${JSON.stringify(vpc)}`);
  return name;
}

/** The VPC of a `vpc-<vpc>` name, or undefined for any other name. */
export function vpcFromObjectName(name: unknown): string | undefined {
  return typeof name === 'string' && name.startsWith(VPC_OBJECT_PREFIX) && name.length > VPC_OBJECT_PREFIX.length ? name.slice(VPC_OBJECT_PREFIX.length) : undefined;
}

/** The segment name of a subnet's LS: `ls-<subnet>` (hashed if longer than 63). */
export function segmentName(subnet: string): string {
  const name = fitName(`ls-${subnet}`);
  assertSafeName(name, `segment name of subnet ${JSON.stringify(subnet)}`);
  return name;
}

/** The `br-int` port name of an endpoint: `nl` + 11 hex characters of a hash of its VPC and id (13 characters). */
export function endpointPortName(vpc: string, endpointId: string): string {
  return `nl${shortHash(`${vpc}/${endpointId}`, 11)}`;
}

/** The endpoint id as the vswitch stores it: `<vpc>/<endpoint id>`. */
export function qualifiedEndpointId(vpc: string, endpointId: string): string {
  return `${vpc}/${endpointId}`;
}

/** The tunnel port name towards a remote VTEP: `vx` + 11 hex characters of a hash of its address. */
export function tunnelName(remoteIp: string): string {
  return `vx${shortHash(remoteIp, 11)}`;
}

const str = (o: Record<string, unknown>, field: string): string | undefined => (typeof o[field] === 'string' ? (o[field] as string) : undefined);

/**
 * The VPC an object on a device belongs to, read from the names the projection gives (see the table in the
 * module documentation); undefined for shared objects and for objects netloom did not name this way. A fabric
 * binding or flood VTEP is resolved through its segment in `config` (undefined without it).
 * @example vpcOfObject('fabric', 'vrf', { key: 'vpc-shop', name: 'vpc-shop', l3Vni: 50001 }) // 'shop'
 */
export const vpcOfObject: VpcOfObject = (port, kind, object, config?: DeviceConfig) => {
  switch (port) {
    case 'fabric':
      if (kind === 'vrf') return vpcFromObjectName(str(object, 'name') ?? object.key);
      if (kind === 'segment' || kind === 'interconnect') return vpcFromObjectName(str(object, 'vrf'));
      if (kind === 'binding' || kind === 'floodVtep') {
        const segment = config?.['segment']?.[String(object['l2Vni'])] as (Record<string, unknown> & { key: string }) | undefined;
        return segment === undefined ? undefined : vpcFromObjectName(str(segment, 'vrf'));
      }
      return undefined;
    case 'vswitch': {
      if (kind !== 'endpointPort') return undefined;
      const id = str(object, 'endpointId');
      const slash = id?.indexOf('/') ?? -1;
      return id !== undefined && slash > 0 ? id.slice(0, slash) : undefined;
    }
    case 'firewall':
      if (kind === 'zone') return str(object, 'vpc') ?? vpcFromObjectName(str(object, 'name'));
      if (kind === 'policy') return vpcFromObjectName(str(object, 'dstZone'));
      return undefined;
    case 'loadBalancer':
      if (kind === 'partition') return str(object, 'vpc') ?? vpcFromObjectName(str(object, 'name'));
      return vpcFromObjectName(str(object, 'partition'));
    default:
      return undefined;
  }
};
