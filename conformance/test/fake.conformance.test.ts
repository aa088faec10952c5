// The reference fake adapters pass every device-port kit, as an adapter's own three-line test file would run it;
// the `unsupported` variants exercise the NotSupported direction of every capability.
import { adapter } from '@netloom/adapter-fake';
import { runFabricConformance, runFirewallConformance, runLoadBalancerConformance, runVSwitchConformance } from '@netloom/conformance';
import { fakeTarget } from './fake.target';

runFabricConformance({ adapter, target: fakeTarget('fabric') });
runVSwitchConformance({ adapter, target: fakeTarget('vswitch') });
runFirewallConformance({ adapter, target: fakeTarget('firewall') });
runLoadBalancerConformance({ adapter, target: fakeTarget('loadBalancer') });

describe('fake devices lacking capabilities (options.unsupported)', () => {
  const lacking = (caps: string[]) => ({ lacks: caps, options: { unsupported: caps } });
  runFabricConformance({ adapter, target: fakeTarget('fabric', lacking(['interconnect', 'anycastGateway', 'confirmedCommit'])) });
  runFabricConformance({ adapter, target: fakeTarget('fabric', lacking(['vrf', 'accessBinding'])) });
  runVSwitchConformance({ adapter, target: fakeTarget('vswitch', lacking(['qos', 'securityGroup', 'vxlanTunnel'])) });
  runVSwitchConformance({ adapter, target: fakeTarget('vswitch', lacking(['uplinkTrunk', 'endpointPort'])) });
  runFirewallConformance({ adapter, target: fakeTarget('firewall', lacking(['addressSets'])) });
  runFirewallConformance({ adapter, target: fakeTarget('firewall', lacking(['policies', 'zones'])) });
  runLoadBalancerConformance({ adapter, target: fakeTarget('loadBalancer', lacking(['memberDrain', 'monitors'])) });
  runLoadBalancerConformance({ adapter, target: fakeTarget('loadBalancer', lacking(['virtualServers', 'pools'])) });
});
