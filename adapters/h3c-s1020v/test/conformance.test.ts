// The shared vswitch kit against a real Open vSwitch 3.1 standing in for the S1020V (ovsdb-server + userspace
// ovs-vswitchd), one sandbox per check.
import { runVSwitchConformance } from '@netloom/conformance';
import { skipUnlessOvs } from '@netloom/ovsdb/testing';
import { adapter, conformanceTargets } from '@netloom/adapter-h3c-s1020v';

describe('h3c-s1020v (OVS-compatible mode on a real Open vSwitch, one sandbox per check)', function () {
  before(function () {
    skipUnlessOvs(this, { vswitchd: true });
  });
  runVSwitchConformance({ adapter, target: conformanceTargets.vswitch });
});
