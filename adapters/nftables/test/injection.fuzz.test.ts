// Injection fuzzing (issue 6) of the nftables adapter with the shared kit, against real nftables in a fresh network
// namespace: no string of a desired firewall config can end an `nft -f` line or add a token to it, and a mid-commit
// fault leaves the table at its last committed config. What is checked: @netloom/conformance/fuzz
// (runInjectionFuzz). Seed: NETLOOM_FUZZ_SEED.
import { adapter, conformanceTargets } from '@netloom/adapter-nftables';
import { runInjectionFuzz } from '@netloom/conformance/fuzz';
import { skipUnlessNft } from '@netloom/adapter-nftables/testing';

// The check of the host is asynchronous (the package's sources do no synchronous I/O), and the kit's `skipUnless` is
// called synchronously: skipping in an enclosing suite's hook skips the kit's suite too.
describe('nftables injection fuzz (real nftables)', function () {
  before(async function () {
    await skipUnlessNft(this);
  });
  runInjectionFuzz({ adapter, port: 'firewall', target: conformanceTargets.firewall, medium: 'nft' });
});
