/**
 * `ovsdb` recording and replay (RFC 7047 JSON-RPC over a stream).
 *
 * - {@link startOvsdbRecordingProxy}: a TCP listener on 127.0.0.1; each adapter connection is forwarded to the
 *   device (TCP or a unix socket) byte for byte, and every JSON-RPC message each way is recorded (monitor updates
 *   and lock notifications included). `echo` (the inactivity probe of either side) is forwarded but not recorded:
 *   it depends on timing, not on the adapter.
 * - {@link startOvsdbReplayServer}: answers each request whose method and params match the next recorded one with
 *   the recorded reply (its JSON-RPC id rewritten to the adapter's), and sends recorded notifications in order.
 *   `echo` requests are answered at once.
 *
 * @packageDocumentation
 */
import * as net from 'node:net';
import { OvsdbMessageFramer } from '../simulators/ovsdb/ovsdb.json';
import { listenLocal, type Listener } from './listener';
import type { RecordingRedactor } from './redact';
import type { CheckRecording, RecordedEvent } from './recording';
import { shown, type ReplayScript } from './replay.engine';

/** Where the device's OVSDB server is: TCP `host`/`port`, or a unix socket `path`. */
export type OvsdbUpstream = { readonly host: string; readonly port: number } | { readonly path: string };

type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const idKey = (id: unknown): string => JSON.stringify(id);

function parseAll(framer: OvsdbMessageFramer, chunk: Buffer): Json[] {
  return framer
    .push(chunk)
    .map((text) => {
      try {
        return JSON.parse(text) as unknown;
      } catch {
        return undefined;
      }
    })
    .filter(isObject);
}

/**
 * Starts the recording proxy for one check: every connection the adapter opens becomes one session of `recording`.
 *
 * @example
 * const proxy = await startOvsdbRecordingProxy({ upstream: { host: '192.0.2.10', port: 6640 }, redactor, recording });
 * // the adapter connects to tcp:proxy.host:proxy.port
 */
export async function startOvsdbRecordingProxy(opts: { readonly upstream: OvsdbUpstream; readonly redactor: RecordingRedactor; readonly recording: CheckRecording }): Promise<Listener> {
  const { upstream, redactor, recording } = opts;
  return listenLocal((adapter) => {
    const log = recording.session();
    const device = 'path' in upstream ? net.connect(upstream.path) : net.connect(upstream.port, upstream.host);
    device.setNoDelay?.(true);
    device.on('error', () => adapter.destroy());
    device.on('close', () => adapter.destroy());
    adapter.on('close', () => device.destroy());
    const echoFromAdapter = new Set<string>();
    const echoFromDevice = new Set<string>();
    const up = new OvsdbMessageFramer();
    const down = new OvsdbMessageFramer();
    adapter.on('data', (chunk: Buffer) => {
      let messages: Json[] = [];
      try {
        messages = parseAll(up, chunk);
      } catch {
        // Not OVSDB: forward anyway; the device will say so.
      }
      for (const m of messages) {
        if (m['method'] === 'echo') {
          echoFromAdapter.add(idKey(m['id']));
          continue;
        }
        if (m['method'] === undefined && echoFromDevice.delete(idKey(m['id']))) continue;
        log.add({ dir: 'in', type: 'message', message: redactor.json(m) });
      }
      device.write(chunk);
    });
    device.on('data', (chunk: Buffer) => {
      let messages: Json[] = [];
      try {
        messages = parseAll(down, chunk);
      } catch {
        // Forwarded as it came.
      }
      for (const m of messages) {
        if (m['method'] === 'echo') {
          echoFromDevice.add(idKey(m['id']));
          continue;
        }
        if (m['method'] === undefined && echoFromAdapter.delete(idKey(m['id']))) continue;
        log.add({ dir: 'out', type: 'message', message: redactor.json(m) });
      }
      adapter.write(chunk);
    });
  });
}

/**
 * Starts the replay server for one check: each connection plays the next recorded session.
 *
 * @example
 * const server = await startOvsdbReplayServer(script);
 * // the adapter connects to tcp:server.host:server.port
 */
export async function startOvsdbReplayServer(script: ReplayScript): Promise<Listener> {
  return listenLocal((socket) => {
    const ids = new Map<string, unknown>();
    const session = script.attach({
      send(e: RecordedEvent) {
        if (!isObject(e.message) || socket.destroyed) return;
        const m = { ...e.message };
        if (m['method'] === undefined && 'id' in m) {
          const key = idKey(m['id']);
          if (ids.has(key)) {
            m['id'] = ids.get(key);
            ids.delete(key);
          }
        }
        socket.write(JSON.stringify(m));
      },
      close() {
        socket.destroy();
      },
    });
    if (session === undefined) {
      socket.destroy();
      return;
    }
    socket.on('close', () => session.end());
    const framer = new OvsdbMessageFramer();
    socket.on('data', (chunk: Buffer) => {
      let messages: Json[];
      try {
        messages = parseAll(framer, chunk);
      } catch (e) {
        session.diverge(`bytes that are not OVSDB JSON-RPC (${(e as Error).message})`);
        return;
      }
      for (const m of messages) {
        if (m['method'] === 'echo') {
          socket.write(JSON.stringify({ id: m['id'] ?? null, result: m['params'] ?? [], error: null }));
          continue;
        }
        const e = session.expected();
        const want = e?.type === 'message' && isObject(e.message) ? e.message : undefined;
        const same =
          want !== undefined &&
          (want['method'] !== undefined
            ? m['method'] === want['method'] && session.matchJson(want['params'] ?? null, m['params'] ?? null)
            : m['method'] === undefined && session.matchJson(want['result'] ?? null, m['result'] ?? null) && session.matchJson(want['error'] ?? null, m['error'] ?? null));
        if (!same) {
          session.diverge(`message ${shown(m)}`);
          return;
        }
        if (want['method'] !== undefined && want['id'] !== undefined && want['id'] !== null) ids.set(idKey(want['id']), m['id']);
        session.consume();
      }
    });
  });
}
