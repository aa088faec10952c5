/**
 * Kubernetes label selectors (`app=web,tier!=db,env in (a,b),!canary`) for `list({ labelSelector })`: one
 * parser for every implementation of the kubernetes port (the scenario source, the client-node adapter's cache).
 * @packageDocumentation
 */
import { InputError, quoteText } from './errors';

/** Tests a label map against a parsed selector. */
export type LabelMatcher = (labels: Readonly<Record<string, string>> | undefined) => boolean;

type Requirement =
  | { readonly op: 'exists' | 'notExists'; readonly key: string }
  | { readonly op: 'eq' | 'neq'; readonly key: string; readonly value: string }
  | { readonly op: 'in' | 'notin'; readonly key: string; readonly values: readonly string[] };

const KEY = /^([a-z0-9]([-a-z0-9.]*[a-z0-9])?\/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
const VALUE = /^([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)?$/;

/** Splits at commas outside parentheses. */
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

function parseRequirement(raw: string, problems: string[]): Requirement | undefined {
  const s = raw.trim();
  const bad = (why: string): undefined => {
    problems.push(`${quoteText(s)}: ${why}`);
    return undefined;
  };
  const key = (k: string): string | undefined => (KEY.test(k) ? k : bad(`${quoteText(k)} is not a label key`));
  const value = (v: string): string | undefined => (VALUE.test(v) ? v : bad(`${quoteText(v)} is not a label value`));
  if (s === '') return bad('empty requirement');
  let m = /^!\s*(\S+)$/.exec(s);
  if (m) return key(m[1]!) === undefined ? undefined : { op: 'notExists', key: m[1]! };
  m = /^(\S+?)\s+(in|notin)\s*\(([^)]*)\)$/.exec(s);
  if (m) {
    const values = m[3]!.split(',').map((v) => v.trim());
    if (key(m[1]!) === undefined || values.some((v) => value(v) === undefined)) return undefined;
    return { op: m[2] === 'in' ? 'in' : 'notin', key: m[1]!, values };
  }
  m = /^([^=!\s]+)\s*(==|=|!=)\s*(\S*)$/.exec(s);
  if (m) {
    if (key(m[1]!) === undefined || value(m[3]!) === undefined) return undefined;
    return { op: m[2] === '!=' ? 'neq' : 'eq', key: m[1]!, value: m[3]! };
  }
  if (/^\S+$/.test(s)) return key(s) === undefined ? undefined : { op: 'exists', key: s };
  return bad('expected key, !key, key=value, key!=value, key in (a,b) or key notin (a,b)');
}

/**
 * Parses a label selector in Kubernetes syntax. The empty selector matches everything.
 * @throws InputError (path `labelSelector`) naming each malformed requirement.
 * @example parseLabelSelector('app=web,tier in (fe,be)')({ app: 'web', tier: 'fe' }) // true
 */
export function parseLabelSelector(text: string): LabelMatcher {
  if (text.trim() === '') return () => true;
  const problems: string[] = [];
  const reqs = splitTop(text).map((r) => parseRequirement(r, problems));
  if (problems.length > 0) throw InputError.fromProblems(`label selector ${quoteText(text)}`, problems.map((reason) => ({ path: 'labelSelector', reason })));
  return (labels) =>
    (reqs as Requirement[]).every((r) => {
      const v = labels?.[r.key];
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
