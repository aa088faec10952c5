// The generic CLI device engine's building blocks without SSH: configuration tree, grammar, datastore, options.
import { strict as assert } from 'node:assert';
import {
  Candidate,
  ConfigDatastore,
  HuaweiCeSimulator,
  command,
  diffTrees,
  emptyRoot,
  ensureChild,
  fingerprintOfPublicKey,
  generateHostKey,
  intParam,
  matchCommand,
  parseTree,
  portRange,
  renderDiff,
  renderTree,
  splitPipe,
  textParam,
  treesEqual,
  type ConfigEdit,
} from '@netloom/conformance/simulators';
import { ErrorCode, isNetloomError } from '@netloom/ports';

describe('CLI device engine', () => {
  describe('configuration tree', () => {
    const text = ['#', 'bridge-domain 10', ' vxlan vni 10', ' evpn', '  route-distinguisher 10:1', '#', 'interface Nve1', ' source 1.1.1.1', '#'].join('\n');

    it('parses and renders indented configuration with # separators (round trip)', () => {
      const tree = parseTree(`${text}\nreturn`);
      assert.deepEqual(tree.children.map((c) => c.line), ['bridge-domain 10', 'interface Nve1']);
      assert.equal(renderTree(tree, { separator: '#' }).join('\n'), text);
    });

    it('diffs two trees into +/- lines with unchanged parents as context', () => {
      const a = parseTree(text);
      const b = parseTree(text.replace(' vxlan vni 10', ' vxlan vni 11').replace('interface Nve1\n source 1.1.1.1\n', ''));
      ensureChild(b, 'evpn-overlay enable');
      // Without an order, lines keep their first appearance (old tree first).
      assert.deepEqual(renderDiff(diffTrees(a, b)), [' bridge-domain 10', '- vxlan vni 10', '+ vxlan vni 11', '-interface Nve1', '- source 1.1.1.1', '+evpn-overlay enable']);
      assert.deepEqual(diffTrees(a, parseTree(text)), []);
      assert.ok(treesEqual(a, parseTree(text)));
      assert.ok(!treesEqual(a, b));
    });
  });

  describe('grammar', () => {
    const specs = [
      command('display version', 'display version', {}, 'v'),
      command('display vxlan vni', 'display vxlan vni', {}, 'x'),
      command('description', 'description <text>', { text: textParam(20) }, 'd'),
      command('bridge-domain', 'bridge-domain <bd>', { bd: intParam(1, 16777215) }, 'b'),
    ];

    it('matches unique keyword prefixes and typed parameters', () => {
      const r = matchCommand(specs, 'disp ver');
      assert.ok(r.ok && r.spec.handler === 'v');
      const b = matchCommand(specs, 'bridge-domain 42');
      assert.ok(b.ok && b.args.bd === 42);
      const d = matchCommand(specs, 'description  two  words ');
      assert.ok(d.ok && d.args.text === 'two  words');
    });

    it('reports the failure kind and the column of the offending word', () => {
      assert.deepEqual(matchCommand(specs, 'display foo'), { ok: false, failure: 'unrecognized', column: 8 });
      assert.deepEqual(matchCommand(specs, 'display'), { ok: false, failure: 'incomplete', column: 7 });
      assert.deepEqual(matchCommand(specs, 'bridge-domain 0'), { ok: false, failure: 'wrong-parameter', column: 14 });
      assert.deepEqual(matchCommand(specs, 'd x'), { ok: false, failure: 'ambiguous', column: 0 });
      assert.deepEqual(matchCommand(specs, 'display version now'), { ok: false, failure: 'unrecognized', column: 16 });
      assert.deepEqual(matchCommand(specs, `description ${'x'.repeat(21)}`), { ok: false, failure: 'wrong-parameter', column: 12 });
    });

    it('splits an output filter off a display command', () => {
      const p = splitPipe('display current-configuration | inc ^bridge|^interface');
      assert.equal(p.command, 'display current-configuration');
      assert.equal(p.filter?.kind, 'include');
      assert.ok(p.filter?.pattern.test('interface Nve1'));
      assert.equal(splitPipe('display x | frobnicate y').error?.failure, 'unrecognized');
    });
  });

  describe('datastore', () => {
    const addLine = (line: string): ConfigEdit => ({
      path: [],
      command: line,
      apply: (root) => {
        if (root.children.some((c) => c.line === line)) return `${line} exists`;
        root.children.push({ line, children: [] });
        return undefined;
      },
    });
    const writer = (id: number) => ({ sessionId: id, user: `u${id}` });

    it('replays a candidate on running at commit time: all or nothing', () => {
      const store = new ConfigDatastore({ initial: emptyRoot() });
      const a = new Candidate(store);
      const b = new Candidate(store);
      assert.equal(a.edit(addLine('x')), undefined);
      assert.equal(b.edit(addLine('y')), undefined);
      assert.equal(b.edit(addLine('x')), undefined);
      assert.equal(store.commit({ writer: writer(1), edits: a.edits }).ok, true);
      const second = store.commit({ writer: writer(2), edits: b.edits });
      assert.ok(!second.ok && second.failure.kind === 'conflict' && second.failure.reason === 'x exists');
      assert.deepEqual(store.running().children.map((c) => c.line), ['x']);
      assert.equal(store.history().length, 1);
      assert.equal(store.history()[0]!.id, 1000000001);
    });

    it('expires a trial through the injected clock', () => {
      const timers: Array<() => void> = [];
      const store = new ConfigDatastore({
        initial: emptyRoot(),
        clock: { now: () => 0, setTimeout: (fn) => timers.push(fn), clearTimeout: () => undefined },
      });
      assert.ok(store.commit({ writer: writer(1), edits: [addLine('t')], trialSeconds: 60 }).ok);
      assert.equal(store.running().children.length, 1);
      timers[0]!();
      assert.equal(store.running().children.length, 0);
      assert.equal(store.pendingTrial, undefined);
      assert.deepEqual(
        store.history().map((r) => r.kind),
        ['trial', 'rollback'],
      );
    });
  });

  describe('host keys and options', () => {
    it('computes the OpenSSH SHA256 fingerprint of a generated host key', () => {
      const key = generateHostKey();
      assert.match(key.fingerprint, /^SHA256:[A-Za-z0-9+/]{43}$/);
      assert.equal(fingerprintOfPublicKey(Buffer.from('abc')), 'SHA256:ungWv48Bz+pBQUDeXa4iI7ADYaOWF3qctBD/YfIAFa0');
      const sim = new HuaweiCeSimulator({ hostKey: key.privateKey });
      assert.equal(sim.hostKeyFingerprint, key.fingerprint);
    });

    it('validates the options with every problem and its path, never echoing a password', () => {
      assert.throws(
        () =>
          new HuaweiCeSimulator({
            hostname: 'has space',
            users: [{ username: 'u', password: 42 as unknown as string }],
            ports: ['10GE1/0/1', 'eth0'],
            trialScale: -1,
            pageLines: 1000,
          }),
        (e: unknown) => {
          if (!isNetloomError(e) || e.code !== ErrorCode.INPUT_INVALID) return false;
          for (const p of ['hostname', 'users[0].password', 'ports[1]', 'trialScale', 'pageLines']) assert.match(e.message, new RegExp(`${p.replace(/[[\]]/g, '\\$&')}: `));
          assert.doesNotMatch(e.message, /42/);
          return true;
        },
      );
      assert.deepEqual(portRange('100GE1/0/', 1, 2), ['100GE1/0/1', '100GE1/0/2']);
    });
  });
});
