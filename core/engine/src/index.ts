/**
 * `@netloom/engine` — allocators (IP, VNI, per-host VLAN), intent compiler, planner, reconciler, journal.
 * Talks to the world only through `@netloom/ports`.
 * @packageDocumentation
 */
export {
  IpamAllocator,
  type IpamAllocatorOptions,
  type EnsureSubnetOptions,
  type EnsureSubnetResult,
  type SubnetInfo,
  type SubnetUsage,
  type IpAllocateOptions,
  type IpAllocation,
  type IpOwnerOptions,
  type IpReleaseResult,
  type IpForgetResult,
  type IpBinding,
} from './ipam.allocator';
export {
  VniAllocator,
  checkVniRanges,
  type VniAllocatorOptions,
  type VniPool,
  type VniRange,
  type VniRanges,
  type VniOwnerOptions,
  type VniAllocation,
  type VniReleaseResult,
} from './vni.allocator';
export {
  VlanAllocator,
  checkVlanRange,
  DEFAULT_VLAN_RANGE,
  type VlanAllocatorOptions,
  type VlanRange,
  type VlanOwnerOptions,
  type VlanAllocation,
  type VlanReleaseResult,
} from './vlan.allocator';
export { keySegment, MAX_ATTEMPTS, ALLOCATOR_ID } from './allocator.shared';
export { SpanSet, type Span } from './span-set';
export { MemoryStore, type MemoryStoreOptions, type MemoryStoreOperation } from './testing/memory-store';
export * from './pipeline/pipeline.types';
export * from './reconciler';
export * from './intent';
export * from './projection';
