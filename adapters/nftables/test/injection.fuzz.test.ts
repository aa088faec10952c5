// Injection fuzzing (issue 6) of the nftables adapter with the shared kit, against real nftables in a fresh network
// namespace: no string of a desired firewall config can end an `nft -f` line or add a token to it, and a mid-commit
// fault leaves the table at its last committed config. What is checked: @netloom/conformance/fuzz
// (runInjectionFuzz). Seed: NETLOOM_FUZZ_SEED.
import { adapter, conformanceTargets } from '@netloom/adapter-nftables';
import { runInjectionFuzz } from '@netloom/conformance/fuzz';
import { skipUnlessNft } from './lab';

runInjectionFuzz({ adapter, port: 'firewall', target: conformanceTargets.firewall, medium: 'nft', skipUnless: skipUnlessNft });
