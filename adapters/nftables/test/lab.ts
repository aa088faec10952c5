// Shared by the lab tests: skip (with a printed reason) unless real nftables can be used here, or fail when the lab
// is required (NETLOOM_LAB_REQUIRED=1), like `skipUnlessOvs` of @netloom/ovsdb/testing.
import { execFileSync } from 'node:child_process';

/** Why real nftables cannot be used here, or undefined when it can. */
export function nftUnavailableReason(): string | undefined {
  if (typeof process.getuid === 'function' && process.getuid() !== 0) return 'not root (network namespaces and nftables need root)';
  for (const [cmd, args] of [
    ['nft', ['--version']],
    ['ip', ['-V']],
  ] as const) {
    try {
      execFileSync(cmd, [...args], { stdio: 'ignore' });
    } catch {
      return `${cmd} is not installed or not on PATH`;
    }
  }
  return undefined;
}

/** In a mocha `before`: skips the suite with a printed reason when nftables is unavailable (throws when required). */
export function skipUnlessNft(ctx: { skip(): void }): void {
  const reason = nftUnavailableReason();
  if (reason === undefined) return;
  if (process.env['NETLOOM_LAB_REQUIRED'] === '1') throw new Error(`lab test required (NETLOOM_LAB_REQUIRED=1) but: ${reason}`);
  process.stdout.write(`      skipped: ${reason}\n`);
  ctx.skip();
}
