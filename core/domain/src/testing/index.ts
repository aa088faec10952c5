/**
 * `@netloom/domain/testing` — object mothers (test data builders) for the domain models. Every object they build
 * is valid; `NetworkMother.complete()` and `VpcMother.withSubnets(n)` pass `checkNetwork`, so a test can break one
 * thing and assert exactly one violation. For tests only; not imported by production code.
 * @packageDocumentation
 */
export * from './subnet.mother';
export * from './vpc.mother';
export * from './endpoint.mother';
export * from './node.mother';
export * from './models.mother';
export * from './network.mother';
