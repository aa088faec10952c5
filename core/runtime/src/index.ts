/**
 * `@netloom/runtime` — the deployment profile, the adapter loader, the composition root and the `netloom` CLI.
 * @packageDocumentation
 */
export * from './profile/profile.codec';
export * from './profile/profile.loader';
export * from './profile/credentials';
export { formatPath, type Segment } from './profile/codec-kit';
export * from './adapters/loader';
export * from './adapters/registry';
export * from './drivers';
export * from './secrets';
export * from './logger';
export * from './tokens';
export * from './container';
export * from './cli/program';
export * from './engine-settings';
export * from './controller/source';
export * from './controller/controller';
export * from './cli/context';
export * from './controller/status';
