/**
 * `@netloom/adapter-nftables/testing`: helpers for tests that run a VFW on real nftables with real packets (a lab of
 * network namespaces, probes, the skip-unless-available check). Not part of the adapter: nothing in `src/` outside
 * this folder imports it.
 * @packageDocumentation
 */
export * from './netns-lab';
