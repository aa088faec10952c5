// The shared load-balancer kit against the F5 BIG-IP simulator, one fresh simulated device per check.
import { runLoadBalancerConformance } from '@netloom/conformance';
import { adapter } from '@netloom/adapter-f5-bigip';
import { conformanceTargets } from './targets';

runLoadBalancerConformance({ adapter, target: conformanceTargets.loadBalancer });
