import { strict as assert } from 'node:assert';
import { CommitError, ErrorCode, InputError, NetloomError, redact } from '@netloom/ports';

describe('ports: errors', () => {
  it('keeps a stable code and the cause', () => {
    const cause = new Error('ssh: channel closed');
    const e = new CommitError('leaf1: commit failed', { cause, details: { device: 'leaf1' } });
    assert.ok(e instanceof NetloomError);
    assert.equal(e.code, ErrorCode.DEVICE_COMMIT);
    assert.equal(e.code, 'DEVICE.COMMIT');
    assert.equal(e.cause, cause);
    assert.deepEqual(e.toJSON().details, { device: 'leaf1' });
    assert.equal(e.toJSON().cause, 'ssh: channel closed');
  });

  it('lists every input problem with its path', () => {
    const e = InputError.fromProblems('profile', [
      { path: 'fabric.leafs[2].address', reason: '"10.0.0.300" is not an IPv4 address' },
      { path: 'store', reason: 'required' },
    ]);
    assert.equal(e.code, 'INPUT.INVALID');
    assert.match(e.message, /fabric\.leafs\[2\]\.address: "10\.0\.0\.300" is not an IPv4 address/);
    assert.match(e.message, /store: required/);
    assert.equal(e.problems.length, 2);
  });

  it('redacts every occurrence of every secret', () => {
    assert.equal(redact('user admin pass s3cr3t; again s3cr3t', ['s3cr3t', '']), 'user admin pass ***; again ***');
  });
});
