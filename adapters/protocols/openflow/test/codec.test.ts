/**
 * The wire codec on its own: OXM and Nicira encodings byte for byte (field numbers of OVS `lib/meta-flow.xml`,
 * `nx_action_conntrack` / `nx_action_resubmit` layouts of `lib/ofp-actions.c`), what `ovs-ofctl ofp-print` makes of
 * our FLOW_MOD, lossless round trips of matches, actions and instructions (property tests), canonical forms,
 * error names and hello negotiation.
 */
import * as assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import fc from 'fast-check';
import { skipUnlessOvs } from '@netloom/ovsdb/testing';
import {
  type Action,
  type FlowMod,
  type Instruction,
  MATCH_FIELDS,
  type Match,
  type MatchFieldName,
  MatchCodec,
  canonicalInstructions,
  canonicalIpv6,
  canonicalMatch,
  encodeFlowMod,
  helloVersions,
  openFlowErrorNames,
} from '@netloom/openflow';
import { decodeOrThrow, InputError } from '@netloom/ports';

const run = promisify(execFile);

/** The OXM TLV bytes of a FLOW_MOD (after the 48-byte fixed part and the 4-byte match header). */
function oxmHex(mod: FlowMod): string {
  const msg = encodeFlowMod(1, mod);
  const len = msg.readUInt16BE(50);
  return msg.subarray(52, 48 + len).toString('hex');
}

/** The instruction bytes of a FLOW_MOD. */
function instructionsHex(mod: FlowMod): string {
  const msg = encodeFlowMod(1, mod);
  const len = msg.readUInt16BE(50);
  return msg.subarray(48 + Math.ceil(len / 8) * 8).toString('hex');
}

/** RFC 5952 text of 16 bytes by an independent implementation: the WHATWG URL host serializer. */
function ipv6Oracle(b: Uint8Array): string {
  const groups: string[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(((b[i]! << 8) | b[i + 1]!).toString(16));
  return new URL(`http://[${groups.join(':')}]/`).hostname.slice(1, -1);
}

const bytes = (n: number): fc.Arbitrary<Uint8Array> => fc.uint8Array({ minLength: n, maxLength: n });
const macText = (b: Uint8Array): string => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join(':');
const ipv4Text = (b: Uint8Array): string => Array.from(b).join('.');

const SIZE = { u8: 1, u16: 2, u32: 4, u64: 8, mac: 6, ipv4: 4, ipv6: 16, port: 4 } as const;

/** A typed value of `kind` from its bytes (independent of the package's decoders). */
function valueOf(kind: keyof typeof SIZE, b: Uint8Array): unknown {
  const buf = Buffer.from(b);
  switch (kind) {
    case 'u8':
    case 'u16':
    case 'u32':
      return buf.readUIntBE(0, buf.length);
    case 'u64':
      return buf.readBigUInt64BE(0);
    case 'mac':
      return macText(b);
    case 'ipv4':
      return ipv4Text(b);
    case 'ipv6':
      return ipv6Oracle(b);
    default:
      return buf.readUInt32BE(0);
  }
}

/** Canonical values of a field: exact, or masked with value bits inside a mask that is neither all ones nor zero. */
function fieldArb(name: MatchFieldName): fc.Arbitrary<unknown> {
  const spec = MATCH_FIELDS[name] as { kind: keyof typeof SIZE; maskable: boolean; max?: number };
  if (spec.kind === 'port') return fc.oneof(fc.integer({ min: 1, max: 0xffffff00 }), fc.constantFrom('LOCAL', 'CONTROLLER', 'IN_PORT'));
  const n = SIZE[spec.kind];
  const clamp = (b: Uint8Array): Uint8Array => {
    if (spec.max === undefined) return b;
    const v = Buffer.from(b).readUIntBE(0, n) & spec.max;
    const out = Buffer.alloc(n);
    out.writeUIntBE(v, 0, n);
    return out;
  };
  const exact = bytes(n).map((b) => valueOf(spec.kind, clamp(b)));
  if (!spec.maskable) return exact;
  const masked = fc.tuple(bytes(n), bytes(n)).map(([v, m]) => {
    const mask = clamp(m);
    const value = clamp(v).map((x, i) => x & mask[i]!);
    if (mask.every((x) => x === 0) || mask.every((x) => x === 0xff)) return valueOf(spec.kind, value);
    return { value: valueOf(spec.kind, value), mask: valueOf(spec.kind, mask) };
  });
  return fc.oneof(exact, masked);
}

const matchArb: fc.Arbitrary<Match> = fc.record(
  Object.fromEntries((Object.keys(MATCH_FIELDS) as MatchFieldName[]).map((k) => [k, fieldArb(k)])) as Record<MatchFieldName, fc.Arbitrary<unknown>>,
  { requiredKeys: [], noNullPrototype: true },
) as fc.Arbitrary<Match>;

const setFieldArb: fc.Arbitrary<Action> = fc.oneof(
  fc.record({ type: fc.constant('setField' as const), field: fc.constantFrom('reg0' as const, 'reg5' as const, 'ctMark' as const), value: fc.integer({ min: 0, max: 0xffffffff }) }, { noNullPrototype: true }),
  fc.record({ type: fc.constant('setField' as const), field: fc.constant('tunnelId' as const), value: fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }) }, { noNullPrototype: true }),
  fc.record({ type: fc.constant('setField' as const), field: fc.constant('vlanVid' as const), value: fc.integer({ min: 0, max: 4095 }).map((v) => 0x1000 | v) }, { noNullPrototype: true }),
  fc.record({ type: fc.constant('setField' as const), field: fc.constant('ethDst' as const), value: bytes(6).map(macText) }, { noNullPrototype: true }),
);

