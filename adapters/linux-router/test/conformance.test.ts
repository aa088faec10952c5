// The shared fabric kit against real Linux routers: one fresh router per check, with 802.1Q legs where the kernel
// has 802.1Q, and with Open vSwitch legs on a real ovs-vswitchd (userspace datapath).
import { runFabricConformance } from '@netloom/conformance';
import { adapter, conformanceSamples, conformanceTargets, linuxRouterOvsTarget, ovsTargetUplink, routerSamples } from '@netloom/adapter-linux-router';
import { skipUnlessOvs, startOvsSandbox, type OvsSandbox } from '@netloom/ovsdb/testing';
import { skipUnlessRouter, skipUnlessVlan } from './lab';

describe('linux-router (real, 802.1Q legs, one router host namespace per check)', function () {
  before(function () {
    skipUnlessVlan(this);
  });
  runFabricConformance({ adapter, target: conformanceTargets.fabric, samples: conformanceSamples.fabric });
});

describe('linux-router (real, Open vSwitch legs, one OVS bridge per check)', function () {
  let ovs: OvsSandbox | undefined;
  before(async function () {
    this.timeout(180_000);
    skipUnlessRouter(this);
    skipUnlessOvs(this, { vswitchd: true });
    ovs = await startOvsSandbox({ vswitchd: true });
  });
  after(async function () {
    await ovs?.stop();
  });
  runFabricConformance({
    adapter,
    target: {
      kind: 'simulator',
      create: (c) => {
        if (ovs === undefined) throw new Error('no OVS sandbox (the before hook failed)');
        return linuxRouterOvsTarget({ db: ovs.unixRemote, env: ovs.env }).create(c);
      },
    },
    samples: routerSamples(ovsTargetUplink()),
  });
});
