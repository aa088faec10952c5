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
/**
 * The lab (`netloom lab up|test|down`) as a library: `lab.labUp`, `lab.labTest`, `lab.labDown`, pods and nodes while
 * it runs (`lab.addPod`, …), the daemon's status (`lab.labControl(dir).status()`). Also `@netloom/runtime/dist/lab`.
 * A namespace, so that its topology names (`BRIDGE`, `LEAF`, …) do not crowd the runtime's own. docs/lab.md.
 * @example
 * import { lab } from '@netloom/runtime';
 * const state = await lab.labUp({ dir: '/tmp/lab', print: console.log });
 */
export * as lab from './lab';
export * from './controller/echo-filter';
