// The shared vswitch kit against the simulators standing in for the S1020V: the OVSDB simulator (Open_vSwitch
// schema, ovs-vswitchd stand-in) and the OpenFlow switch simulator, one fresh pair per check. No root needed.
import { runVSwitchConformance } from '@netloom/conformance';
import { adapter, conformanceTargets } from '@netloom/adapter-h3c-s1020v';

describe('h3c-s1020v (OVSDB and OpenFlow simulators, one pair per check)', function () {
  runVSwitchConformance({ adapter, target: conformanceTargets.vswitchSimulated });
});
