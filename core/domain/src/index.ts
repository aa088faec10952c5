/**
 * `@netloom/domain` — the vendor-neutral network model: VPC, Subnet, LS, LR, VRB, VFW, VLB, Endpoint, Node,
 * SecurityGroup, QoS, Peering, and their invariants. Pure: no I/O.
 * @packageDocumentation
 */
export * from './errors';
export * from './primitives';
export * from './ip';
export * from './mac';
export * from './traffic-match';
export type { Where } from './validation.helpers';
export * from './vpc.model';
export * from './subnet.model';
export * from './logical-switch.model';
export * from './logical-router.model';
export * from './vrb.model';
export * from './vfw.model';
export * from './vlb.model';
export * from './endpoint.model';
export * from './node.model';
export * from './security-group.model';
export * from './qos.model';
export * from './peering.model';
export * from './network.invariants';
