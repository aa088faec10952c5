// The hw-vtep adapter passes the shared fabric kit against a real ovsdb-server serving hardware_vtep (a fresh one
// per check), reached through the tap that counts the adapter's committed writes and injects faults.
import { adapter, conformanceTargets } from '@netloom/adapter-hw-vtep';
import { fabricFull, runFabricConformance } from '@netloom/conformance';
import { skipUnlessOvs } from '@netloom/ovsdb/testing';

describe('hw-vtep adapter', function () {
  before(function () {
    skipUnlessOvs(this, { vtep: true });
  });

  runFabricConformance({ adapter, target: conformanceTargets.fabric });

  describe('with a second binding in the samples (so a fault mid-commit has two changes to split)', function () {
    // The default samples give hw-vtep one segment and one binding: from the smallest sample to the richest is a
    // single change, and the kit skips rollback.fault-mid-commit. One more binding makes it run.
    const full = (): ReturnType<typeof fabricFull> => {
      const f = fabricFull();
      return { ...f, binding: { ...f.binding, 'Ethernet1/3:300': { key: 'Ethernet1/3:300', interface: 'Ethernet1/3', vlan: 300, l2Vni: 10020 } } };
    };
    runFabricConformance({
      adapter,
      target: conformanceTargets.fabric,
      samples: {
        full,
        byCapability: {
          l2Segment: { segment: ['10020'] },
          vrf: { vrf: ['vpc-shop'] },
          anycastGateway: { vrf: ['vpc-shop'], segment: ['10010'] },
          accessBinding: { segment: ['10020'], binding: ['Ethernet1/2:100', 'Ethernet1/3:300'] },
          interconnect: { vrf: ['vpc-shop'], interconnect: ['vrb-dc2'] },
          floodVtep: { segment: ['10020'], floodVtep: ['10020:192.0.2.141', '10020:192.0.2.142'] },
        },
      },
    });
  });
});
