// The `nft -j list table` reply nftables 1.0.x gives for what netloom renders, built from the model without nft:
// bare addresses for /32 and /128, `{ prefix }` otherwise, numbers and `{ range }` for ports, `ct state` with one
// state as a string. The stored reply in fixtures/ (captured from nft 1.0.6) keeps this honest.
import type { FirewallConfig } from '@netloom/ports';
import {
  FORWARD_CHAIN,
  NAMES,
  SET_INTERVAL,
  SET_TYPE,
  addressSetSets,
  forwardRules,
  policiesInOrder,
  policyDispatchRules,
  policyMatchRules,
  policySets,
  zoneChainRules,
  zoneSets,
  zonesInOrder,
  type NftMatch,
  type NftRule,
  type NftSetKind,
  type NftSetSpec,
  type PlainRange,
} from '@netloom/adapter-nftables';

function elementJson(kind: NftSetKind, v: string | PlainRange): unknown {
  if (typeof v !== 'string') return v.from === v.to ? v.from : { range: [v.from, v.to] };
  if (kind === 'ifname') return v;
  const [addr, len] = v.split('/') as [string, string];
  const host = (kind === 'ipv4' && len === '32') || (kind === 'ipv6' && len === '128');
  return host ? addr : { prefix: { addr, len: Number(len) } };
}

function matchJson(m: NftMatch): unknown {
  if (m.kind === 'l4proto') return { match: { op: '==', left: { meta: { key: 'l4proto' } }, right: m.proto } };
  if (m.kind === 'ctstate') return { match: { op: 'in', left: { ct: { key: 'state' } }, right: m.states.length === 1 ? m.states[0] : [...m.states] } };
  const [a, b] = m.key.split(' ') as [string, string | undefined];
  const left = b === undefined ? { meta: { key: a } } : { payload: { protocol: a, field: b } };
  return { match: { op: '==', left, right: `@${m.set}` } };
}

/** The JSON reply for `config` in `family table` (handles numbered in order). */
export function nftJsonFor(config: FirewallConfig, family = 'inet', table = 'netloom'): string {
  let handle = 0;
  const items: unknown[] = [{ metainfo: { version: '1.0.6', release_name: 'Lester Gooch #5', json_schema_version: 1 } }, { table: { family, name: table, handle: ++handle } }];
  const sets: NftSetSpec[] = [
    ...zonesInOrder(config).flatMap(zoneSets),
    ...Object.values(config.addressSet).flatMap(addressSetSets),
    ...policiesInOrder(config).flatMap(policySets),
  ];
  for (const s of sets) {
    const elem = s.elements.map((e) => elementJson(s.kind, e));
    items.push({ set: { family, name: s.name, table, type: SET_TYPE[s.kind], handle: ++handle, ...(SET_INTERVAL[s.kind] ? { flags: ['interval'] } : {}), ...(elem.length > 0 ? { elem } : {}) } });
  }
  const chains: { name: string; rules: NftRule[] }[] = [
    { name: FORWARD_CHAIN, rules: forwardRules(config) },
    ...zonesInOrder(config).map((z) => ({ name: NAMES.zoneChain(z.name), rules: zoneChainRules(z) })),
    ...policiesInOrder(config).flatMap((p) => [
      { name: NAMES.policyMatch(p.name), rules: policyMatchRules(p) },
      { name: NAMES.policyDispatch(p.name), rules: policyDispatchRules(p) },
    ]),
  ];
  for (const c of chains) {
    items.push({ chain: { family, table, name: c.name, handle: ++handle, ...(c.name === FORWARD_CHAIN ? { type: 'filter', hook: 'forward', prio: 0, policy: 'drop' } : {}) } });
  }
  for (const c of chains) {
    for (const r of c.rules) {
      const expr: unknown[] = r.matches.map(matchJson);
      if (r.logPrefix !== undefined) expr.push({ log: { prefix: r.logPrefix } });
      expr.push(r.verdict.kind === 'jump' ? { jump: { target: r.verdict.chain } } : { [r.verdict.kind]: null });
      items.push({ rule: { family, table, chain: c.name, handle: ++handle, ...(r.comment === undefined ? {} : { comment: r.comment }), expr } });
    }
  }
  return JSON.stringify({ nftables: items });
}
