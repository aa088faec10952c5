// The shared vswitch kit against the simulators: the OVSDB simulator (Open_vSwitch schema, ovs-vswitchd stand-in)
// and the OpenFlow switch simulator, one fresh pair per check. No root, no Open vSwitch needed.
import { runVSwitchConformance } from '@netloom/conformance';
import { adapter, conformanceTargets } from '@netloom/adapter-ovs';

describe('ovs (OVSDB and OpenFlow simulators, one pair per check)', function () {
  runVSwitchConformance({ adapter, target: conformanceTargets.vswitchSimulated });
});
