// The live target file (io-ts, path + reason), credential references, the samples' remapping into allow, and the
// recording redactor.
import * as assert from 'node:assert/strict';
import { fabricSamples, fitSamples, loadTargetFile, outsideAllow, RecordingRedactor, ErrorCodeOf } from './target-file.support';
import { cleanup, tempDir, writeTargetFile } from './support';

describe('conformance live target file, allow and redaction', () => {
  let dir: string | undefined;
  before(() => {
    dir = tempDir('target-file');
  });
  after(() => cleanup(dir));

  it('reports every problem of a target file with its path and reason, never a secret', () => {
    const file = writeTargetFile(dir!, {
      adapter: '@netloom/adapter-huawei-ce',
      port: 'fabrik',
      device: { address: '192.0.2.10', port: 70000 },
      credentials: { username: 'netloom', password: 'inline-secret' },
      allow: { vlans: { from: 100 } },
    });
    assert.throws(
      () => loadTargetFile(file, {}),
      (e: Error) => {
        assert.equal(ErrorCodeOf(e), 'INPUT.INVALID');
        assert.match(e.message, /port: /);
        assert.match(e.message, /device\.port: /);
        assert.match(e.message, /credentials\.password: /);
        assert.match(e.message, /allow\.vlans\.to: required/);
        assert.doesNotMatch(e.message, /inline-secret/);
        return true;
      },
    );
  });

  it('resolves credential references and names the ones it cannot read', () => {
    const file = writeTargetFile(dir!, {
      adapter: 'huawei-ce',
      port: 'fabric',
      device: { address: '192.0.2.10' },
      credentials: { username: { env: 'NLC_USER' }, password: { env: 'NLC_PW' } },
      allow: { interfaces: ['10GE1/0/3'] },
    });
    const ok = loadTargetFile(file, { NLC_USER: 'labuser', NLC_PW: 'pw-123456' });
    assert.deepEqual(ok.target.credentials, { username: 'labuser', password: 'pw-123456' });
    assert.deepEqual(ok.secrets, [{ name: 'password', value: 'pw-123456' }]);
    assert.throws(() => loadTargetFile(file, { NLC_USER: 'labuser' }), /credentials\.password: environment variable NLC_PW is not set/);
  });

  it('remaps the samples into allow (keys and selections follow) and refuses samples that do not fit', () => {
    const allow = { interfaces: ['10GE1/0/3', '10GE1/0/4'], vlans: { from: 300, to: 309 }, vnis: { from: 910000, to: 910999 } };
    const { samples } = fitSamples(fabricSamples, allow);
    const full = samples.full() as Record<string, Record<string, Record<string, unknown>>>;
    assert.deepEqual(outsideAllow(full, allow), []);
    assert.deepEqual(Object.keys(full['binding']!).sort(), ['10GE1/0/3:300', '10GE1/0/4:300']);
    assert.equal(full['binding']!['10GE1/0/3:300']!['l2Vni'], full['segment']!['910000']!['l2Vni']);
    assert.deepEqual(samples.byCapability['accessBinding'], { segment: ['910001'], binding: ['10GE1/0/4:300'] });
    assert.throws(() => fitSamples(fabricSamples, { ...allow, interfaces: ['10GE1/0/3'] }), /allow\.interfaces: 1 interface\(s\) allowed, the samples need 2 distinct ones/);
    assert.throws(() => fitSamples(fabricSamples, { interfaces: allow.interfaces, vlans: allow.vlans }), /allow\.vnis: the samples use vnis/);
  });

  it('redacts secrets, their base64 and Basic forms, credential headers and credential fields', () => {
    const r = new RecordingRedactor([{ name: 'password', value: 's3cret-pw' }], 'admin');
    assert.equal(r.text('login s3cret-pw ok'), 'login <redacted:password> ok');
    assert.equal(r.text(Buffer.from('admin:s3cret-pw').toString('base64')), '<redacted:password>');
    assert.deepEqual(r.headers({ Authorization: 'Basic abc', 'X-F5-Auth-Token': 'tok', 'content-type': 'application/json' }), {
      authorization: '<redacted:header>',
      'x-f5-auth-token': '<redacted:header>',
      'content-type': 'application/json',
    });
    assert.deepEqual(r.json({ username: 'admin', password: 'other', token: { token: 'abc' }, key: '10010', note: 'x s3cret-pw' }), {
      username: 'admin',
      password: '<redacted:password>',
      token: { token: '<redacted:token>' },
      key: '10010',
      note: 'x <redacted:password>',
    });
  });
});
