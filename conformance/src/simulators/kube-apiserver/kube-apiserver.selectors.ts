/**
 * Label and field selectors as the Kubernetes API server parses them (`labelSelector=app=web,tier in (fe,be),!canary`,
 * `fieldSelector=metadata.name=web-0,spec.nodeName!=node-1`).
 *
 * @packageDocumentation
 */

/** Why a selector was refused (the API server answers 400 BadRequest with this text). */
export class KubeSelectorError extends Error {}

/** Tests an object (labels, or the whole object for field selectors). */
export type KubeSelectorMatcher = (object: Readonly<Record<string, unknown>>) => boolean;

type LabelRequirement =
  | { readonly op: 'exists' | 'notExists'; readonly key: string }
  | { readonly op: 'eq' | 'neq'; readonly key: string; readonly value: string }
  | { readonly op: 'in' | 'notin'; readonly key: string; readonly values: readonly string[] };

const LABEL_KEY = /^([a-z0-9]([-a-z0-9.]*[a-z0-9])?\/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
const LABEL_VALUE = /^([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)?$/;

/** Splits at commas outside parentheses (`a in (x,y),b` → `a in (x,y)`, `b`). */
function splitTop(text: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let cur = '';
  for (const ch of text) {
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    if (ch === ',' && depth === 0) {
      parts.push(cur);
      cur = '';
    } else cur += ch;
  }
  parts.push(cur);
  return parts;
}

function labelRequirement(raw: string): LabelRequirement {
  const s = raw.trim();
  const key = (k: string): string => {
    if (!LABEL_KEY.test(k)) throw new KubeSelectorError(`unable to parse requirement: invalid label key "${k}"`);
    return k;
  };
  const value = (v: string): string => {
    if (!LABEL_VALUE.test(v)) throw new KubeSelectorError(`unable to parse requirement: invalid label value: "${v}"`);
    return v;
  };
  if (s === '') throw new KubeSelectorError('found \'\', expected: !, identifier, or \'end of string\'');
  let m = /^!\s*(\S+)$/.exec(s);
  if (m) return { op: 'notExists', key: key(m[1]!) };
  m = /^(\S+?)\s+(in|notin)\s*\(([^)]*)\)$/.exec(s);
  if (m) return { op: m[2] === 'in' ? 'in' : 'notin', key: key(m[1]!), values: m[3]!.split(',').map((v) => value(v.trim())) };
  m = /^([^=!\s]+)\s*(==|=|!=)\s*(\S*)$/.exec(s);
  if (m) return { op: m[2] === '!=' ? 'neq' : 'eq', key: key(m[1]!), value: value(m[3]!) };
  if (/^\S+$/.test(s)) return { op: 'exists', key: key(s) };
  throw new KubeSelectorError(`unable to parse requirement: "${s}"`);
}

/**
 * Parses a label selector; the empty selector matches everything. The matcher takes the object's labels.
 * @throws KubeSelectorError naming the malformed requirement.
 * @example parseKubeLabelSelector('app=web,tier in (fe)')({ app: 'web', tier: 'fe' }) // true
 */
export function parseKubeLabelSelector(text: string): KubeSelectorMatcher {
  if (text.trim() === '') return () => true;
  const reqs = splitTop(text).map(labelRequirement);
  return (labels) =>
    reqs.every((r) => {
      const raw = labels[r.key];
      const v = typeof raw === 'string' ? raw : undefined;
      switch (r.op) {
        case 'exists':
          return v !== undefined;
        case 'notExists':
          return v === undefined;
        case 'eq':
          return v === r.value;
        case 'neq':
          return v !== r.value;
        case 'in':
          return v !== undefined && r.values.includes(v);
        case 'notin':
          return v === undefined || !r.values.includes(v);
      }
    });
}

/** The value at a dotted path (`spec.nodeName`), as the field selector compares it (text; absent: ''). */
export function fieldValue(object: Readonly<Record<string, unknown>>, path: string): string {
  let cur: unknown = object;
  for (const part of path.split('.')) {
    if (typeof cur !== 'object' || cur === null) return '';
    cur = (cur as Record<string, unknown>)[part];
  }
  if (cur === undefined || cur === null) return '';
  return typeof cur === 'string' ? cur : String(cur);
}

/**
 * Parses a field selector (`=`, `==`, `!=` joined by commas) over the fields `allowed` names; the empty selector
 * matches everything. The matcher takes the whole object.
 * @throws KubeSelectorError for a malformed term or a field the resource does not support.
 * @example parseKubeFieldSelector('metadata.name=web-0', ['metadata.name'])({ metadata: { name: 'web-0' } }) // true
 */
export function parseKubeFieldSelector(text: string, allowed: readonly string[]): KubeSelectorMatcher {
  if (text.trim() === '') return () => true;
  const terms = text.split(',').map((raw) => {
    const m = /^\s*([^=!\s]+)\s*(==|=|!=)\s*(.*?)\s*$/.exec(raw);
    if (!m) throw new KubeSelectorError(`invalid selector: '${text}'; can't understand '${raw}'`);
    if (!allowed.includes(m[1]!)) throw new KubeSelectorError(`field label not supported: ${m[1]!}`);
    return { field: m[1]!, negate: m[2] === '!=', value: m[3]! };
  });
  return (object) => terms.every((t) => (fieldValue(object, t.field) === t.value) !== t.negate);
}
