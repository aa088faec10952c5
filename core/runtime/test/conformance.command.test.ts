import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { adapter as fakeAdapter, conformanceTargets } from '@netloom/adapter-fake';
import { deviceConformance, type SimulatorTarget } from '@netloom/conformance';
import type { DevicePortKind } from '@netloom/ports';
import { cleanTmp, cli, fixtureAdapter, tmpDir } from './helpers';


const PORTS: readonly DevicePortKind[] = ['fabric', 'vswitch', 'firewall', 'loadBalancer'];

describe('runtime: netloom conformance run', () => {
  after(cleanTmp);

  it('runs every device port of the fake adapter on its simulator targets, exits 0 and writes JUnit and Markdown', async () => {
    const dir = tmpDir();
    const junit = path.join(dir, 'out.xml');
    const markdown = path.join(dir, 'out.md');
    const r = await cli('conformance', 'run', '--adapter', '@netloom/adapter-fake', '--target', 'simulator', '--junit', junit, '--markdown', markdown);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /^ {2}✔ idempotency: /m);
    assert.match(r.stdout, /^ {2}- not-supported\.vrf: skipped \(vrf is declared/m);
    for (const port of PORTS) assert.match(r.stdout, new RegExp(`^${port}: \\d+ passed, 0 failed, \\d+ skipped`, 'm'));

    // The shipped targets fit the kit's types (structural): the suites the command ran, check by check.
    const expected = new Map(PORTS.map((port) => [port, deviceConformance(port, { adapter: fakeAdapter, target: conformanceTargets[port] as SimulatorTarget }).checks.length]));
    const xml = fs.readFileSync(junit, 'utf8');
    assert.match(xml, /^<\?xml version="1\.0" encoding="UTF-8"\?>\n<testsuites /);
    assert.equal((xml.match(/<testsuite /g) ?? []).length, PORTS.length);
    assert.equal((xml.match(/<testcase /g) ?? []).length, [...expected.values()].reduce((a, b) => a + b, 0));
    for (const [port, n] of expected) assert.equal((xml.match(new RegExp(`<testcase classname="${port}" `, 'g')) ?? []).length, n, port);
    assert.match(xml, /<testcase classname="fabric" name="idempotency: [^"]+" time="[\d.]+"\/>/);
    assert.match(xml, /<skipped message="vrf is declared \(see capability\.vrf\)"\/>/);
    assert.doesNotMatch(xml, /<failure /);
    // Well-formed enough: every opened element is closed.
    assert.equal((xml.match(/<testsuite /g) ?? []).length, (xml.match(/<\/testsuite>/g) ?? []).length);
    assert.equal((xml.match(/<testcase [^>]*[^/]>/g) ?? []).length, (xml.match(/<\/testcase>/g) ?? []).length);

    const md = fs.readFileSync(markdown, 'utf8');
    assert.match(md, /\| Adapter package \| `@netloom\/adapter-fake` \|/);
    assert.match(md, /\| Adapter id \| `fake` \|/);
    assert.match(md, /\| Target \| simulator \|/);
    assert.match(md, /\| Device facts \(fabric simulator\) \| vendor netloom, model fake-fabric/);
    for (const port of PORTS) assert.match(md, new RegExp(`^## ${port}$`, 'm'));
    assert.match(md, /^\| `idempotency` .* \| passed \| {2}\|$/m);
    // The quality tier the adapter's quality.yaml reaches (adapters/fake/quality.yaml claims silver).
    assert.match(r.stdout, /^quality: tier silver reached \(claims silver\)$/m);
    assert.match(md, /\| Quality tier reached \| silver \(claims silver\) \|/);
    assert.match(md, /^\| gold \| `diagnostics-dump` \| todo \| {2}\|$/m);
  });

  it('a missing target file or recording exits 1 naming it; --record needs a live target', async () => {
    const live = await cli('conformance', 'run', '--adapter', '@netloom/adapter-fake', '--target', 'live.yaml');
    assert.equal(live.code, 1);
    assert.match(live.stderr, /target file live\.yaml cannot be read \(ENOENT\)/);
    assert.equal(live.stdout, '');
    const replay = await cli('conformance', 'run', '--adapter', '@netloom/adapter-fake', '--target', 'replay:recordings');
    assert.equal(replay.code, 1);
    assert.match(replay.stderr, /no recording in recordings \(no manifest\.json\): record one with --record against a live target/);
    const record = await cli('conformance', 'run', '--adapter', '@netloom/adapter-fake', '--target', 'simulator', '--record', 'out');
    assert.equal(record.code, 1);
    assert.match(record.stderr, /--record: only a live target \(a target file\) can be recorded; --target simulator is a simulator target/);
    const noDir = await cli('conformance', 'run', '--adapter', '@netloom/adapter-fake', '--target', 'replay');
    assert.equal(noDir.code, 1);
    assert.match(noDir.stderr, /replay needs the recording's folder/);
  });

  it('an adapter that ships no simulator target for its ports exits 1 naming each port', async () => {
    const r = await cli('conformance', 'run', '--adapter', fixtureAdapter('good'), '--target', 'simulator');
    assert.equal(r.code, 1);
    assert.match(r.stderr, /conformanceTargets\.fabric: @fixture\/adapter-good ships no simulator target for the fabric port/);
    assert.match(r.stderr, /conformanceTargets\.vswitch: @fixture\/adapter-good ships no simulator target for the vswitch port/);
    assert.equal(r.stdout, '', 'no check ran');
  });

  it('a store-only adapter (sqlite) exits 1: no device port to check', async () => {
    const r = await cli('conformance', 'run', '--adapter', '@netloom/adapter-sqlite');
    assert.equal(r.code, 1);
    assert.match(r.stderr, /@netloom\/adapter-sqlite [\d.]+ \(sqlite\) provides no device port to check \(it provides: store\)/);
  });

  it('the port API and manifest checks of the loader apply', async () => {
    const r = await cli('conformance', 'run', '--adapter', fixtureAdapter('api-mismatch'));
    assert.equal(r.code, 1);
    assert.match(r.stderr, /implements port API/);
  });

  it('--adapter is required (usage error)', async () => {
    const r = await cli('conformance', 'run');
    assert.equal(r.code, 2);
    assert.match(r.stderr, /--adapter/);
  });
});
