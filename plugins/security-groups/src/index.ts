/**
 * `@netloom/plugin-security-groups` — the intent plugin that maps `SecurityGroup` resources to security groups of
 * their VPC and puts the pods that select them (annotation `netloom.io/security-groups`) in them. Imports
 * `@netloom/domain` and `@netloom/ports` only.
 * @example
 * import { plugin as kubernetes } from '@netloom/plugin-kubernetes';
 * import { plugin as securityGroups } from '@netloom/plugin-security-groups';
 * const desired = await compileIntent({ cluster, settings, store, plugins: [kubernetes, securityGroups] });
 * desired.network.securityGroups
 * @packageDocumentation
 */
import { securityGroupsPlugin } from './security-groups.plugin';

export { securityGroupsPlugin, securityGroupName, parseSecurityGroupsAnnotation, ANNOTATION_SECURITY_GROUPS } from './security-groups.plugin';
/** The plugin this package provides (id `security-groups`), under the name every plugin package exports. */
export const plugin = securityGroupsPlugin;
