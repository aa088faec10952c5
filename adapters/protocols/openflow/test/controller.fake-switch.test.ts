/**
 * Controller behaviour against a scripted switch (test/helpers/fake-switch.ts): handshake and version negotiation,
 * echo both ways, keepalive and dead-peer detection, barrier semantics of flow_mod batches, error mapping,
 * multipart continuation, events, robustness, close. Everything runs on 127.0.0.1.
 */
import * as assert from 'node:assert/strict';
import * as net from 'node:net';
import { CommitError, DeviceConnectionError, DeviceProtocolError, DeviceTimeoutError, InputError } from '@netloom/ports';
import { type DisconnectInfo, type HandshakeFailure, OpenFlowController, type OpenFlowControllerOptions, type SwitchConnection } from '@netloom/openflow';
import { FakeSwitch, T, errorMessage, flowStatsEntry, frame, helloWithBitmap, multipartReply, ofpPort, plainHello, settledState } from './helpers/fake-switch';

const FAST: OpenFlowControllerOptions = { echoIntervalMs: 60_000, echoTimeoutMs: 120_000, requestTimeoutMs: 5000, handshakeTimeoutMs: 5000 };

describe('OpenFlowController against a scripted switch', function () {
  let controller: OpenFlowController;
  const fakes: FakeSwitch[] = [];

  async function start(options: OpenFlowControllerOptions = FAST): Promise<number> {
    controller = await OpenFlowController.listen({ host: '127.0.0.1', port: 0, ...options });
    return controller.address()!.port;
  }

  async function connected(options: ConstructorParameters<typeof FakeSwitch>[1] = {}, ctlOptions: OpenFlowControllerOptions = FAST): Promise<{ fake: FakeSwitch; sw: SwitchConnection }> {
    const port = await start(ctlOptions);
    const waiting = controller.waitForSwitch({ timeoutMs: 5000 });
    const fake = await FakeSwitch.connect(port, options);
    fakes.push(fake);
    return { fake, sw: await waiting };
  }

  afterEach(async () => {
    await controller?.close();
    for (const f of fakes.splice(0)) await f.close();
  });

  describe('handshake', () => {
    it('sends HELLO with an OpenFlow 1.3 version bitmap, then FEATURES_REQUEST and PORT_DESC; the switch is ready with datapath id and ports', async () => {
      const { fake, sw } = await connected({ datapathId: 0x00001122334455aan });
      const hello = fake.received.find((f) => f.type === T.HELLO)!;
      assert.equal(hello.version, 4);
      assert.equal(hello.body.toString('hex'), '0001000800000010', 'one VERSIONBITMAP element with bit 4 (OF1.3)');
      const types = fake.received.map((f) => f.type);
      assert.ok(types.indexOf(T.FEATURES_REQUEST) < types.indexOf(T.MULTIPART_REQUEST), 'features before port-desc');
      assert.equal(sw.datapathId, '00001122334455aa');
      assert.equal(sw.version, 4);
      assert.deepEqual(
        sw.ports.map((p) => [p.portNo, p.name, p.hwAddr, p.state]),
        [
          ['LOCAL', 'br-fake', '02:00:00:00:00:01', ['live']],
          [1, 'vxlan0', '02:00:00:00:00:02', ['live']],
        ],
      );
      assert.equal(sw.port('vxlan0')?.portNo, 1);
      assert.equal(controller.getSwitch('00001122334455AA'), sw);
    });

    it('a peer offering only OpenFlow 1.0 gets HELLO_FAILED/INCOMPATIBLE (in its own version) and is disconnected', async () => {
      const port = await start();
      const failed = new Promise<HandshakeFailure>((r) => controller.once('handshakeFailed', r));
      const fake = await FakeSwitch.connect(port, { hello: plainHello(7, 1) });
      fakes.push(fake);
      const err = await fake.next(T.ERROR);
      assert.equal(err.version, 1, 'answered in the peer version so an OF1.0 switch can read it');
      assert.equal(err.xid, 7, 'the error answers the peer HELLO');
      assert.equal(err.body.readUInt16BE(0), 0, 'OFPET_HELLO_FAILED');
      assert.equal(err.body.readUInt16BE(2), 0, 'OFPHFC_INCOMPATIBLE');
      assert.match(err.body.subarray(4).toString('ascii'), /OpenFlow 1\.3/);
      await fake.closed;
      const f = await failed;
      assert.ok(f.error instanceof DeviceProtocolError);
      assert.match(f.error.message, /does not speak OpenFlow 1\.3 \(offered 0x01\)/);
      assert.equal(controller.switches.length, 0);
    });

    it('a version bitmap without 1.3 (1.0 and 1.4) is refused, even with header version 1.4', async () => {
      const port = await start();
      const fake = await FakeSwitch.connect(port, { hello: helloWithBitmap(3, [1, 5], 5) });
      fakes.push(fake);
      const err = await fake.next(T.ERROR);
      assert.equal(err.body.readUInt16BE(0), 0);
      await fake.closed;
    });

    it('a peer with header version 1.5 and no bitmap negotiates 1.3', async () => {
      const { sw } = await connected({ hello: plainHello(1, 6) });
      assert.equal(sw.version, 4);
    });

    it('a peer that never says HELLO fails the handshake with DeviceTimeoutError', async () => {
      const port = await start({ ...FAST, handshakeTimeoutMs: 200 });
      const failed = new Promise<HandshakeFailure>((r) => controller.once('handshakeFailed', r));
      const fake = await FakeSwitch.connect(port, { hello: null });
      fakes.push(fake);
      const f = await failed;
      assert.ok(f.error instanceof DeviceTimeoutError);
      await fake.closed;
    });

    it('connect() dials a switch that listens (ptcp) and runs the same handshake', async () => {
      controller = new OpenFlowController(FAST);
      const server = net.createServer((s) => fakes.push(new FakeSwitch(s, { datapathId: 0x42n })));
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
      try {
        const port = (server.address() as net.AddressInfo).port;
        const sw = await controller.connect({ host: '127.0.0.1', port });
        assert.equal(sw.datapathId, '0000000000000042');
        assert.deepEqual(controller.switches, [sw]);
      } finally {
        await controller.close();
        server.close();
      }
    });

    it('connect() to a port nobody listens on fails with DeviceConnectionError (cause kept)', async () => {
      controller = new OpenFlowController(FAST);
      const probe = net.createServer();
      await new Promise<void>((r) => probe.listen(0, '127.0.0.1', () => r()));
      const port = (probe.address() as net.AddressInfo).port;
      await new Promise<void>((r) => probe.close(() => r()));
      await assert.rejects(controller.connect({ host: '127.0.0.1', port }), (e: unknown) => {
        assert.ok(e instanceof DeviceConnectionError);
        assert.match(String((e.cause as Error).message), /ECONNREFUSED/);
        return true;
      });
    });
  });

  describe('echo and keepalive', () => {
    it("answers the switch's ECHO_REQUEST with the same xid and payload", async () => {
      const { fake } = await connected();
      fake.send(frame(T.ECHO_REQUEST, 0xabcdef, Buffer.from('are you there')));
      const reply = await fake.next(T.ECHO_REPLY);
      assert.equal(reply.xid, 0xabcdef);
      assert.equal(reply.body.toString(), 'are you there');
    });

    it('echo() resolves with the payload the switch echoed', async () => {
      const { sw } = await connected();
      assert.equal((await sw.echo(Buffer.from('ping-1'))).toString(), 'ping-1');
    });

    it('sends keepalive echoes while idle and stays connected to a peer that answers', async () => {
      const { fake, sw } = await connected({}, { ...FAST, echoIntervalMs: 30, echoTimeoutMs: 2000 });
      const disconnected: DisconnectInfo[] = [];
      sw.on('disconnected', (i) => disconnected.push(i));
      while (fake.received.filter((f) => f.type === T.ECHO_REQUEST).length < 3) await new Promise((r) => setTimeout(r, 20));
      assert.ok(sw.isOpen);
      assert.deepEqual(disconnected, []);
    });

    it('closes a dead peer (nothing received within echoTimeoutMs) with reason echoTimeout; pending requests fail', async () => {
      const { fake, sw } = await connected({ autoEcho: false }, { ...FAST, echoIntervalMs: 30, echoTimeoutMs: 250 });
      const gone = new Promise<DisconnectInfo>((r) => sw.once('disconnected', r));
      const pendingEcho = sw.echo(Buffer.from('x'));
      await fake.next(T.ECHO_REQUEST);
      const info = await gone;
      assert.equal(info.reason, 'echoTimeout');
      assert.ok(info.error instanceof DeviceTimeoutError);
      await assert.rejects(pendingEcho, DeviceConnectionError);
      await fake.closed;
      assert.equal(controller.switches.length, 0);
    });

    it('an unanswered request fails with DeviceTimeoutError naming the xid', async () => {
      const { fake, sw } = await connected({ autoEcho: false }, { ...FAST, requestTimeoutMs: 100 });
      await assert.rejects(sw.echo(), (e: unknown) => e instanceof DeviceTimeoutError && /echo request \(xid \d+\)/.test(e.message));
      assert.ok(sw.isOpen, 'a request timeout does not drop the connection');
      void fake;
    });
  });

  describe('flow_mod batches and barriers', () => {
    const add = { command: 'add' as const, tableId: 0, priority: 10, match: { inPort: 1 }, instructions: [{ type: 'applyActions' as const, actions: [{ type: 'output' as const, port: 2 }] }] };

    it('resolves only when the barrier reply arrives; flow_mods precede the barrier on the wire', async () => {
      const { fake, sw } = await connected();
      const batch = sw.applyFlowMods([add, { ...add, priority: 11 }]);
      const fm1 = await fake.next(T.FLOW_MOD);
      const fm2 = await fake.next(T.FLOW_MOD);
      const barrier = await fake.next(T.BARRIER_REQUEST);
      assert.ok(fake.received.indexOf(fm2) < fake.received.indexOf(barrier));
      assert.equal(await settledState(batch), 'pending', 'not applied before the barrier reply');
      fake.send(frame(T.BARRIER_REPLY, barrier.xid));
      const result = await batch;
      assert.deepEqual(result, { xids: [fm1.xid, fm2.xid], barrierXid: barrier.xid });
    });

    it('an ERROR for a flow_mod before the barrier reply rejects the batch with CommitError (type, code, xid, index, data hex)', async () => {
      const { fake, sw } = await connected();
      const batch = sw.applyFlowMods([add, { ...add, priority: 11 }, { ...add, priority: 12 }]);
      await fake.next(T.FLOW_MOD);
      const bad = await fake.next(T.FLOW_MOD);
      const barrier = await fake.next(T.BARRIER_REQUEST);
      fake.send(errorMessage(bad.xid, 4, 9, bad.raw)); // BAD_MATCH/BAD_PREREQ, data = the refused request
      assert.equal(await settledState(batch), 'pending', 'still waiting for the barrier');
      fake.send(frame(T.BARRIER_REPLY, barrier.xid));
      await assert.rejects(batch, (e: unknown) => {
        assert.ok(e instanceof CommitError);
        assert.match(e.message, /flow_mod #1 \(xid \d+\) of a batch of 3: BAD_MATCH\/BAD_PREREQ/);
        assert.equal(e.details['xid'], bad.xid);
        assert.equal(e.details['index'], 1);
        assert.equal(e.details['ofType'], 4);
        assert.equal(e.details['ofCode'], 9);
        assert.equal(e.details['ofTypeName'], 'BAD_MATCH');
        assert.equal(e.details['ofCodeName'], 'BAD_PREREQ');
        assert.equal(e.details['dataHex'], bad.raw.subarray(0, 64).toString('hex'));
        assert.equal((e.details['failures'] as unknown[]).length, 1);
        return true;
      });
    });

    it('an ERROR after the barrier reply does not touch the resolved batch; it is reported as switchError', async () => {
      const { fake, sw } = await connected();
      const errors: string[] = [];
      sw.on('switchError', (e, info) => errors.push(`${info.typeName}/${info.codeName}@${info.xid}:${e.name}`));
      const batch = sw.applyFlowMods([add]);
      const fm = await fake.next(T.FLOW_MOD);
      const barrier = await fake.next(T.BARRIER_REQUEST);
      fake.send(frame(T.BARRIER_REPLY, barrier.xid));
      await batch;
      fake.send(errorMessage(fm.xid, 5, 1, fm.raw)); // late FLOW_MOD_FAILED/TABLE_FULL
      assert.equal((await sw.echo(Buffer.from('sync'))).toString(), 'sync');
      assert.deepEqual(errors, [`FLOW_MOD_FAILED/TABLE_FULL@${fm.xid}:DeviceProtocolError`]);
    });

    it('barrier() resolves on its reply; batches resolve in the order the switch confirms them', async () => {
      const { fake, sw } = await connected();
      const order: string[] = [];
      const a = sw.applyFlowMods([add]).then(() => order.push('a'));
      const b = sw.barrier().then(() => order.push('b'));
      const c = sw.applyFlowMods([add]).then(() => order.push('c'));
      const barriers = [await fake.next(T.BARRIER_REQUEST), await fake.next(T.BARRIER_REQUEST), await fake.next(T.BARRIER_REQUEST)];
      for (const br of barriers) fake.send(frame(T.BARRIER_REPLY, br.xid));
      await Promise.all([a, b, c]);
      assert.deepEqual(order, ['a', 'b', 'c']);
    });

    it('an invalid flow_mod is refused with InputError listing each path, and nothing is sent', async () => {
      const { fake, sw } = await connected({ autoBarrier: true });
      const before = fake.received.length;
      const bad = {
        command: 'add',
        tableId: 'all',
        match: { vlanVid: 0x2000, ethDst: 'not-a-mac', colour: 1 },
        instructions: [{ type: 'applyActions', actions: [{ type: 'output', port: 'SOMEWHERE' }, { type: 'ct', zone: 1, zoneSrc: { field: 'reg6', ofs: 0, nbits: 16 } }] }],
      };
      await assert.rejects(sw.applyFlowMods([add, bad as never]), (e: unknown) => {
        assert.ok(e instanceof InputError);
        const paths = e.problems.map((p) => `${p.path}: ${p.reason}`).join('\n');
        assert.match(paths, /match\.vlanVid: 8192 is outside 0\.\.8191/);
        assert.match(paths, /match\.ethDst: "not-a-mac" is not a MAC address/);
        assert.match(paths, /match\.colour: unknown field/);
        assert.match(paths, /instructions\[0\]\.actions\[0\]\.port: "SOMEWHERE" is not a reserved port/);
        assert.match(paths, /instructions\[0\]\.actions\[1\]\.zoneSrc: give zone or zoneSrc, not both/);
        assert.match(e.message, /flow_mod #1/);
        return true;
      });
      const huge = { command: 'add' as const, instructions: [{ type: 'applyActions' as const, actions: Array.from({ length: 5000 }, () => ({ type: 'output' as const, port: 1 })) }] };
      await assert.rejects(sw.applyFlowMods([huge]), (e: unknown) => e instanceof InputError && /flow_mod #0 cannot be sent: .*exceeds 65535/.test(e.message));
      await sw.barrier();
      assert.deepEqual(
        fake.received.slice(before).map((f) => f.type),
        [T.BARRIER_REQUEST],
        'only the later barrier went out',
      );
    });
  });

  describe('requests and replies', () => {
    it('flow stats in several multipart parts (REPLY_MORE) are concatenated and decoded', async () => {
      const { fake, sw } = await connected();
      const dump = sw.dumpFlows({ tableId: 3, cookie: 0x10n, cookieMask: 0xf0n });
      const req = await fake.next(T.MULTIPART_REQUEST);
      assert.equal(req.body.readUInt16BE(0), 1, 'OFPMP_FLOW');
      assert.equal(req.body.readUInt8(8), 3, 'table filter');
      assert.equal(req.body.readBigUInt64BE(24), 0x10n, 'cookie filter');
      assert.equal(req.body.readBigUInt64BE(32), 0xf0n, 'cookie mask');
      fake.send(multipartReply(req.xid, 1, true, Buffer.concat([flowStatsEntry(3, 100, 0x11n, 1, 2), flowStatsEntry(3, 90, 0x12n, 2, 1)])));
      assert.equal(await settledState(dump), 'pending', 'waits for the last part');
      fake.send(multipartReply(req.xid, 1, false, flowStatsEntry(3, 80, 0x13n, 3, 0xfffffffa)));
      const flows = await dump;
      assert.deepEqual(
        flows.map((f) => [f.priority, f.cookie, f.match, f.instructions, f.packetCount, f.byteCount, f.durationSec]),
        [
          [100, 0x11n, { inPort: 1 }, [{ type: 'applyActions', actions: [{ type: 'output', port: 2 }] }], 7n, 700n, 12],
          [90, 0x12n, { inPort: 2 }, [{ type: 'applyActions', actions: [{ type: 'output', port: 1 }] }], 7n, 700n, 12],
          [80, 0x13n, { inPort: 3 }, [{ type: 'applyActions', actions: [{ type: 'output', port: 'NORMAL' }] }], 7n, 700n, 12],
        ],
      );
    });

    it('an ERROR answering a stats request rejects it with DeviceProtocolError (type/code names, xid, data hex)', async () => {
      const { fake, sw } = await connected();
      const dump = sw.dumpFlows();
      const req = await fake.next(T.MULTIPART_REQUEST);
      fake.send(errorMessage(req.xid, 1, 2, req.raw));
      await assert.rejects(dump, (e: unknown) => {
        assert.ok(e instanceof DeviceProtocolError);
        assert.match(e.message, /BAD_REQUEST\/BAD_MULTIPART/);
        assert.equal(e.details['xid'], req.xid);
        assert.equal(e.details['dataHex'], req.raw.toString('hex'));
        return true;
      });
    });

    it('a malformed flow stats reply is a DeviceProtocolError naming where it broke; the connection stays usable', async () => {
      const { fake, sw } = await connected();
      const dump = sw.dumpFlows();
      const req = await fake.next(T.MULTIPART_REQUEST);
      const entry = flowStatsEntry(0, 1, 1n, 1, 2);
      entry.writeUInt16BE(entry.length + 40, 0); // claims more bytes than the part has
      fake.send(multipartReply(req.xid, 1, false, entry));
      await assert.rejects(dump, (e: unknown) => e instanceof DeviceProtocolError && /flow_stats/.test(e.message));
      assert.equal((await sw.echo(Buffer.from('ok'))).toString(), 'ok');
    });
  });

  describe('events and robustness', () => {
    it('PACKET_IN and PORT_STATUS are decoded to typed events; the port list follows port-status', async () => {
      const { fake, sw } = await connected();
      const packetIn = new Promise<unknown>((r) => sw.once('packetIn', r));
      const portStatus = new Promise<unknown>((r) => sw.once('portStatus', r));
      const pi = Buffer.concat([
        Buffer.from('ffffffff' + '003c' + '01' + '02' + '0000000000000abc', 'hex'),
        Buffer.from('0001000c8000000400000005' + '00000000', 'hex'), // match in_port=5 + pad
        Buffer.from('0000', 'hex'),
        Buffer.from('ffffffffffff020000000001', 'hex'),
      ]);
      fake.send(frame(T.PACKET_IN, 0, pi));
      const ps = Buffer.concat([Buffer.from('0000000000000000', 'hex'), ofpPort(7, 'tap7', '02:00:00:00:00:07')]);
      fake.send(frame(T.PORT_STATUS, 0, ps));
      assert.deepEqual(await packetIn, {
        totalLen: 60,
        reason: 1,
        reasonName: 'action',
        tableId: 2,
        cookie: 0xabcn,
        match: { inPort: 5 },
        data: Buffer.from('ffffffffffff020000000001', 'hex'),
      });
      const ev = (await portStatus) as { reason: string; port: { name: string; portNo: number } };
      assert.equal(ev.reason, 'add');
      assert.equal(ev.port.name, 'tap7');
      assert.equal(sw.port(7)?.name, 'tap7');
    });

    it('unknown message types, experimenter messages and malformed async messages are ignored; the connection stays usable', async () => {
      const { fake, sw } = await connected();
      const events: unknown[] = [];
      sw.on('packetIn', (e) => events.push(e));
      fake.send(frame(99, 5, Buffer.from('whatever')));
      fake.send(frame(T.EXPERIMENTER, 6, Buffer.from('0000232000000000', 'hex')));
      fake.send(frame(T.PACKET_IN, 7, Buffer.from('ffff', 'hex'))); // truncated
      fake.send(frame(T.MULTIPART_REPLY, 12345, Buffer.alloc(8))); // answers nothing
      assert.equal((await sw.echo(Buffer.from('still here'))).toString(), 'still here');
      assert.deepEqual(events, []);
      assert.ok(sw.isOpen);
    });

    it('a framing error (length below 8) closes the connection with reason protocolError', async () => {
      const { fake, sw } = await connected();
      const gone = new Promise<DisconnectInfo>((r) => sw.once('disconnected', r));
      fake.send(Buffer.from('0402000300000001', 'hex'));
      const info = await gone;
      assert.equal(info.reason, 'protocolError');
      assert.ok(info.error instanceof DeviceProtocolError);
    });

    it('the same datapath connecting again replaces the old connection (reason replaced)', async () => {
      const { sw } = await connected({ datapathId: 0x77n });
      const gone = new Promise<DisconnectInfo>((r) => sw.once('disconnected', r));
      const next = controller.waitForSwitch({ fresh: true, timeoutMs: 5000 });
      fakes.push(await FakeSwitch.connect(controller.address()!.port, { datapathId: 0x77n }));
      const sw2 = await next;
      assert.notEqual(sw2, sw);
      assert.equal((await gone).reason, 'replaced');
      assert.deepEqual(controller.switches, [sw2]);
    });

    it('a switch closing the connection is reported as disconnected (peerClosed) by the connection and the controller', async () => {
      const { fake, sw } = await connected();
      const ctlEvent = new Promise<[SwitchConnection, DisconnectInfo]>((r) => controller.once('switchDisconnected', (c, i) => r([c, i])));
      await fake.close();
      const [c, info] = await ctlEvent;
      assert.equal(c, sw);
      assert.equal(info.reason, 'peerClosed');
      assert.equal(sw.isOpen, false);
      await assert.rejects(sw.echo(), DeviceConnectionError);
    });

    it('close() stops the listener, closes the sockets and fails pending requests', async () => {
      const { fake, sw } = await connected({ autoEcho: false });
      const port = controller.address()!.port;
      // Outcomes are captured before close() so their rejections are handled while close() runs.
      const pending = sw.echo().then(() => 'resolved', (e: unknown) => e);
      await fake.next(T.ECHO_REQUEST);
      const waiting = controller.waitForSwitch({ fresh: true }).then(() => 'resolved', (e: unknown) => e);
      await controller.close();
      assert.ok((await pending) instanceof DeviceConnectionError);
      assert.ok((await waiting) instanceof DeviceConnectionError);
      await fake.closed;
      assert.equal(controller.address(), undefined);
      assert.equal(sw.isOpen, false);
      assert.equal(sw.disconnectInfo?.reason, 'closed');
      await assert.rejects(
        new Promise((resolve, reject) => {
          const s = net.connect(port, '127.0.0.1');
          s.once('connect', () => {
            s.destroy();
            resolve(undefined);
          });
          s.once('error', reject);
        }),
        /ECONNREFUSED/,
      );
      await controller.close(); // idempotent
    });
  });
});
