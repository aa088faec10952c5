// The shared vswitch kit against a real Open vSwitch (ovsdb-server + userspace ovs-vswitchd), one sandbox per check.
import { runVSwitchConformance } from '@netloom/conformance';
import { skipUnlessOvs } from '@netloom/ovsdb/testing';
import { adapter, conformanceTargets } from '@netloom/adapter-ovs';

describe('ovs (real Open vSwitch, one sandbox per check)', function () {
  before(function () {
    skipUnlessOvs(this, { vswitchd: true });
  });
  runVSwitchConformance({ adapter, target: conformanceTargets.vswitch });
});