const simpleActionArb: fc.Arbitrary<Action> = fc.oneof(
  fc
    .record({ port: fc.oneof(fc.integer({ min: 1, max: 0xffffff00 }), fc.constantFrom('IN_PORT' as const, 'NORMAL' as const, 'FLOOD' as const, 'ALL' as const, 'CONTROLLER' as const, 'LOCAL' as const, 'TABLE' as const)), maxLen: fc.option(fc.integer({ min: 0, max: 0xffff }), { nil: undefined }) })
    .map(({ port, maxLen }): Action => {
      const dflt = port === 'CONTROLLER' ? 0xffff : 0;
      return maxLen === undefined || maxLen === dflt ? { type: 'output', port } : { type: 'output', port, maxLen };
    }),
  fc.integer({ min: 0, max: 0xffffffff }).map((groupId): Action => ({ type: 'group', groupId })),
  fc.constantFrom<Action>({ type: 'pushVlan' }, { type: 'pushVlan', ethertype: 0x88a8 }, { type: 'popVlan' }, { type: 'ctClear' }),
  setFieldArb,
  fc
    .record({ table: fc.option(fc.integer({ min: 0, max: 254 }), { nil: undefined }), inPort: fc.option(fc.oneof(fc.integer({ min: 1, max: 0xfeff }), fc.constantFrom('LOCAL' as const, 'CONTROLLER' as const)), { nil: undefined }), ct: fc.boolean() })
    .map(({ table, inPort, ct }): Action => ({ type: 'resubmit', ...(table !== undefined ? { table } : {}), ...(inPort !== undefined ? { inPort } : {}), ...(ct ? { ct: true } : {}) })),
  fc.constantFrom<Action>({ type: 'raw', actionType: 24, data: '00000000' }, { type: 'raw', actionType: 0xffff, data: '00aabbcc0001020304050607' }),
);

const ctArb: fc.Arbitrary<Action> = fc
  .record({
    commit: fc.boolean(),
    force: fc.boolean(),
    zone: fc.option(fc.integer({ min: 1, max: 0xffff }), { nil: undefined }),
    zoneFromReg: fc.boolean(),
    table: fc.option(fc.integer({ min: 0, max: 254 }), { nil: undefined }),
    alg: fc.option(fc.constantFrom(21, 69), { nil: undefined }),
    actions: fc.array(setFieldArb, { maxLength: 2 }),
  })
  .map((c): Action => ({
    type: 'ct',
    ...(c.commit ? { commit: true } : {}),
    ...(c.commit && c.force ? { force: true } : {}),
    ...(c.zoneFromReg ? { zoneSrc: { field: 'reg6' as const, ofs: 0, nbits: 16 } } : c.zone !== undefined ? { zone: c.zone } : {}),
    ...(c.table !== undefined ? { table: c.table } : {}),
    ...(c.alg !== undefined ? { alg: c.alg } : {}),
    ...(c.actions.length > 0 ? { actions: c.actions } : {}),
  }));

const actionsArb = fc.array(fc.oneof(simpleActionArb, ctArb), { maxLength: 6 });

