/**
 * `@netloom/domain` — the vendor-neutral network model: VPC, Subnet, LS, LR, VRB, VFW, VLB, Endpoint, Node,
 * SecurityGroup, QoS, Peering, and their invariants. Pure: no I/O.
 * @packageDocumentation
 */
export * from './errors';
export * from './primitives';
