import { strict as assert } from 'node:assert';
import * as os from 'node:os';
import * as path from 'node:path';
import type * as net from 'node:net';
import { DeviceConnectionError, DeviceProtocolError, DeviceTimeoutError, InputError } from '@netloom/ports';
import { JsonFramer, OvsdbClient, op } from '@netloom/ovsdb';
import { activeTimers, closedPort, eventually, scriptedServer } from './support';

/** Calls `handle` with every JSON message the client sends on this socket. */
function onMessages(socket: net.Socket, handle: (message: { method?: string; params?: unknown[]; id?: unknown; result?: unknown }) => void): void {
  const framer = new JsonFramer();
  socket.on('data', (d: Buffer) => {
    for (const text of framer.push(d)) handle(JSON.parse(text) as { method?: string });
  });
}

const MINI_SCHEMA = { name: 'Mini', version: '1.0.0', tables: { T: { isRoot: true, columns: { n: { type: 'integer' } } } } };

describe('OvsdbClient failure handling (scripted peers)', () => {
  it('refused TCP connection → DeviceConnectionError', async () => {
    const port = await closedPort();
    await assert.rejects(OvsdbClient.connect({ remote: `tcp:127.0.0.1:${port}` }), (e: unknown) => {
      assert.ok(e instanceof DeviceConnectionError, String(e));
      assert.match(e.message, new RegExp(`cannot connect to OVSDB at tcp:127.0.0.1:${port}: connection refused`));
      assert.equal(e.details['code'], 'ECONNREFUSED');
      assert.ok(e.cause instanceof Error, 'the socket error is kept as cause');
      return true;
    });
  });

  it('missing unix socket → DeviceConnectionError; malformed remote → InputError', async () => {
    const missing = path.join(os.tmpdir(), `netloom-no-such-${process.pid}.sock`);
    await assert.rejects(OvsdbClient.connect({ remote: `unix:${missing}` }), (e: unknown) => e instanceof DeviceConnectionError && /the socket file does not exist/.test(e.message));
    await assert.rejects(OvsdbClient.connect({ remote: 'ptcp:6640' }), InputError);
  });

  it('answers the server-initiated echo with its params', async () => {
    let reply: unknown;
    const server = await scriptedServer((s) => {
      onMessages(s, (m) => {
        if (m.id === 'srv-echo') reply = m;
      });
      s.write(JSON.stringify({ method: 'echo', params: ['are you there', 7], id: 'srv-echo' }));
    });
    const client = await OvsdbClient.connect({ remote: server.remote, probeIntervalMs: 0 });
    try {
      await eventually('the echo reply', () => reply);
      assert.deepEqual(reply, { result: ['are you there', 7], error: null, id: 'srv-echo' });
    } finally {
      await client.close();
      await server.close();
    }
  });

  it('matches responses to requests by id, whatever their order', async () => {
    const server = await scriptedServer((s) => {
      const held: { id?: unknown; params?: unknown[] }[] = [];
      onMessages(s, (m) => {
        held.push(m);
        if (held.length === 2) for (const r of held.reverse()) s.write(JSON.stringify({ id: r.id, result: r.params, error: null }));
      });
    });
    const client = await OvsdbClient.connect({ remote: server.remote, probeIntervalMs: 0 });
    try {
      const [a, b] = await Promise.all([client.echo(['first']), client.echo(['second'])]);
      assert.deepEqual([a, b], [['first'], ['second']]);
    } finally {
      await client.close();
      await server.close();
    }
  });

  it('inactivity probe: a silent peer gets an echo, then the connection is closed with DeviceConnectionError', async () => {
    const seen: string[] = [];
    const server = await scriptedServer((s) => onMessages(s, (m) => seen.push(String(m.method))));
    const client = await OvsdbClient.connect({ remote: server.remote, probeIntervalMs: 100, requestTimeoutMs: 0, reconnect: false });
    const states: string[] = [];
    client.onState((e) => states.push(e.state));
    try {
      // No request timeout: only the probe can end this wait.
      await assert.rejects(client.listDbs(), (e: unknown) => e instanceof DeviceConnectionError && /not responding: nothing received for 200 ms, not even an answer to echo/.test(e.message));
      assert.deepEqual(seen, ['list_dbs', 'echo']);
      assert.deepEqual(states, ['closed']);
      await assert.rejects(client.echo(), (e: unknown) => e instanceof DeviceConnectionError && /not responding/.test(e.message));
    } finally {
      await client.close();
      await server.close();
    }
  });

  it('request timeout → DeviceTimeoutError; a late answer is ignored and the session goes on', async () => {
    let held: unknown;
    const server = await scriptedServer((s) =>
      onMessages(s, (m) => {
        if (held === undefined) {
          held = m.id; // the first request is answered only together with the next one: too late
          return;
        }
        s.write(JSON.stringify({ id: held, result: ['late'], error: null }) + JSON.stringify({ id: m.id, result: m.params, error: null }));
      }),
    );
    const client = await OvsdbClient.connect({ remote: server.remote, probeIntervalMs: 0 });
    try {
      await assert.rejects(client.listDbs({ timeoutMs: 100 }), (e: unknown) => e instanceof DeviceTimeoutError && /list_dbs .* got no answer within 100 ms/.test(e.message));
      assert.deepEqual(await client.echo(['after']), ['after']);
      assert.equal(client.state, 'connected');
    } finally {
      await client.close();
      await server.close();
    }
  });

  for (const [what, garbage] of [
    ['a non-JSON stream', 'HTTP/1.1 400 Bad Request\r\n\r\n'],
    ['unbalanced brackets', '{"id":1,"result":[1,}'],
    ['balanced but invalid JSON', '{"id":1 "result":[]}'],
    ['an object that is no JSON-RPC message', '{"hello":"world"}'],
  ] as const) {
    it(`malformed reply (${what}) → DeviceProtocolError, connection closed, nothing hangs`, async () => {
      const server = await scriptedServer((s) => onMessages(s, () => s.write(garbage)));
      const client = await OvsdbClient.connect({ remote: server.remote, probeIntervalMs: 0, requestTimeoutMs: 0, reconnect: false });
      try {
        await assert.rejects(client.listDbs(), DeviceProtocolError);
        assert.equal(client.state, 'closed');
      } finally {
        await client.close();
        await server.close();
      }
    });
  }

  it('a reply of the wrong shape → DeviceProtocolError with the path; a bad transact result too', async () => {
    const server = await scriptedServer((s) =>
      onMessages(s, (m) => {
        const result = m.method === 'list_dbs' ? ['ok', 42] : m.method === 'get_schema' ? MINI_SCHEMA : m.method === 'lock' ? { locked: 'yes' } : { oops: true };
        s.write(JSON.stringify({ id: m.id, result, error: null }));
      }),
    );
    const client = await OvsdbClient.connect({ remote: server.remote, probeIntervalMs: 0 });
    try {
      await assert.rejects(client.listDbs(), (e: unknown) => e instanceof DeviceProtocolError && /list_dbs reply .* is malformed: \[1\]: expected string, got 42/.test(e.message));
      await assert.rejects(client.lock('l'), (e: unknown) => e instanceof DeviceProtocolError && /locked/.test(e.message));
      await assert.rejects(client.transact('Mini', [op.insert('T', { n: 1 })]), (e: unknown) => e instanceof DeviceProtocolError && /expected an array of results/.test(e.message));
      assert.equal(client.state, 'connected', 'a bad reply fails the request, not the session');
    } finally {
      await client.close();
      await server.close();
    }
  });

  it('a transact result whose rows do not fit the schema → DeviceProtocolError naming the row path', async () => {
    const server = await scriptedServer((s) =>
      onMessages(s, (m) => {
        const result = m.method === 'get_schema' ? MINI_SCHEMA : [{ rows: [{ n: 'not a number' }] }];
        s.write(JSON.stringify({ id: m.id, result, error: null }));
      }),
    );
    const client = await OvsdbClient.connect({ remote: server.remote, probeIntervalMs: 0 });
    try {
      await assert.rejects(client.transact('Mini', [op.select('T')]), (e: unknown) => e instanceof DeviceProtocolError && /result\[0\]\.rows\[0\]\.n: expected an integer, got "not a number"/.test(e.message));
    } finally {
      await client.close();
      await server.close();
    }
  });

  it('close() fails pending requests with DeviceConnectionError and leaves no timer behind', async () => {
    const server = await scriptedServer(() => undefined);
    const baseline = activeTimers();
    const client = await OvsdbClient.connect({ remote: server.remote, probeIntervalMs: 5_000, requestTimeoutMs: 60_000 });
    const pending = client.listDbs();
    pending.catch(() => undefined); // observed below, after close()
    assert.ok(activeTimers() > baseline, 'probe and request timers run while connected');
    await client.close();
    await assert.rejects(pending, (e: unknown) => e instanceof DeviceConnectionError && /was closed/.test(e.message));
    assert.equal(activeTimers(), baseline);
    assert.equal(client.state, 'closed');
    await assert.rejects(client.echo(), DeviceConnectionError);
    await server.close();
  });
});
