// Parsers on stored outputs of the simulated CE (test/fixtures/parse/*.txt, captured from HuaweiCeSimulator):
// configuration text → owned fabric objects and foreign ones, candidate changes, display version, commit list.
import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import {
  applyCandidateChanges,
  foreignProjection,
  parseCandidateChanges,
  parseCommitList,
  parseConfigText,
  parseVersion,
  readFabric,
  resolveOptions,
} from '@netloom/adapter-huawei-ce';
import { ErrorCode, isNetloomError } from '@netloom/ports';

const fixture = (name: string): string => readFileSync(path.join(__dirname, 'fixtures', 'parse', name), 'utf8');
const settings = resolveOptions({}, 'leaf1').render;
const isProtocolError = (e: unknown): boolean => isNetloomError(e) && e.code === ErrorCode.DEVICE_PROTOCOL;

describe('huawei-ce parsers', () => {
  it('reads exactly the objects netloom owns from display current-configuration', () => {
    const view = readFabric(parseConfigText(fixture('running-config.txt'), 'running'), settings, 'running');
    assert.deepEqual(view.config, {
      vrf: { vpc1: { key: 'vpc1', name: 'vpc1', l3Vni: 50001, importRouteTargets: ['65000:50001'], exportRouteTargets: ['65000:50001'] } },
      interconnect: {},
      segment: { '10010': { key: '10010', name: 'ls-web', l2Vni: 10010, vrf: 'vpc1', anycastGateway: { ipv4: ['10.1.0.1/24'], mac: '00:00:5e:00:01:01' } } },
      binding: { '10GE1/0/1:100': { key: '10GE1/0/1:100', interface: '10GE1/0/1', vlan: 100, l2Vni: 10010 } },
      floodVtep: {},
    });
  });

  it('lists foreign objects, and neither observes nor lists a marked object that is not well formed', () => {
    const view = readFabric(parseConfigText(fixture('running-config.txt'), 'running'), settings, 'running');
    assert.deepEqual(view.foreign, {
      vrf: { legacy: { key: 'legacy', name: 'legacy', l3Vni: 60000, description: 'made by hand' } },
      segment: { '20000': { key: '20000', bridgeDomain: 20000, l2Vni: 20000, description: 'legacy' } },
      binding: { '10GE1/0/2:5': { key: '10GE1/0/2:5', interface: '10GE1/0/2', subinterface: '10GE1/0/2.5', vlan: 5, bridgeDomain: 20000 } },
    });
    assert.equal(view.config.segment['30000'], undefined);
    assert.equal(view.warnings.length, 1);
    assert.match(view.warnings[0]!, /bridge-domain 30000 is marked as netloom's but is not well formed/);
    assert.equal(view.index.bridgeDomains.get(30000)?.marked, true);
    assert.equal(view.index.bridgeDomains.get(20000)?.marked, false);
    assert.equal(view.index.vnis.get(60000)?.owner, 'ip vpn-instance legacy');
    assert.equal(view.index.evpnOverlay, true);
    assert.equal(view.index.nve, true);
  });

  it('ignores a netloom sub-interface bound to a bridge domain netloom does not own, and a Vbdif bound to a foreign VRF', () => {
    const text = fixture('running-config.txt')
      .replace(' bridge-domain 10010\n#\ninterface 10GE1/0/2\n', ' bridge-domain 20000\n#\ninterface 10GE1/0/2\n')
      .replace(' ip binding vpn-instance vpc1', ' ip binding vpn-instance legacy');
    const view = readFabric(parseConfigText(text, 'running'), settings, 'running');
    assert.deepEqual(view.config.binding, {});
    assert.deepEqual(view.config.segment['10010'], { key: '10010', name: 'ls-web', l2Vni: 10010 });
    assert.equal(view.warnings.length, 3);
  });

  it('applies candidate changes (adds, removals, context lines) to the running tree', () => {
    const before = parseConfigText(fixture('running-config.txt'), 'running');
    const changes = parseCandidateChanges(fixture('candidate-changes-update.txt'), 'candidate');
    assert.equal(changes.length, 9);
    const after = applyCandidateChanges(before, changes, 'candidate');
    const view = readFabric(after, settings, 'candidate');
    assert.deepEqual(view.config.binding, {});
    assert.deepEqual(view.config.vrf['vpc1']?.importRouteTargets, undefined);
    assert.deepEqual(view.config.segment['10010']?.anycastGateway, { ipv4: ['10.1.0.1/24'] });
    // Only netloom's objects changed: the foreign projection is the same.
    const vnis = new Set([10010]);
    assert.equal(foreignProjection(before, vnis), foreignProjection(after, vnis));
    // A removal of a foreign line shows in the projection.
    const foreignEdit = applyCandidateChanges(before, parseCandidateChanges(' interface Nve1\n- source 10.0.0.11\n', 'candidate'), 'candidate');
    assert.notEqual(foreignProjection(before, vnis), foreignProjection(foreignEdit, vnis));
  });

  it('builds the candidate of a fresh device from "+" lines', () => {
    const running = parseConfigText('#\nsysname Leaf1\n#\nevpn-overlay enable\n#\ninterface Nve1\n source 10.0.0.11\n#\nreturn\n', 'running');
    const after = applyCandidateChanges(running, parseCandidateChanges(fixture('candidate-changes-create.txt'), 'candidate'), 'candidate');
    const view = readFabric(after, settings, 'candidate');
    assert.deepEqual(Object.keys(view.config.segment), ['10010']);
    assert.deepEqual(Object.keys(view.config.binding), ['10GE1/0/1:100']);
  });

  it('refuses candidate output it cannot place, and configuration text with broken indentation', () => {
    assert.throws(() => parseCandidateChanges('*bridge-domain 10\n', 'candidate'), isProtocolError);
    const running = parseConfigText('#\nsysname Leaf1\n#\nreturn\n', 'running');
    assert.throws(() => applyCandidateChanges(running, parseCandidateChanges('-bridge-domain 10\n', 'candidate'), 'candidate'), (e: unknown) => isProtocolError(e) && /not in the running configuration/.test((e as Error).message));
    assert.throws(() => parseConfigText('bridge-domain 10\n   vxlan vni 10\n', 'running'), (e: unknown) => isProtocolError(e) && /line 2/.test((e as Error).message));
  });

  it('reads display version into facts, and names the missing line of a reply it does not understand', () => {
    assert.deepEqual(parseVersion(fixture('display-version.txt'), 'Leaf1', 'display version'), {
      vendor: 'Huawei',
      model: 'CE6881-48S6CQ',
      osVersion: 'V200R005C10SPC800',
      hostname: 'Leaf1',
      extra: { vrp: '8.180', series: 'CE6881', uptime: '0 days, 0 hours, 0 minutes' },
    });
    assert.throws(
      () => parseVersion('Huawei Versatile Routing Platform Software\n', 'Leaf1', 'display version'),
      (e: unknown) => isProtocolError(e) && /vrpVersion: required/.test((e as Error).message) && /model: required/.test((e as Error).message),
    );
  });

  it('reads the commit list newest first, and an empty one', () => {
    const rows = parseCommitList(fixture('commit-list.txt'), 'commit list');
    assert.deepEqual(
      rows.map((r) => [r.id, r.user, r.type]),
      [
        [1000000003, 'netloom', 'CLI'],
        [1000000002, 'netloom', 'CLI'],
        [1000000001, 'oob-admin', 'CLI'],
      ],
    );
    assert.deepEqual(parseCommitList(fixture('commit-list-empty.txt'), 'commit list'), []);
    assert.throws(
      () => parseCommitList(' 1    0999999999    -    netloom   CLI   2026-01-01 00:00:00\n', 'commit list'),
      (e: unknown) => isProtocolError(e) && /\[0\]\.id: 999999999 is outside/.test((e as Error).message),
    );
  });
});
