/**
 * Leader election for controller replicas on the kubernetes port's Lease (coordination.k8s.io), with the Lease's
 * transitions as the epoch recorded in the store (`claimLeadership`): the fence every device write of the reconciler
 * checks (ADR 0008). Only the leader runs reconcile passes; the others wait and take over when the Lease expires.
 * @packageDocumentation
 */
import { claimLeadership, type Fence } from '@netloom/engine';
import type { KubernetesPort, Logger, StorePort } from '@netloom/ports';

/** Options of {@link LeaderElector}. */
export interface LeaderElectorOptions {
  readonly kube: KubernetesPort;
  readonly store: StorePort;
  /** This replica's identity (pod name). */
  readonly holder: string;
  readonly namespace: string;
  readonly name: string;
  /** Lease duration in seconds; the leader renews every third of it. */
  readonly durationSec: number;
  readonly logger: Logger;
  /** Called when this replica becomes the leader, with its fence. */
  readonly onLead: (fence: Fence) => void;
  /** Called when this replica stops being the leader (lost the Lease, or could not renew in time). */
  readonly onLose: (reason: string) => void;
}

/** Campaigns for the Lease until stopped. */
export class LeaderElector {
  readonly #o: LeaderElectorOptions;
  #timer: NodeJS.Timeout | undefined;
  #leading = false;
  #lastRenew = 0;
  #stopped = false;
  #tick: Promise<void> = Promise.resolve();

  constructor(options: LeaderElectorOptions) {
    if (options.kube.acquireLease === undefined) throw new Error('leader election needs a kubernetes source with the leases capability');
    this.#o = options;
  }

  /** True while this replica holds the Lease and has claimed the fence. */
  get leading(): boolean {
    return this.#leading;
  }

  /** Starts campaigning: tries now, then every third of the Lease duration. */
  start(): void {
    const every = Math.max(200, Math.floor((this.#o.durationSec * 1000) / 3));
    const run = (): void => {
      this.#tick = this.#campaign().finally(() => {
        if (!this.#stopped) this.#timer = setTimeout(run, every);
      });
    };
    run();
  }

  /** Stops campaigning and gives the Lease up if held. */
  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    await this.#tick;
    if (this.#leading) {
      this.#lose('stopping');
      await this.#o.kube.releaseLease?.({ namespace: this.#o.namespace, name: this.#o.name, holder: this.#o.holder }).catch(() => undefined);
    }
  }

  /** One election round: acquire or renew; claim the fence on a win; step down on a loss or a late renewal. */
  async #campaign(): Promise<void> {
    const o = this.#o;
    try {
      const state = await o.kube.acquireLease!({ namespace: o.namespace, name: o.name, holder: o.holder, durationSec: o.durationSec });
      if (!state.acquired) {
        if (this.#leading) this.#lose(`the lease is held by ${state.holder ?? 'another replica'}`);
        return;
      }
      this.#lastRenew = Date.now();
      if (!this.#leading) {
        const fence = await claimLeadership(o.store, { holder: o.holder, epoch: state.transitions });
        this.#leading = true;
        o.logger.info({ holder: o.holder, epoch: state.transitions }, 'became the leader');
        o.onLead(fence);
      }
    } catch (e) {
      o.logger.warn({ err: e instanceof Error ? e.message : String(e) }, 'leader election round failed');
      // A leader that cannot renew within the Lease duration must assume a successor exists.
      if (this.#leading && Date.now() - this.#lastRenew > o.durationSec * 1000) this.#lose('could not renew the lease in time');
    }
  }

  #lose(reason: string): void {
    this.#leading = false;
    this.#o.logger.warn({ holder: this.#o.holder, reason }, 'no longer the leader');
    this.#o.onLose(reason);
  }
}
