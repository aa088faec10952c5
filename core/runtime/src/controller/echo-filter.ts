/**
 * Tells watch events that carry new intent from the echoes of netloom's own write-back.
 *
 * After a pass the controller writes pod annotations, Service `status.loadBalancer` and VpcPeering conditions; the
 * API server then sends each written object back as a `modified` event. Reconciling on those echoes costs a full
 * pass that finds nothing to do (the lab bench measured one such pass per pod). An event is an echo when the
 * object, without what netloom itself writes and without bookkeeping metadata, is the same as the last time it was
 * seen; anything else (a new object, a deletion, a changed spec, label or foreign annotation, a Pod's status) still
 * triggers a pass. Level-triggered safety is kept by the periodic resync: a dropped event is repaired there.
 *
 * @packageDocumentation
 */
import { createHash } from 'node:crypto';
import type { KubeWatchEvent } from '@netloom/ports';
import { STATUS_ANNOTATIONS } from './status';

const OWN_ANNOTATIONS: ReadonlySet<string> = new Set(Object.values(STATUS_ANNOTATIONS));
/** Kinds whose whole `status` is netloom's output (their intent is in `spec`, labels and annotations). */
const STATUS_WRITTEN_BY_NETLOOM: ReadonlySet<string> = new Set(['Service', 'VpcPeering', 'Subnet', 'SecurityGroup']);
/** Metadata the API server changes on every write. */
const BOOKKEEPING = ['resourceVersion', 'managedFields', 'generation'] as const;

type Obj = Record<string, unknown>;
const isObj = (u: unknown): u is Obj => typeof u === 'object' && u !== null && !Array.isArray(u);

/** A stable JSON text (sorted keys), so that key order never makes two equal objects differ. */
function stable(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stable).join(',')}]`;
  if (isObj(value)) {
    return `{${Object.keys(value)
      .sort()
      .filter((k) => value[k] !== undefined)
      .map((k) => `${JSON.stringify(k)}:${stable(value[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/** What of an object is intent: the object without bookkeeping metadata and without what netloom writes. */
export function intentOf(object: Obj): Obj {
  const kind = typeof object['kind'] === 'string' ? object['kind'] : '';
  const metadata: Obj = isObj(object['metadata']) ? { ...object['metadata'] } : {};
  for (const k of BOOKKEEPING) delete metadata[k];
  if (isObj(metadata['annotations'])) {
    const annotations = Object.fromEntries(Object.entries(metadata['annotations']).filter(([k]) => !OWN_ANNOTATIONS.has(k)));
    if (Object.keys(annotations).length > 0) metadata['annotations'] = annotations;
    else delete metadata['annotations'];
  }
  const out: Obj = { ...object, metadata };
  if (STATUS_WRITTEN_BY_NETLOOM.has(kind)) delete out['status'];
  return out;
}

/**
 * Remembers a fingerprint of each object's intent and says whether an event changes it.
 * @example const echoes = new EchoFilter(); source.watch(opts, (e) => { if (echoes.changesIntent(e)) loop.trigger('watch'); });
 */
export class EchoFilter {
  private readonly seen = new Map<string, string>();

  /** True when the event must trigger a pass; false for an echo of netloom's own writes. */
  changesIntent(event: KubeWatchEvent): boolean {
    const object = event.object as unknown as Obj;
    const metadata = isObj(object['metadata']) ? object['metadata'] : {};
    const key = `${String(object['kind'])}/${String(metadata['namespace'] ?? '')}/${String(metadata['name'] ?? '')}`;
    if (event.type === 'deleted') {
      this.seen.delete(key);
      return true;
    }
    const fingerprint = createHash('sha256').update(stable(intentOf(object))).digest('base64');
    const before = this.seen.get(key);
    this.seen.set(key, fingerprint);
    return before !== fingerprint;
  }

  /** How many objects it remembers. */
  get size(): number {
    return this.seen.size;
  }
}