/** Instructions in execution order, as a switch returns them. */
const instructionsArb: fc.Arbitrary<Instruction[]> = fc
  .record({
    meter: fc.option(fc.integer({ min: 1, max: 0xffff }), { nil: undefined }),
    apply: fc.option(actionsArb, { nil: undefined }),
    clear: fc.boolean(),
    write: fc.option(actionsArb, { nil: undefined }),
    metadata: fc.option(fc.tuple(fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }), fc.bigInt({ min: 0n, max: (1n << 64n) - 1n })), { nil: undefined }),
    goto: fc.option(fc.integer({ min: 0, max: 254 }), { nil: undefined }),
  })
  .map((r) => {
    const out: Instruction[] = [];
    if (r.meter !== undefined) out.push({ type: 'meter', meterId: r.meter });
    if (r.apply !== undefined) out.push({ type: 'applyActions', actions: r.apply });
    if (r.clear) out.push({ type: 'clearActions' });
    if (r.write !== undefined) out.push({ type: 'writeActions', actions: r.write });
    if (r.metadata !== undefined) out.push({ type: 'writeMetadata', metadata: r.metadata[0], mask: r.metadata[1] });
    if (r.goto !== undefined) out.push({ type: 'gotoTable', tableId: r.goto });
    return out;
  });

