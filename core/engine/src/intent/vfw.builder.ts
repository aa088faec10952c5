/**
 * The VFW the engine assembles: one zone per VPC (traffic between zones is denied unless a policy allows it, the
 * firewall port's contract), allow policies for peerings and DNS. Policy priorities are derived from a hash of
 * the policy name (probing on a collision), so adding or removing one policy leaves the others' priorities alone
 * and a reconcile touches only what changed. All policies allow, so their relative order has no effect.
 * @packageDocumentation
 */
import { createVfw, VFW_PRIORITY_MAX, type Vfw } from '@netloom/domain';
import type { VfwPolicyDraft } from '@netloom/ports';
import { fitName, shortHash, VFW_NAME } from './intent.names';
import { cmp } from './intent.problems';

/** A policy before naming and prioritising (the plugins add them; the type lives in `@netloom/ports`). */
export type { VfwPolicyDraft } from '@netloom/ports';

/** First priority handed out; 1..999 are left for policies an operator may add in front later. */
const PRIORITY_BASE = 1000;

/** The VFW over `vpcs` with the drafts whose both VPCs are among them; undefined when there is no VPC. */
export function buildVfw(vpcs: readonly string[], drafts: readonly VfwPolicyDraft[]): Vfw | undefined {
  if (vpcs.length === 0) return undefined;
  const kept = new Set(vpcs);
  const used = new Set<number>();
  const names = new Set<string>();
  const span = VFW_PRIORITY_MAX - PRIORITY_BASE + 1;
  const policies = drafts
    .filter((d) => kept.has(d.srcVpc) && kept.has(d.dstVpc))
    .map((d) => ({ d, name: fitName(d.key) }))
    .sort((a, b) => cmp(a.name, b.name))
    .map(({ d, name }) => {
      let unique = name;
      for (let n = 1; names.has(unique); n++) unique = fitName(`${name}_${n}`);
      names.add(unique);
      let priority = PRIORITY_BASE + (parseInt(shortHash(unique, 8), 16) % span);
      while (used.has(priority)) priority = priority >= VFW_PRIORITY_MAX ? PRIORITY_BASE : priority + 1;
      used.add(priority);
      return { name: unique, srcZone: d.srcVpc, dstZone: d.dstVpc, match: d.match, action: 'allow' as const, priority };
    });
  return createVfw({ name: VFW_NAME, zones: [...vpcs].sort(cmp).map((v) => ({ name: v, vpc: v })), policies });
}
