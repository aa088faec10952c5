// Injection fuzzing (issue 6) of the nftables adapter with the shared kit, against real nftables in a fresh network
// namespace: no string of a desired firewall config can end an `nft -f` line or add a token to it, and a mid-commit
// fault leaves the table at its last committed config. What is checked: @netloom/conformance/fuzz
// (runInjectionFuzz). Seed: NETLOOM_FUZZ_SEED.
//
// The samples leave legs out: a config with legs renders leg commands (medium argv) around the script (medium nft),
// and the kit judges one medium per run. The legs' string fields are Linux interface names and an address, refused
// by the codecs and the leg checks before any command (test/legs.render.test.ts).
import { adapter, conformanceTargets } from '@netloom/adapter-nftables';
import { firewallSamples } from '@netloom/conformance';
import { runInjectionFuzz } from '@netloom/conformance/fuzz';
import { skipUnlessNft } from '@netloom/adapter-nftables/testing';

const { legs: _legs, ...withoutLegs } = firewallSamples.byCapability;

// The check of the host is asynchronous (the package's sources do no synchronous I/O), and the kit's `skipUnless` is
// called synchronously: skipping in an enclosing suite's hook skips the kit's suite too.
describe('nftables injection fuzz (real nftables)', function () {
  before(async function () {
    await skipUnlessNft(this);
  });
  runInjectionFuzz({ adapter, port: 'firewall', target: conformanceTargets.firewall, medium: 'nft', samples: { full: firewallSamples.full, byCapability: withoutLegs } });
});
