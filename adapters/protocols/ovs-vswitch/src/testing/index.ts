/**
 * `@netloom/ovs-vswitch/testing` — lab helpers for live tests of OVS-compatible vswitch adapters (pods as network
 * namespaces, TCP servers and clients in them). Needs root and `ip`/`ping`; never used by an adapter at run time.
 *
 * @packageDocumentation
 */
export * from './lab';