describe('OpenFlow wire codec', () => {
  describe('OXM match encoding', () => {
    it('uses class 0x8000 for the basic fields and NXM_NX (0x0001) with the OVS field numbers for registers and conntrack', () => {
      assert.equal(oxmHex({ command: 'add', match: { inPort: 1 } }), '8000000400000001');
      assert.equal(oxmHex({ command: 'add', match: { vlanVid: 0x1000 | 100 } }), '80000c021064');
      assert.equal(oxmHex({ command: 'add', match: { vlanVid: { value: 0x1000, mask: 0x1000 } } }), '80000d0410001000');
      assert.equal(oxmHex({ command: 'add', match: { tunnelId: 0x1388n } }), '80004c080000000000001388');
      assert.equal(oxmHex({ command: 'add', match: { reg0: 7 } }), '0001000400000007');
      assert.equal(oxmHex({ command: 'add', match: { reg7: { value: 0x10, mask: 0xf0 } } }), '00010f0800000010000000f0');
      assert.equal(oxmHex({ command: 'add', match: { ctState: { value: 0x21, mask: 0x21 } } }), '0001d3080000002100000021', 'ct_state = NXM_NX 105');
      assert.equal(oxmHex({ command: 'add', match: { ctZone: 5 } }), '0001d4020005', 'ct_zone = NXM_NX 106');
      assert.equal(oxmHex({ command: 'add', match: { ctMark: 3 } }), '0001d60400000003', 'ct_mark = NXM_NX 107');
      assert.equal(oxmHex({ command: 'add', match: { ipv4Dst: { value: '10.0.0.0', mask: '255.255.255.0' } } }), '800019080a000000ffffff00');
    });

    it('writes prerequisites first whatever the key order, and pads the match to 8 bytes', () => {
      const msg = encodeFlowMod(1, { command: 'add', match: { tcpDst: 80, ipProto: 6, ethType: 0x0800 } });
      assert.equal(msg.readUInt16BE(50), 4 + 6 + 5 + 6, 'match length excludes padding');
      assert.equal(oxmHex({ command: 'add', match: { tcpDst: 80, ipProto: 6, ethType: 0x0800 } }), '80000a020800' + '80001401' + '06' + '80001c020050');
      assert.equal((msg.length - 48) % 8, 0);
    });

    it('canonicalMatch applies masks, drops all-ones and all-zero masks, and canonicalises addresses', () => {
      assert.deepEqual(
        canonicalMatch({
          ipv4Dst: { value: '10.0.0.7', mask: '255.255.255.0' },
          reg1: { value: 5, mask: 0xffffffff },
          reg2: { value: 5, mask: 0 },
          ethSrc: 'AA-BB-CC-DD-EE-FF',
          ipv6Src: '2001:DB8:0:0:0:0:0:1',
        }),
        { ipv4Dst: { value: '10.0.0.0', mask: '255.255.255.0' }, reg1: 5, ethSrc: 'aa:bb:cc:dd:ee:ff', ipv6Src: '2001:db8::1' },
      );
    });

    it('every modelled field survives encode and decode unchanged (property)', () => {
      fc.assert(
        fc.property(matchArb, (m) => {
          assert.deepEqual(canonicalMatch(m), m);
          assert.deepEqual(decodeOrThrow(MatchCodec, m, 'match'), m, 'the codec accepts what the wire returns');
        }),
        { numRuns: 400 },
      );
    });

    it('IPv6 text is RFC 5952, agreeing with an independent serializer (property)', () => {
      fc.assert(
        fc.property(bytes(16), (b) => {
          const full = Array.from({ length: 8 }, (_, i) => ((b[2 * i]! << 8) | b[2 * i + 1]!).toString(16).toUpperCase()).join(':');
          assert.equal(canonicalIpv6(full), ipv6Oracle(b));
        }),
        { numRuns: 400 },
      );
      assert.equal(canonicalIpv6('::ffff:10.0.0.1'), '::ffff:a00:1');
      assert.equal(canonicalIpv6('fe80:0:0:1:0:0:0:0'), 'fe80:0:0:1::', 'the longest zero run is compressed');
      assert.equal(canonicalIpv6('fe80::1:0:0:0'), 'fe80::1:0:0:0', 'of equal runs the first is compressed');
    });

    it('unknown OXM fields (an experimenter field, arp_sha) are kept raw and written back byte for byte', () => {
      const extra = [
        { oxmClass: 0xffff, field: 62, experimenter: 0x4f4e4600, value: '0002', mask: '0fff' },
        { oxmClass: 0x8000, field: 24, value: '020000000001' },
      ];
      const m: Match = { ethType: 0x0806, extra };
      assert.deepEqual(canonicalMatch(m), m);
      assert.equal(oxmHex({ command: 'add', match: m }), '80000a020806' + 'ffff7d084f4e460000020fff' + '80003006020000000001');
    });

    it('MatchCodec reports each bad field with its path', () => {
      assert.throws(
        () => decodeOrThrow(MatchCodec, { vlanVid: 0x2000, ipv4Src: '10.0.0.300', tunnelId: 5, reg8: 1, ipv6Dst: { value: 'fd00::', mask: 'zz' } }, 'match'),
        (e: unknown) => {
          assert.ok(e instanceof InputError);
          const text = e.problems.map((p) => `${p.path}: ${p.reason}`).join('\n');
          assert.match(text, /vlanVid: 8192 is outside 0\.\.8191/);
          assert.match(text, /ipv4Src: "10\.0\.0\.300" is not an IPv4 address/);
          assert.match(text, /tunnelId: expected u64 or \{value, mask\}, got 5/);
          assert.match(text, /reg8: unknown field/);
          assert.match(text, /ipv6Dst\.mask: "zz" is not an IPv6 address/);
          return true;
        },
      );
    });
  });

  describe('actions and instructions', () => {
    it('encodes the Nicira actions as OVS does: ct (NXAST_CT 35), resubmit (NXAST_RESUBMIT_TABLE 14), ct_clear (43)', () => {
      const hex = instructionsHex({
        command: 'add',
        instructions: [{ type: 'applyActions', actions: [{ type: 'ct', commit: true, zone: 5, table: 3 }, { type: 'resubmit', table: 4 }, { type: 'ctClear' }] }],
      });
      assert.equal(
        hex,
        '0004' + '0040' + '00000000' +
          'ffff0018' + '00002320' + '0023' + '0001' + '00000000' + '0005' + '03' + '000000' + '0000' +
          'ffff0010' + '00002320' + '000e' + 'fff8' + '04' + '000000' +
          'ffff0010' + '00002320' + '002b' + '000000000000',
      );
    });

    it('ct with a zone from a register and nested actions: zone_src is the NXM header, ofs_nbits packed, actions follow', () => {
      const hex = instructionsHex({
        command: 'add',
        instructions: [{ type: 'applyActions', actions: [{ type: 'ct', commit: true, zoneSrc: { field: 'reg6', ofs: 0, nbits: 16 }, actions: [{ type: 'setField', field: 'ctMark', value: 1 }] }] }],
      });
      assert.equal(hex, '0004' + '0030' + '00000000' + 'ffff0028' + '00002320' + '0023' + '0001' + '00010c04' + '000f' + 'ff' + '000000' + '0000' + '0019' + '0010' + '0001d604' + '00000001' + '00000000');
    });

    it('actions and instructions survive encode and decode unchanged, unknown ones kept raw (property)', () => {
      fc.assert(
        fc.property(instructionsArb, (ins) => {
          assert.deepEqual(canonicalInstructions(ins), ins);
        }),
        { numRuns: 400 },
      );
    });

    it('instructions are written in execution order and defaults are omitted on read-back', () => {
      assert.deepEqual(
        canonicalInstructions([
          { type: 'gotoTable', tableId: 2 },
          { type: 'applyActions', actions: [{ type: 'output', port: 'CONTROLLER', maxLen: 0xffff }, { type: 'pushVlan', ethertype: 0x8100 }, { type: 'ct', commit: false, zone: 0, table: 255 as number } as Action] },
        ]).map((i) => i.type),
        ['applyActions', 'gotoTable'],
      );
      assert.deepEqual(canonicalInstructions([{ type: 'applyActions', actions: [{ type: 'output', port: 'CONTROLLER', maxLen: 0xffff }, { type: 'pushVlan', ethertype: 0x8100 }] }]), [
        { type: 'applyActions', actions: [{ type: 'output', port: 'CONTROLLER' }, { type: 'pushVlan' }] },
      ]);
    });
  });

  describe('cross-check with ovs-ofctl', function () {
    before(function () {
      skipUnlessOvs(this);
    });

    it('ovs-ofctl ofp-print reads our FLOW_MOD as the intended flow', async () => {
      const msg = encodeFlowMod(0x1234, {
        command: 'add',
        tableId: 1,
        priority: 200,
        cookie: 0x4e4c000000000002n,
        idleTimeout: 30,
        flags: ['sendFlowRem'],
        match: { ethType: 0x0800, ipProto: 6, tcpDst: 80, ipv4Src: { value: '10.0.0.0', mask: '255.255.255.0' }, vlanVid: 0x1000 | 100, ctState: { value: 0x21, mask: 0x21 }, ctZone: 5, reg0: 7, tunnelId: 0x1388n },
        instructions: [
          { type: 'applyActions', actions: [{ type: 'ct', commit: true, zone: 5, table: 3 }, { type: 'resubmit', table: 4 }, { type: 'setField', field: 'reg1', value: 5 }, { type: 'popVlan' }, { type: 'output', port: 'NORMAL' }] },
          { type: 'writeMetadata', metadata: 0x20n, mask: 0xf0n },
          { type: 'gotoTable', tableId: 5 },
        ],
      });
      const { stdout } = await run('ovs-ofctl', ['ofp-print', msg.toString('hex')]);
      for (const expected of [
        'OFPT_FLOW_MOD (OF1.3) (xid=0x1234): ADD table:1',
        'cookie:0x4e4c000000000002',
        'idle:30',
        'send_flow_rem',
        'priority=200',
        'ct_state=+new+trk',
        'ct_zone=5',
        'tcp',
        'reg0=0x7',
        'tun_id=0x1388',
        'dl_vlan=100',
        'nw_src=10.0.0.0/24',
        'tp_dst=80',
        'actions=ct(commit,table=3,zone=5),resubmit(,4),set_field:0x5->reg1,pop_vlan,NORMAL,write_metadata:0x20/0xf0,goto_table:5',
      ]) {
        assert.ok(stdout.includes(expected), `ofp-print output lacks ${JSON.stringify(expected)}:\n${stdout}`);
      }
      assert.doesNotMatch(stdout, /error|bad|\*\*\*/i);
    });
  });

  describe('errors and hello', () => {
    it('names the common error types and codes', () => {
      assert.deepEqual(openFlowErrorNames(0, 0), { typeName: 'HELLO_FAILED', codeName: 'INCOMPATIBLE' });
      assert.deepEqual(openFlowErrorNames(1, 2), { typeName: 'BAD_REQUEST', codeName: 'BAD_MULTIPART' });
      assert.deepEqual(openFlowErrorNames(2, 4), { typeName: 'BAD_ACTION', codeName: 'BAD_OUT_PORT' });
      assert.deepEqual(openFlowErrorNames(3, 2), { typeName: 'BAD_INSTRUCTION', codeName: 'BAD_TABLE_ID' });
      assert.deepEqual(openFlowErrorNames(4, 9), { typeName: 'BAD_MATCH', codeName: 'BAD_PREREQ' });
      assert.deepEqual(openFlowErrorNames(5, 3), { typeName: 'FLOW_MOD_FAILED', codeName: 'OVERLAP' });
      assert.deepEqual(openFlowErrorNames(0xffff, 7), { typeName: 'EXPERIMENTER', codeName: 'EXP_7' });
      assert.deepEqual(openFlowErrorNames(77, 1), { typeName: 'TYPE_77', codeName: 'CODE_1' });
    });

    it('reads offered versions from the bitmap, or up to the header version without one', () => {
      assert.deepEqual(helloVersions(6, Buffer.from('0001000800000012', 'hex')), [1, 4]);
      assert.deepEqual(helloVersions(1, Buffer.alloc(0)), [1]);
      assert.deepEqual(helloVersions(4, Buffer.from('0002000400000000' + '0001000800000010', 'hex')), [4], 'unknown elements are skipped');
    });
  });
});
