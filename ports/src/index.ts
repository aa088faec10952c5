/**
 * `@netloom/ports` — the contract between netloom's engine and its adapters.
 * @packageDocumentation
 */
export * from './errors';
export * from './version';
export * from './logger';
export * from './codec';
export * from './values';
export * from './diff';
export * from './device.port';
export * from './vocabulary';
export * from './capabilities';
export * from './adapter';
export * from './store.port';
export * from './store-input';
export * from './fabric.port';
export * from './vswitch.port';
export * from './firewall.port';
export * from './load-balancer.port';
export * from './kubernetes.port';
export * from './discovery.port';
export { parseLabelSelector, type LabelMatcher } from './label-selector';
export * from './intent-plugin.port';
