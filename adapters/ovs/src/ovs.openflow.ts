/**
 * How a session reaches the OpenFlow side of its bridges: `OpenFlowAccess` of `@netloom/ovs-vswitch`, bound to this
 * adapter's own listener registry (the sessions of this adapter share one `listen` port; another adapter in the
 * same process needs its own port, or `connect`).
 *
 * @packageDocumentation
 */
import { OpenFlowAccess as CoreOpenFlowAccess, OpenFlowListenerRegistry } from '@netloom/ovs-vswitch';
import type { Logger } from '@netloom/ports';
import type { OpenFlowMode } from './ovs.options';

/** This adapter's listener registry (its sessions share `listen` controllers; the hooks hand it to the core). */
export const OPENFLOW_REGISTRY = new OpenFlowListenerRegistry();

/** One session's access to its bridges' OpenFlow connections (this adapter's listener registry). */
export class OpenFlowAccess extends CoreOpenFlowAccess {
  constructor(mode: OpenFlowMode, timeoutMs: number, logger: Logger) {
    super(mode, timeoutMs, logger, OPENFLOW_REGISTRY);
  }
}
