// The shared firewall kit against real nftables, one fresh network namespace per check: once on namespaces without
// an uplink (the device lacks legs: the kit expects NotSupportedError for them), once with legs as Open vSwitch
// access ports of a fresh bridge per check on a real ovs-vswitchd (userspace datapath).
import { runFirewallConformance } from '@netloom/conformance';
import { adapter, conformanceTargets, nftablesOvsTarget } from '@netloom/adapter-nftables';
import { skipUnlessNft } from '@netloom/adapter-nftables/testing';
import { skipUnlessOvs, startOvsSandbox, type OvsSandbox } from '@netloom/ovsdb/testing';

describe('nftables (real, one network namespace per check)', function () {
  before(async function () {
    await skipUnlessNft(this);
  });
  runFirewallConformance({ adapter, target: conformanceTargets.firewall });
});

describe('nftables (real, legs as Open vSwitch access ports, one bridge per check)', function () {
  let ovs: OvsSandbox | undefined;
  before(async function () {
    this.timeout(180_000);
    await skipUnlessNft(this);
    skipUnlessOvs(this, { vswitchd: true });
    ovs = await startOvsSandbox({ vswitchd: true });
  });
  after(async function () {
    await ovs?.stop();
  });
  runFirewallConformance({
    adapter,
    target: {
      kind: 'simulator',
      create: (c) => {
        if (ovs === undefined) throw new Error('no OVS sandbox (the before hook failed)');
        return nftablesOvsTarget({ db: ovs.unixRemote }).create(c);
      },
    },
  });
});
