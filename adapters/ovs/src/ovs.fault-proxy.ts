/**
 * The OVSDB fault proxy of the conformance harness (moved to `@netloom/ovs-vswitch`, re-exported here).
 *
 * @packageDocumentation
 */
export { startOvsdbFaultProxy, writeOpsOf, type OvsdbFaultProxy } from '@netloom/ovs-vswitch';
