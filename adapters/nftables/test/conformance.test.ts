// The shared firewall kit against real nftables, one fresh network namespace per check.
import { runFirewallConformance } from '@netloom/conformance';
import { adapter, conformanceTargets } from '@netloom/adapter-nftables';
import { skipUnlessNft } from '@netloom/adapter-nftables/testing';

describe('nftables (real, one network namespace per check)', function () {
  before(async function () {
    await skipUnlessNft(this);
  });
  runFirewallConformance({ adapter, target: conformanceTargets.firewall });
});
