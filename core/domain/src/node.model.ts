/**
 * Node: a Kubernetes node (or any host) with a virtual switch. In network overlay its uplink is a trunk into a leaf
 * switch, which is the VTEP; in host overlay the node's virtual switch is the VTEP itself.
 * @packageDocumentation
 */
import { Invariant } from './errors';
import { assertInterfaceName } from './primitives';
import { checkEnum, checkIp, checkName, checkObject, compact, sealModel, violation, within, type Where } from './validation.helpers';

/**
 * Where the VXLAN tunnel ends for the node's endpoints: `network` (the leaf switch is the VTEP; the node tags pod
 * ports with per-host VLANs on a trunk) or `host` (the node's virtual switch is the VTEP).
 */
export type OverlayMode = 'network' | 'host';

/** The leaf switch port a node's uplink is plugged into (from the profile's topology or LLDP discovery). */
export interface LeafAttachment {
  /** Leaf device name, as in the inventory (safe name). */
  readonly leaf: string;
  /** Leaf interface name as the vendor prints it, e.g. `10GE1/0/1`, `Ethernet1/1` (see `INTERFACE_NAME`). */
  readonly port: string;
}

/** A node. */
export interface Node {
  /** Unique node name (safe name: it reaches devices in port descriptions). */
  readonly name: string;
  /** `network` or `host` overlay. */
  readonly overlay: OverlayMode;
  /** The leaf port the node is plugged into, once known. Two nodes never share a leaf port (`checkNetwork`). */
  readonly leaf?: LeafAttachment;
  /** The node's VTEP address (host overlay), canonical text; unique across nodes (`checkNetwork`). */
  readonly vtepIp?: string;
}

/** Input of {@link createNode}; `overlay` defaults to `network`. */
export interface NodeInput {
  readonly name: string;
  readonly overlay?: OverlayMode;
  readonly leaf?: LeafAttachment;
  readonly vtepIp?: string;
}

/**
 * Validates a node's own invariants and returns a frozen node.
 * @throws InvariantError `name-invalid` (node, leaf or port name), `value-invalid` (overlay mode), `ip-invalid`
 *   (VTEP address).
 * @example createNode({ name: 'worker-1', overlay: 'network', leaf: { leaf: 'leaf-1', port: '10GE1/0/1' } })
 */
export function createNode(input: NodeInput): Node {
  const raw = checkObject(input, { kind: 'node' });
  const name = checkName(raw['name'], { kind: 'node' }, 'name');
  const where: Where = { kind: 'node', name };
  const overlay = raw['overlay'] === undefined ? 'network' : checkEnum<OverlayMode>(raw['overlay'], ['network', 'host'], where, 'overlay');
  let leaf: LeafAttachment | undefined;
  if (raw['leaf'] !== undefined) {
    const l = raw['leaf'];
    if (typeof l !== 'object' || l === null) throw violation(Invariant.VALUE_INVALID, where, 'leaf must be an object { leaf, port }', { field: 'leaf' });
    const att = l as Record<string, unknown>;
    const leafName = checkName(att['leaf'], where, 'leaf.leaf');
    const port = att['port'];
    within(where, 'leaf.port', () => assertInterfaceName(port, 'port'));
    leaf = { leaf: leafName, port: port as string };
  }
  const vtepIp = raw['vtepIp'] === undefined ? undefined : checkIp(raw['vtepIp'], where, 'vtepIp').text;
  return sealModel(compact<Node>({ name, overlay, leaf, vtepIp }));
}
