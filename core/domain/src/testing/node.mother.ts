/**
 * Object mother for nodes.
 * @packageDocumentation
 */
import { createNode, type Node, type NodeInput } from '../node.model';

/** Builds valid {@link Node}s. */
export const NodeMother = {
  /** A network-overlay node, optionally on a leaf port. @example NodeMother.network('node-1', 'leaf-1', '10GE1/0/1') */
  network(name = 'node-1', leaf?: string, port?: string, overrides: Partial<NodeInput> = {}): Node {
    return createNode({ name, overlay: 'network', ...(leaf !== undefined ? { leaf: { leaf, port: port ?? 'Ethernet1' } } : {}), ...overrides });
  },
  /** A host-overlay node (its virtual switch is the VTEP). @example NodeMother.host('node-2', '192.0.2.12') */
  host(name = 'node-1', vtepIp?: string, overrides: Partial<NodeInput> = {}): Node {
    return createNode({ name, overlay: 'host', ...(vtepIp !== undefined ? { vtepIp } : {}), ...overrides });
  },
} as const;
