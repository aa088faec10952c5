/**
 * Carving default subnets: a VPC without `Subnet` resources gets one subnet cut from the profile's container
 * blocks (`addressPlan.containerBlocks`, `defaultSubnetPrefix`). The choice is persisted with compare-and-set, so a
 * VPC keeps its block across runs and restarts, and two VPCs never get the same (or an overlapping) carved block,
 * not even when two controller replicas carve at once.
 *
 * Store layout (`intent/carve/`):
 * - `vpc/<vpc>/v4` / `vpc/<vpc>/v6` `{ cidr }` — the VPC's carved block of each family;
 * - `block/v4/<cidr>` / `block/v6/<cidr>` `{ vpc, cidr }` — the claim on a block (created with "revision must be 0").
 * Both keys of one carve are written in one commit.
 * @packageDocumentation
 */
import { cidrFirst, cidrLast, cidrsOverlap, familyBits, formatCidr, ipFromBigint, makeCidr, parseCidr, tryParseCidr, type Cidr, type IpFamily } from '@netloom/domain';
import { ExhaustedError, StoreError, type StorePort } from '@netloom/ports';
import { contended, keySegment, MAX_ATTEMPTS } from '../allocator.shared';

/** How many candidate blocks one carve looks at, at most, per container block. */
const MAX_CANDIDATES = 1 << 16;

/** Options of {@link carveSubnet}. */
export interface CarveOptions {
  readonly store: StorePort;
  readonly vpc: string;
  /** The container blocks (both families mixed; canonical or not). */
  readonly containerBlocks: readonly string[];
  readonly prefix: { readonly ipv4: number; readonly ipv6: number };
  /** Blocks a new carve should not overlap (the `Subnet` resources' CIDRs). Existing carves are kept as they are. */
  readonly avoid?: readonly string[];
}

const vpcKey = (vpc: string, family: IpFamily): string => `intent/carve/vpc/${keySegment(vpc)}/v${family}`;
const blockPrefix = (family: IpFamily): string => `intent/carve/block/v${family}/`;

/**
 * The VPC's carved CIDRs (IPv4 first): the ones it already has, else new blocks, one per family the container
 * blocks have. Idempotent; persisted before it returns.
 * @throws ExhaustedError (no free block left in a family), ConflictError (too much contention), StoreError
 * @example await carveSubnet({ store, vpc: 'shop', containerBlocks: ['10.244.0.0/16'], prefix: { ipv4: 24, ipv6: 64 } }) // ['10.244.0.0/24']
 */
export async function carveSubnet(opts: CarveOptions): Promise<string[]> {
  const blocks = opts.containerBlocks.map((b) => tryParseCidr(b) ?? parseCidr(b, { strict: false }));
  const avoid = (opts.avoid ?? []).map((a) => tryParseCidr(a)).filter((c): c is Cidr => c !== undefined);
  const out: string[] = [];
  for (const family of [4, 6] as const) {
    const ofFamily = blocks.filter((b) => b.family === family);
    if (ofFamily.length === 0) continue;
    out.push(await carveFamily(opts, family, ofFamily, avoid));
  }
  return out;
}

