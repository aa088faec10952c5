import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { InputError } from '@netloom/ports';
import { createLogger, resolveCredentials, resolveTarget, SecretRegistry, type InventoryDevice } from '@netloom/runtime';
import { cleanTmp, tmpDir } from './helpers';

const SECRET = 'pa55-w0rd-do-not-print';

function thrown(fn: () => unknown): InputError {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof InputError, String(e));
    return e;
  }
  assert.fail('expected an InputError');
}

describe('runtime: credentials', () => {
  after(cleanTmp);

  it('resolves env references and a user name given inline', () => {
    const creds = resolveCredentials({ username: { value: 'admin' }, password: { env: 'LEAF1_PW' } }, { env: { LEAF1_PW: SECRET } });
    assert.deepEqual(creds, { username: 'admin', password: SECRET });
  });

  it('resolves file references: one-line secrets lose their trailing newline, a private key keeps it', () => {
    const dir = tmpDir();
    fs.writeFileSync(path.join(dir, 'pw'), `${SECRET}\n`);
    fs.writeFileSync(path.join(dir, 'key'), '-----BEGIN OPENSSH PRIVATE KEY-----\nabc\n-----END OPENSSH PRIVATE KEY-----\n');
    fs.writeFileSync(path.join(dir, 'user'), 'netloom\r\n');
    const creds = resolveCredentials({ username: { file: path.join(dir, 'user') }, password: { file: path.join(dir, 'pw') }, privateKey: { file: path.join(dir, 'key') } });
    assert.equal(creds.username, 'netloom');
    assert.equal(creds.password, SECRET);
    assert.ok(creds.privateKey?.endsWith('-----END OPENSSH PRIVATE KEY-----\n'));
  });

  it('reads at use time: the value of the variable when resolved, not when the profile was loaded', () => {
    const env: NodeJS.ProcessEnv = {};
    const ref = { password: { env: 'LATE_PW' } } as const;
    assert.throws(() => resolveCredentials(ref, { env }));
    env.LATE_PW = SECRET;
    assert.equal(resolveCredentials(ref, { env }).password, SECRET);
  });

  it('names the reference in every error, never a value', () => {
    const dir = tmpDir();
    fs.writeFileSync(path.join(dir, 'empty'), '');
    const e = thrown(() =>
      resolveCredentials(
        { username: { env: 'USER_VAR' }, password: { env: 'UNSET_PW' }, token: { file: path.join(dir, 'missing') }, privateKey: { file: path.join(dir, 'empty') } },
        { env: { USER_VAR: SECRET, OTHER: SECRET }, at: 'inventory.devices[0].credentials' },
      ),
    );
    assert.deepEqual(
      e.problems.map((p) => p.path),
      ['inventory.devices[0].credentials.password', 'inventory.devices[0].credentials.token', 'inventory.devices[0].credentials.privateKey'],
    );
    assert.match(e.message, /environment variable UNSET_PW is not set/);
    assert.match(e.message, /file .*missing does not exist/);
    assert.match(e.message, /file .*empty is empty/);
    assert.ok(!e.message.includes(SECRET));
    assert.ok(!JSON.stringify(e.toJSON()).includes(SECRET));
  });

  it('an empty environment variable is an error that names it', () => {
    const e = thrown(() => resolveCredentials({ password: { env: 'EMPTY_PW' } }, { env: { EMPTY_PW: '' } }));
    assert.match(e.message, /environment variable EMPTY_PW is empty/);
  });

  it('registers resolved secrets (not user names) for redaction', () => {
    const secrets = new SecretRegistry();
    resolveCredentials({ username: { value: 'admin' }, password: { env: 'PW' } }, { env: { PW: SECRET }, secrets });
    assert.deepEqual(secrets.values(), [SECRET]);
    assert.equal(secrets.redact(`login admin/${SECRET} failed`), 'login admin/*** failed');
  });

  it('does not scrub secrets shorter than 4 characters from free text (it would garble every line)', () => {
    const secrets = new SecretRegistry();
    secrets.add('x');
    secrets.add('abcd');
    assert.deepEqual(secrets.values(), ['abcd']);
    assert.equal(secrets.redact('Next: abcd'), 'Next: ***');
  });

  it('resolveTarget builds the DeviceTarget: address, port, credentials, CA bundle, host key settings', () => {
    const dir = tmpDir();
    fs.writeFileSync(path.join(dir, 'ca.pem'), '-----BEGIN CERTIFICATE-----\nx\n-----END CERTIFICATE-----\n');
    const device: InventoryDevice = {
      name: 'lb1',
      role: 'loadBalancer',
      adapter: '@netloom/adapter-fake',
      address: '192.0.2.5',
      port: 443,
      credentials: { username: { value: 'admin' }, password: { env: 'LB_PW' } },
      tls: { verify: true, ca: { file: path.join(dir, 'ca.pem') } },
      hostKey: { verify: false },
    };
    const target = resolveTarget(device, { env: { LB_PW: SECRET } });
    assert.deepEqual(target, {
      name: 'lb1',
      address: '192.0.2.5',
      port: 443,
      credentials: { username: 'admin', password: SECRET },
      tls: { verify: true, ca: '-----BEGIN CERTIFICATE-----\nx\n-----END CERTIFICATE-----\n' },
      hostKey: { verify: false },
    });
  });

  it('the logger redacts credential fields and every resolved secret', () => {
    const lines: string[] = [];
    const secrets = new SecretRegistry();
    const logger = createLogger({ secrets, level: 'debug', destination: { write: (s: string) => void lines.push(s) } });
    resolveCredentials({ password: { env: 'PW' } }, { env: { PW: SECRET }, secrets });
    logger.info({ target: { credentials: { password: SECRET } }, password: SECRET }, 'connecting');
    logger.error({ err: new Error(`device said: bad password ${SECRET}`), detail: `admin:${SECRET}` }, `login with ${SECRET} failed`);
    logger.child({ device: 'leaf1' }).warn({ nested: { deeper: { text: SECRET } } }, 'child');
    const all = lines.join('');
    assert.equal(lines.length, 3);
    assert.ok(!all.includes(SECRET), all);
    assert.match(all, /login with \*\*\* failed/);
    assert.match(all, /"password":"\*\*\*"/);
  });
});
