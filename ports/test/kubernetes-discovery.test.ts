import { strict as assert } from 'node:assert';
import {
  DeviceIdentityCodec,
  KUBE_KINDS,
  KUBE_OBJECT_CODECS,
  KubeObjectCodec,
  KubeWatchEventCodec,
  LldpNeighborsCodec,
  decodeOrThrow,
  decodeProblems,
  type KubePod,
  type KubernetesPort,
} from '@netloom/ports';

const meta = (name: string, namespace?: string) => ({ name, ...(namespace === undefined ? {} : { namespace }), uid: `uid-${name}`, resourceVersion: '1' });

describe('ports: kubernetes shapes', () => {
  it('has a codec per kind', () => {
    assert.deepEqual(Object.keys(KUBE_OBJECT_CODECS).sort(), [...KUBE_KINDS].sort());
  });

  it('decodes a Pod as the API returns it, keeping only what netloom reads', () => {
    const apiPod = {
      kind: 'Pod',
      apiVersion: 'v1',
      metadata: {
        ...meta('web-0', 'shop'),
        annotations: { 'netloom.io/subnet': 'web' },
        ownerReferences: [{ apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'web', uid: 'u-sts', controller: true, blockOwnerDeletion: true }],
        managedFields: [{ manager: 'kubelet' }],
      },
      spec: { nodeName: 'node-1', containers: [{ name: 'app', image: 'nginx' }] },
      status: { phase: 'Running', podIPs: [{ ip: '10.1.0.5' }], conditions: [] },
    };
    const pod = decodeOrThrow(KubeObjectCodec, apiPod, 'pod') as KubePod;
    assert.deepEqual(pod, {
      kind: 'Pod',
      metadata: { ...meta('web-0', 'shop'), annotations: { 'netloom.io/subnet': 'web' }, ownerReferences: [{ apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'web', uid: 'u-sts', controller: true }] },
      spec: { nodeName: 'node-1' },
      status: { phase: 'Running', podIPs: [{ ip: '10.1.0.5' }] },
    });
  });

  it('decodes Service, EndpointSlice, Subnet and VpcPeering samples', () => {
    const objects = [
      { kind: 'Namespace', metadata: { ...meta('shop'), labels: { 'netloom.io/vpc': 'shop' } } },
      { kind: 'Node', metadata: meta('node-1'), status: { addresses: [{ type: 'InternalIP', address: '10.0.0.1' }] } },
      { kind: 'Service', metadata: meta('web', 'shop'), spec: { type: 'LoadBalancer', ports: [{ port: 443, protocol: 'TCP', targetPort: 'https' }] } },
      {
        kind: 'EndpointSlice',
        metadata: { ...meta('web-abc', 'shop'), labels: { 'kubernetes.io/service-name': 'web' } },
        addressType: 'IPv4',
        endpoints: [{ addresses: ['10.1.0.5'], conditions: { ready: false, terminating: true }, nodeName: 'node-1' }],
        ports: [{ port: 8443, protocol: 'TCP' }],
      },
      { kind: 'Subnet', metadata: { ...meta('web'), generation: 2 }, spec: { cidrs: ['10.1.0.0/24', 'fd00:1::/64'], excludeRanges: ['10.1.0.2..10.1.0.9'], namespaces: ['shop'], default: true }, status: { conditions: [{ type: 'Ready', status: 'True' }] } },
      { kind: 'VpcPeering', metadata: meta('shop-pay'), spec: { vpcs: ['shop', 'pay'], allow: [{ protocol: 'tcp', ports: [443, '8000-8080', { from: 9000, to: 9001 }] }] } },
    ];
    for (const o of objects) assert.deepEqual(decodeOrThrow(KubeObjectCodec, o, o.kind), o);
  });

  it('names the failing field of a bad object', () => {
    assert.deepEqual(decodeProblems(KubeObjectCodec, { kind: 'Subnet', metadata: meta('web'), spec: { cidrs: '10.1.0.0/24' } }).problems, [
      { path: 'spec.cidrs', reason: 'expected ReadonlyArray<string>, got "10.1.0.0/24"' },
    ]);
    assert.deepEqual(decodeProblems(KubeObjectCodec, { kind: 'VpcPeering', metadata: meta('p'), spec: { vpcs: ['a'], allow: [{ protocol: 'any' }] } }).problems, [{ path: 'spec.vpcs[1]', reason: 'required' }]);
    assert.deepEqual(decodeProblems(KubeObjectCodec, { kind: 'Deployment', metadata: meta('d') }).problems, [
      { path: 'kind', reason: 'expected "Namespace" | "Node" | "Pod" | "Service" | "EndpointSlice" | "Subnet" | "VpcPeering" | "SecurityGroup", got "Deployment"' },
    ]);
    assert.deepEqual(decodeProblems(KubeObjectCodec, { kind: 'Pod', metadata: { name: 'x', uid: 'u' }, spec: {} }).problems, [{ path: 'metadata.resourceVersion', reason: 'required' }]);
  });

  it('decodes watch events', () => {
    const e = { type: 'deleted', object: { kind: 'Namespace', metadata: meta('old') } };
    assert.deepEqual(decodeOrThrow(KubeWatchEventCodec, e, 'event'), e);
    assert.deepEqual(decodeProblems(KubeWatchEventCodec, { ...e, type: 'bookmark' }).problems, [{ path: 'type', reason: 'expected "added" | "modified" | "deleted", got "bookmark"' }]);
  });

  it('the port type can be implemented with only its required methods', () => {
    const stub: KubernetesPort = {
      capabilities: { watch: true, statusWrite: false, annotationWrite: false, events: false, leases: false },
      list: async () => ({ items: [], resourceVersion: '0' }),
      watch: async () => () => undefined,
      patchAnnotations: async () => undefined,
      patchStatus: async () => undefined,
      recordEvent: async () => undefined,
      close: async () => undefined,
    };
    assert.equal(stub.acquireLease, undefined);
  });
});

describe('ports: discovery replies', () => {
  it('decodes identity (OID without leading dot) and LLDP neighbours', () => {
    assert.deepEqual(decodeOrThrow(DeviceIdentityCodec, { sysDescr: 'Arista EOS', sysObjectId: '.1.3.6.1.4.1.30065.1.3011', sysName: 'leaf2', sysUpTime: 5 }, 'identity'), {
      sysDescr: 'Arista EOS',
      sysObjectId: '1.3.6.1.4.1.30065.1.3011',
      sysName: 'leaf2',
    });
    const n = [{ localPort: 'Ethernet1/1', remoteSysName: 'node-1', remotePortId: 'eth1', remoteChassisId: '52:54:00:12:34:56' }];
    assert.deepEqual(decodeOrThrow(LldpNeighborsCodec, n, 'lldp'), n);
  });

  it('rejects a malformed reply with its path', () => {
    assert.deepEqual(decodeProblems(DeviceIdentityCodec, { sysDescr: 'x', sysObjectId: 'enterprises.30065', sysName: 'l' }).problems, [
      { path: 'sysObjectId', reason: '"enterprises.30065" is not a numeric OID' },
    ]);
    assert.deepEqual(decodeProblems(LldpNeighborsCodec, [{ localPort: 'Ethernet1/1', remoteSysName: 'n' }]).problems, [{ path: '[0].remotePortId', reason: 'required' }]);
  });
});