async function carveFamily(opts: CarveOptions, family: IpFamily, blocks: readonly Cidr[], avoid: readonly Cidr[]): Promise<string> {
  const prefix = family === 4 ? opts.prefix.ipv4 : opts.prefix.ipv6;
  const key = vpcKey(opts.vpc, family);
  for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
    const mine = await opts.store.get({ key });
    if (mine !== undefined) {
      const v = mine.value;
      const cidr = typeof v === 'object' && v !== null && !Array.isArray(v) ? v['cidr'] : undefined;
      if (typeof cidr !== 'string' || tryParseCidr(cidr) === undefined) throw new StoreError(`store value of ${key} has no CIDR "cidr" (damaged store)`, { details: { key } });
      return cidr;
    }
    const claimed: Cidr[] = [];
    for (const e of await opts.store.list({ prefix: blockPrefix(family) })) {
      const v = e.value;
      const cidr = typeof v === 'object' && v !== null && !Array.isArray(v) && typeof v['cidr'] === 'string' ? tryParseCidr(v['cidr']) : undefined;
      if (cidr !== undefined) claimed.push(cidr);
    }
    const candidate = firstFree(family, prefix, blocks, [...claimed, ...avoid]) ?? firstFree(family, prefix, blocks, claimed);
    if (candidate === undefined) {
      throw new ExhaustedError(
        `carve a default subnet for VPC ${JSON.stringify(opts.vpc)}: no free /${prefix} left in the container blocks ${blocks.map(formatCidr).join(', ')} (${claimed.length} carved); add container blocks or give the VPC a Subnet resource`,
        { details: { vpc: opts.vpc, family, carved: claimed.length } },
      );
    }
    const text = formatCidr(candidate);
    const claimKey = `${blockPrefix(family)}${keySegment(text)}`;
    const r = await opts.store.commit({
      checks: [
        { key, revision: 0 },
        { key: claimKey, revision: 0 },
      ],
      puts: [
        { key, value: { cidr: text } },
        { key: claimKey, value: { vpc: opts.vpc, cidr: text } },
      ],
      journal: { type: 'intent.carve', data: { vpc: opts.vpc, cidr: text } },
    });
    if (r.ok) return text;
  }
  throw contended(`carve a default subnet for VPC ${JSON.stringify(opts.vpc)}`, MAX_ATTEMPTS);
}

/** The first block of length `prefix` inside one of `blocks` (in order) that overlaps none of `taken`. */
function firstFree(family: IpFamily, prefix: number, blocks: readonly Cidr[], taken: readonly Cidr[]): Cidr | undefined {
  const step = 1n << BigInt(familyBits(family) - prefix);
  for (const block of blocks) {
    if (block.prefix > prefix) continue;
    let v = cidrFirst(block);
    for (let n = 0; n < MAX_CANDIDATES && v <= cidrLast(block); n++) {
      const cand = makeCidr(ipFromBigint(family, v), prefix);
      const hit = taken.find((t) => cidrsOverlap(t, cand));
      if (hit === undefined) return cand;
      // Skip past the block that is in the way (it may be larger than one candidate).
      const next = ((cidrLast(hit) + 1n + step - 1n) / step) * step;
      v = next > v ? next : v + step;
    }
  }
  return undefined;
}

/**
 * Gives up the VPC's carved blocks (the VPC left the cluster): both keys of each family in one commit. Idempotent.
 * @throws ConflictError (too much contention), StoreError
 */
export async function releaseCarve(store: StorePort, vpc: string): Promise<{ released: string[] }> {
  const released: string[] = [];
  for (const family of [4, 6] as const) {
    const key = vpcKey(vpc, family);
    for (let attempt = 1; ; attempt++) {
      const mine = await store.get({ key });
      if (mine === undefined) break;
      const v = mine.value;
      const cidr = typeof v === 'object' && v !== null && !Array.isArray(v) && typeof v['cidr'] === 'string' ? v['cidr'] : undefined;
      const claimKey = cidr === undefined ? undefined : `${blockPrefix(family)}${keySegment(cidr)}`;
      const found = claimKey === undefined ? undefined : await store.get({ key: claimKey });
      // A claim that names another VPC is not ours to drop (a damaged store): leave it, drop only our record.
      const claimVpc = found !== undefined && typeof found.value === 'object' && found.value !== null && !Array.isArray(found.value) ? found.value['vpc'] : undefined;
      const claim = claimVpc === vpc ? found : undefined;
      const r = await store.commit({
        checks: [{ key, revision: mine.revision }, ...(claimKey === undefined || claim === undefined ? [] : [{ key: claimKey, revision: claim.revision }])],
        deletes: [key, ...(claimKey === undefined || claim === undefined ? [] : [claimKey])],
        journal: { type: 'intent.carve.release', data: { vpc, cidr: cidr ?? null } },
      });
      if (r.ok) {
        if (cidr !== undefined) released.push(cidr);
        break;
      }
      if (attempt >= MAX_ATTEMPTS) throw contended(`release the carved blocks of VPC ${JSON.stringify(vpc)}`, MAX_ATTEMPTS);
    }
  }
  return { released };
}
