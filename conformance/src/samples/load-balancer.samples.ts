/** Load-balancer samples for the kit (see `samples.ts`). @packageDocumentation */
import type { LoadBalancerConfigInput } from '@netloom/ports';
import { badNameInputs, putObject, type DeviceSamples } from './samples';

/** A rich load-balancer config: a partition, a monitor, a monitored and a plain pool, members (one draining), two virtual servers. */
export const loadBalancerFull = (): LoadBalancerConfigInput => ({
  partition: { shop: { key: 'shop', name: 'shop', vpc: 'shop' } },
  monitor: { 'shop/http': { key: 'shop/http', partition: 'shop', name: 'http', type: 'http', intervalSec: 5, timeoutSec: 16, httpPath: '/healthz' } },
  pool: {
    'shop/web': { key: 'shop/web', partition: 'shop', name: 'web', loadBalancing: 'round-robin', monitor: 'http' },
    'shop/api': { key: 'shop/api', partition: 'shop', name: 'api', loadBalancing: 'least-connections' },
  },
  member: {
    'shop/web/10.1.0.5:8080': { key: 'shop/web/10.1.0.5:8080', partition: 'shop', pool: 'web', address: '10.1.0.5', port: 8080, state: 'enabled' },
    'shop/web/[fd00:1::6]:8080': { key: 'shop/web/[fd00:1::6]:8080', partition: 'shop', pool: 'web', address: 'fd00:1::6', port: 8080, state: 'enabled', weight: 2 },
    'shop/api/10.1.0.7:9090': { key: 'shop/api/10.1.0.7:9090', partition: 'shop', pool: 'api', address: '10.1.0.7', port: 9090, state: 'enabled' },
    'shop/api/10.1.0.8:9090': { key: 'shop/api/10.1.0.8:9090', partition: 'shop', pool: 'api', address: '10.1.0.8', port: 9090, state: 'draining' },
  },
  virtualServer: {
    'shop/web-443': { key: 'shop/web-443', partition: 'shop', name: 'web-443', vip: '192.0.2.10', port: 443, protocol: 'tcp', pool: 'web' },
    'shop/api-80': { key: 'shop/api-80', partition: 'shop', name: 'api-80', vip: '192.0.2.11', port: 80, protocol: 'tcp', pool: 'api' },
  },
});

/** The kit's default load-balancer samples. */
export const loadBalancerSamples: DeviceSamples = {
  full: loadBalancerFull,
  byCapability: {
    partitions: { partition: ['shop'] },
    monitors: { partition: ['shop'], monitor: ['shop/http'] },
    pools: { partition: ['shop'], pool: ['shop/api'], member: ['shop/api/10.1.0.7:9090'] },
    memberDrain: { partition: ['shop'], pool: ['shop/api'], member: ['shop/api/10.1.0.8:9090'] },
    virtualServers: { partition: ['shop'], pool: ['shop/api'], virtualServer: ['shop/api-80'] },
  },
  foreign: { kind: 'partition', object: { key: 'Common', name: 'Common' } },
  badInputs: [
    {
      id: 'port-70000',
      title: 'a virtual server on port 70000',
      capability: 'virtualServers',
      edit: (c) => {
        putObject(c, 'partition', { key: 'bad', name: 'bad' });
        putObject(c, 'pool', { key: 'bad/p', partition: 'bad', name: 'p', loadBalancing: 'round-robin' });
        putObject(c, 'virtualServer', { key: 'bad/vs', partition: 'bad', name: 'vs', vip: '192.0.2.99', port: 70_000, protocol: 'tcp', pool: 'p' });
      },
    },
    {
      id: 'vip-invalid',
      title: 'a member whose address is not an IP address',
      capability: 'pools',
      edit: (c) => {
        putObject(c, 'partition', { key: 'bad', name: 'bad' });
        putObject(c, 'pool', { key: 'bad/p', partition: 'bad', name: 'p', loadBalancing: 'round-robin' });
        putObject(c, 'member', { key: 'bad/p/10.0.0.300:80', partition: 'bad', pool: 'p', address: '10.0.0.300', port: 80, state: 'enabled' });
      },
    },
    ...badNameInputs('partition', 'partitions', (name) => ({ key: name, name })),
  ],
};
