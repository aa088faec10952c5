/**
 * Rate annotations (`netloom.io/ingress-rate`, `netloom.io/egress-rate`) → kbit/s.
 * @packageDocumentation
 */

/** Largest rate a vswitch port takes (100 Gbit/s), in kbit/s. */
export const MAX_RATE_KBPS = 100_000_000;

const RATE = /^(\d+(?:\.\d+)?)([kKMGT]i?)?$/;

const FACTOR: Readonly<Record<string, number>> = {
  '': 1,
  k: 1e3,
  K: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  ki: 1024,
  Ki: 1024,
  Mi: 1024 ** 2,
  Gi: 1024 ** 3,
  Ti: 1024 ** 4,
};

/**
 * Parses a rate in bit/s with an optional SI (`k`, `M`, `G`, `T`) or binary (`Ki`, `Mi`, `Gi`, `Ti`) suffix, as
 * Kubernetes' bandwidth annotations write it, and returns kbit/s (rounded down).
 * @returns the rate, or a reason why the text is not one (at least 1 kbit/s, at most 100 Gbit/s).
 * @example parseRateKbps('100M') // { kbps: 100000 }; parseRateKbps('1G') // { kbps: 1000000 }; parseRateKbps('500k') // { kbps: 500 }
 */
export function parseRateKbps(text: string): { readonly kbps: number } | { readonly reason: string } {
  const m = RATE.exec(text.trim());
  if (m === null) return { reason: `${JSON.stringify(text)} is not a rate (a number of bit/s with an optional suffix k, M, G, T, Ki, Mi, Gi: e.g. 100M)` };
  const factor = FACTOR[m[2] ?? ''] ?? 1;
  const kbps = Math.floor((Number(m[1]) * factor) / 1000);
  if (kbps < 1) return { reason: `${JSON.stringify(text)} is below 1 kbit/s` };
  if (kbps > MAX_RATE_KBPS) return { reason: `${JSON.stringify(text)} is above 100 Gbit/s` };
  return { kbps };
}
