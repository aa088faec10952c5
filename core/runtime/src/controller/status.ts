/**
 * Status write-back (ARCHITECTURE §4, last stage): what netloom decided goes back to the cluster.
 * - Pods get annotations with their allocation: addresses, MAC, and the VLAN (network overlay) or tunnel key
 *   (host overlay) of their node — what the CNI plugin and people read.
 * - Objects with a problem get a Warning event saying what is wrong, once per distinct problem (not every pass).
 * Writes happen only when something changed, so a write-back never triggers a useless pass.
 * @packageDocumentation
 */
import type { NetworkState } from '@netloom/domain';
import type { ObjectProblem } from '@netloom/engine';
import { isNetloomError, type KubeKind, type KubernetesPort, type KubePod, type Logger } from '@netloom/ports';

/** Pod annotations netloom writes. */
export const STATUS_ANNOTATIONS = {
  ips: 'netloom.io/allocated-ips',
  mac: 'netloom.io/mac-address',
  vlan: 'netloom.io/vlan',
  tunnelKey: 'netloom.io/tunnel-key',
  subnet: 'netloom.io/allocated-subnet',
} as const;

const REASON_BY_CODE: Readonly<Record<string, string>> = {
  CONFLICT: 'NetloomConflict',
  'RESOURCE.EXHAUSTED': 'NetloomExhausted',
  'INPUT.INVALID': 'NetloomInvalid',
  'DOMAIN.INVARIANT': 'NetloomInvalid',
  NOT_FOUND: 'NetloomNotFound',
};

/** What one write-back did. */
export interface WriteBackResult {
  readonly annotated: number;
  readonly events: number;
  /** Writes that failed (logged; retried on the next pass). */
  readonly failed: number;
}

/** Writes allocations back as pod annotations and problems as events; remembers what it already reported. */
export class StatusWriter {
  readonly #reported = new Set<string>();

  constructor(
    private readonly source: KubernetesPort,
    private readonly logger: Logger,
  ) {}

  /** Writes back one pass's results. `pods` are the pods of the snapshot the pass compiled. */
  async write(opts: { network: NetworkState; problems: readonly ObjectProblem[]; pods: readonly KubePod[] }): Promise<WriteBackResult> {
    let annotated = 0;
    let events = 0;
    let failed = 0;
    const podsByKey = new Map(opts.pods.map((p) => [`${p.metadata.namespace ?? ''}/${p.metadata.name}`, p]));
    for (const ep of opts.network.endpoints ?? []) {
      if (ep.owner === undefined || ep.owner.kind.toLowerCase() !== 'pod' || ep.owner.namespace === undefined) continue;
      const pod = podsByKey.get(`${ep.owner.namespace}/${ep.owner.name}`);
      if (pod === undefined) continue;
      const want: Record<string, string | null> = {
        [STATUS_ANNOTATIONS.ips]: ep.ips.join(','),
        [STATUS_ANNOTATIONS.mac]: ep.mac ?? null,
        [STATUS_ANNOTATIONS.vlan]: ep.vlan !== undefined ? String(ep.vlan) : null,
        [STATUS_ANNOTATIONS.tunnelKey]: ep.tunnelKey !== undefined ? String(ep.tunnelKey) : null,
        [STATUS_ANNOTATIONS.subnet]: ep.subnet,
      };
      const have = pod.metadata.annotations ?? {};
      const patch = Object.fromEntries(Object.entries(want).filter(([k, v]) => (have[k] ?? null) !== v));
      if (Object.keys(patch).length === 0) continue;
      try {
        await this.source.patchAnnotations({ kind: 'Pod', namespace: ep.owner.namespace, name: ep.owner.name, annotations: patch });
        annotated++;
      } catch (e) {
        failed++;
        this.logger.warn({ pod: `${ep.owner.namespace}/${ep.owner.name}`, err: isNetloomError(e) ? e.code : String(e) }, 'could not annotate pod');
      }
    }
    for (const p of opts.problems) {
      const key = `${p.kind}/${p.namespace ?? ''}/${p.name}/${p.code}/${p.message}`;
      if (this.#reported.has(key)) continue;
      try {
        await this.source.recordEvent({
          regarding: { kind: p.kind as KubeKind, ...(p.namespace !== undefined ? { namespace: p.namespace } : {}), name: p.name },
          type: 'Warning',
          reason: REASON_BY_CODE[p.code] ?? 'NetloomFailed',
          message: `${p.message} [${p.code}]`,
          action: 'Compile',
        });
        this.#reported.add(key);
        events++;
      } catch (e) {
        failed++;
        this.logger.warn({ object: `${p.kind} ${p.namespace ?? ''}/${p.name}`, err: isNetloomError(e) ? e.code : String(e) }, 'could not record event');
      }
    }
    return { annotated, events, failed };
  }
}
