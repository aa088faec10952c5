import { strict as assert } from 'node:assert';
import { DeviceProtocolError, InputError } from '@netloom/ports';
import {
  applyDiff,
  asUuid,
  backoffDelay,
  decodeDatum,
  decodeRow,
  defaultValue,
  encodeOperations,
  formatRemote,
  namedUuid,
  op,
  parseRemote,
  parseSchema,
  type ColumnType,
  type DatabaseSchema,
  type Operation,
} from '@netloom/ovsdb';

/** A small schema shaped like vswitch.ovsschema (root set, strong references, enums, ranges, maps). */
const schemaJson = {
  name: 'Lab',
  version: '1.0.0',
  tables: {
    Root: {
      isRoot: true,
      maxRows: 1,
      columns: {
        bridges: { type: { key: { type: 'uuid', refTable: 'Bridge' }, min: 0, max: 'unlimited' } },
        external_ids: { type: { key: 'string', value: 'string', min: 0, max: 'unlimited' } },
      },
    },
    Bridge: {
      indexes: [['name']],
      columns: {
        name: { type: 'string', mutable: false },
        ports: { type: { key: { type: 'uuid', refTable: 'Port' }, min: 0, max: 'unlimited' } },
        fail_mode: { type: { key: { type: 'string', enum: ['set', ['standalone', 'secure']] }, min: 0, max: 1 } },
        flow_tables: { type: { key: { type: 'integer', minInteger: 0, maxInteger: 254 }, value: { type: 'uuid', refTable: 'Port' }, min: 0, max: 'unlimited' } },
        weight: { type: { key: { type: 'real', minReal: 0, maxReal: 1 } } },
        stp_enable: { type: 'boolean' },
      },
    },
    Port: {
      columns: {
        name: { type: { key: { type: 'string', minLength: 1, maxLength: 15 } }, mutable: false },
        interfaces: { type: { key: { type: 'uuid', refTable: 'Port' }, min: 1, max: 'unlimited' } },
        tag: { type: { key: { type: 'integer', minInteger: 0, maxInteger: 4095 }, min: 0, max: 1 } },
        trunks: { type: { key: { type: 'integer', minInteger: 0, maxInteger: 4095 }, min: 0, max: 4 } },
        external_ids: { type: { key: 'string', value: 'string', min: 0, max: 'unlimited' } },
      },
    },
  },
};

const U1 = '36bc0a1e-5d4f-4d6c-8f57-0e2d3c1f2a9b';
const U2 = '5b1c7c42-1f33-4c6e-9d0a-7a1b2c3d4e5f';

function problemsOf(fn: () => unknown): string[] {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof InputError, `expected InputError, got ${String(e)}`);
    return e.problems.map((p) => `${p.path}: ${p.reason}`);
  }
  assert.fail('expected an InputError');
}

describe('OVSDB schema and values', () => {
  let schema: DatabaseSchema;
  before(() => {
    schema = parseSchema(schemaJson);
  });

  it('normalises column types and adds _uuid/_version to every table', () => {
    const port = schema.tables.get('Port')!;
    assert.deepEqual(port.columns.get('tag')!.type, { key: { type: 'integer', minInteger: 0, maxInteger: 4095 }, min: 0, max: 1 });
    assert.deepEqual(schema.tables.get('Bridge')!.columns.get('stp_enable')!.type, { key: { type: 'boolean' }, min: 1, max: 1 });
    assert.deepEqual(schema.tables.get('Bridge')!.columns.get('fail_mode')!.type.key.enum, ['standalone', 'secure']);
    assert.equal(schema.tables.get('Root')!.isRoot, true);
    assert.equal(schema.tables.get('Bridge')!.isRoot, false);
    assert.equal(schema.tables.get('Bridge')!.columns.get('name')!.mutable, false);
    assert.equal(port.columns.get('_uuid')!.implicit, true);
    assert.equal(port.columns.get('interfaces')!.type.key.refType, 'strong');
  });

  it('rejects a malformed schema with DeviceProtocolError naming each path', () => {
    const bad = { name: 'X', version: '1', tables: { T: { columns: { a: { type: { key: 'strng' } }, b: { type: { key: 'string', min: 2 } }, c: { type: { key: { type: 'uuid', refTable: 'Nope' } } } } } } };
    assert.throws(
      () => parseSchema(bad),
      (e: unknown) => e instanceof DeviceProtocolError && /tables\["T"\]|tables\.T/.test(e.message) && /strng|atomic-type/.test(e.message),
    );
    const bad2 = { name: 'X', version: '1', tables: { T: { columns: { b: { type: { key: 'string', min: 2 } }, c: { type: { key: { type: 'uuid', refTable: 'Nope' } } } } } } };
    assert.throws(
      () => parseSchema(bad2),
      (e: unknown) =>
        e instanceof DeviceProtocolError && e.message.includes('tables.T.columns.b.type.min: 2 is not 0 or 1') && e.message.includes('tables.T.columns.c.type.key.refTable: "Nope" is not a table'),
    );
  });

  it('encodes JavaScript values to wire values by column type', () => {
    const wire = encodeOperations(schema, [
      op.insert('Port', { name: 'p1', interfaces: [namedUuid('i')], tag: 10, trunks: [10, 20], external_ids: { owner: 'netloom' } }, 'p'),
      op.insert('Port', { name: 'i', interfaces: [U1], tag: null, trunks: new Set([1]), external_ids: new Map([['a', 'b']]) }, 'i'),
      op.update('Bridge', [['_uuid', '==', U2]], { fail_mode: 'secure', flow_tables: { '3': U1 }, weight: 0.5, stp_enable: true }),
      op.mutate('Root', [], [
        ['bridges', 'insert', [U2]],
        ['external_ids', 'delete', ['gone']],
      ]),
    ] as const);
    assert.deepEqual(wire, [
      {
        op: 'insert',
        table: 'Port',
        row: { name: 'p1', interfaces: ['set', [['named-uuid', 'i']]], tag: 10, trunks: ['set', [10, 20]], external_ids: ['map', [['owner', 'netloom']]] },
        'uuid-name': 'p',
      },
      { op: 'insert', table: 'Port', row: { name: 'i', interfaces: ['set', [['uuid', U1]]], tag: ['set', []], trunks: ['set', [1]], external_ids: ['map', [['a', 'b']]] }, 'uuid-name': 'i' },
      { op: 'update', table: 'Bridge', where: [['_uuid', '==', ['uuid', U2]]], row: { fail_mode: 'secure', flow_tables: ['map', [[3, ['uuid', U1]]]], weight: 0.5, stp_enable: true } },
      {
        op: 'mutate',
        table: 'Root',
        where: [],
        mutations: [
          ['bridges', 'insert', ['set', [['uuid', U2]]]],
          ['external_ids', 'delete', ['set', ['gone']]],
        ],
      },
    ]);
  });

  it('rejects every value that does not fit, with table.column paths, before anything is built', () => {
    const problems = problemsOf(() =>
      encodeOperations(schema, [
        op.insert('Port', { name: '', interfaces: [], tag: 5000, trunks: [1, 2, 3, 4, 5], external_ids: { k: 7 as unknown as string }, nope: 1 }),
        op.update('Bridge', [['name', '==', 'b']], { name: 'renamed', fail_mode: 'open', weight: 2, stp_enable: 'yes' as unknown as boolean, flow_tables: { x: U1 } }),
        op.insert('Port', { name: 'way-too-long-port-name', interfaces: ['not-a-uuid'], tag: 1.5, trunks: [7, 7] }),
        op.mutate('Bridge', [['name', '<', 'a']], [['name', 'insert', 'x'], ['ports', '+=', 1], ['stp_enable', 'insert', true]]),
        op.insert('Brdge', {}),
        op.mutate('Root', [], [['bridges', 'insert', [namedUuid('nowhere')]]]),
      ] as readonly Operation[]),
    );
    assert.deepEqual(problems, [
      'ops[0].Port.name: "" is shorter than 1 characters',
      'ops[0].Port.interfaces: a set of 0 elements does not fit (at least 1 allowed)',
      'ops[0].Port.tag: 5000 is outside 0..4095',
      'ops[0].Port.trunks: a set of 5 elements does not fit (0 to 4 allowed)',
      'ops[0].Port.external_ids["k"]: expected a string, got 7',
      'ops[0].Port.nope: unknown column (table Port has name, interfaces, tag, trunks, external_ids)',
      'ops[1].Bridge.name: the column is immutable: it can only be set when the row is inserted',
      'ops[1].Bridge.fail_mode: "open" is not one of "standalone", "secure"',
      'ops[1].Bridge.weight: 2 is outside 0..1',
      'ops[1].Bridge.stp_enable: expected a boolean, got "yes"',
      'ops[1].Bridge.flow_tables["x"]: map key: expected an integer, got "x"',
      'ops[2].Port.name: "way-too-long-port-name" is longer than 15 characters',
      'ops[2].Port.interfaces[0]: "not-a-uuid" is not a UUID (use namedUuid(name) for a row inserted in this transaction)',
      'ops[2].Port.tag: 1.5 is not an integer',
      'ops[2].Port.trunks[1]: duplicate element 7',
      'ops[3].Bridge.where[0].name: "<" applies only to integer or real columns holding at most one value; Bridge.name is not one',
      'ops[3].Bridge.mutations[0].name: the column is immutable: it can only be set when the row is inserted',
      'ops[3].Bridge.mutations[1].ports: "+=" applies only to integer or real columns (and sets of them), not to a set of uuid',
      'ops[3].Bridge.mutations[2].stp_enable: "insert" applies only to sets and maps; Bridge.stp_enable holds exactly one value (use update)',
      'ops[4].table: "Brdge" is not a table of Lab',
      'ops: namedUuid("nowhere") is used but no insert of this transaction has uuidName "nowhere"',
    ]);
  });

  it('relaxes what RFC 7047 relaxes: includes with fewer elements than min, arithmetic arguments beyond the range', () => {
    const wire = encodeOperations(schema, [op.select('Port', [['interfaces', 'includes', []]]), op.mutate('Port', [], [['tag', '+=', 9999]])]);
    assert.deepEqual(wire, [
      { op: 'select', table: 'Port', where: [['interfaces', 'includes', ['set', []]]] },
      { op: 'mutate', table: 'Port', where: [], mutations: [['tag', '+=', 9999]] },
    ]);
  });

  it('decodes wire rows to JavaScript values (sets sorted, maps as Map, optional as null)', () => {
    const problems: { path: string; reason: string }[] = [];
    const row = decodeRow(
      schema.tables.get('Port')!,
      { _uuid: ['uuid', U1], name: 'p1', interfaces: ['uuid', U2], tag: ['set', []], trunks: ['set', [30, 10]], external_ids: ['map', [['b', '2'], ['a', '1']]] },
      'Port',
      problems,
    );
    assert.deepEqual(problems, []);
    assert.deepEqual(row, { _uuid: U1, name: 'p1', interfaces: [U2], tag: null, trunks: [10, 30], external_ids: new Map([['a', '1'], ['b', '2']]) });
    const bad: { path: string; reason: string }[] = [];
    decodeRow(schema.tables.get('Port')!, { tag: 'x', interfaces: ['uuid', 'nope'], ghost: 1 }, 'Port', bad);
    assert.deepEqual(
      bad.map((p) => `${p.path}: ${p.reason}`),
      ['Port.tag: expected an integer, got "x"', 'Port.interfaces: expected ["uuid", <uuid>], got ["uuid","nope"]', 'Port.ghost: the server sent a column that the schema of Port does not have'],
    );
  });

  it('applies update2 differences: sets toggle, maps add/change/remove, single values replace', () => {
    const set: ColumnType = { key: { type: 'integer' }, min: 0, max: 'unlimited' };
    const map: ColumnType = { key: { type: 'string' }, value: { type: 'string' }, min: 0, max: 'unlimited' };
    const optional: ColumnType = { key: { type: 'integer' }, min: 0, max: 1 };
    assert.deepEqual(applyDiff(set, [1, 2], [2, 3]), [1, 3]);
    assert.deepEqual(
      applyDiff(map, new Map([['a', '1'], ['b', '2']]), new Map([['a', '1'], ['b', '3'], ['c', '4']])),
      new Map([['b', '3'], ['c', '4']]),
    );
    assert.equal(applyDiff(optional, 10, 20), 20);
    const problems: { path: string; reason: string }[] = [];
    assert.equal(applyDiff(optional, 10, decodeDatum(optional, ['set', []], 'x', problems)!), null);
    assert.deepEqual(defaultValue({ key: { type: 'string' }, min: 1, max: 1 }), '');
    assert.deepEqual(defaultValue(map), new Map());
  });

  it('brands UUIDs and validates uuid-names', () => {
    assert.equal(asUuid(U1.toUpperCase()), U1);
    assert.throws(() => asUuid('x'), TypeError);
    assert.throws(() => namedUuid('1abc'), TypeError);
    assert.equal(JSON.stringify(namedUuid('br')), '["named-uuid","br"]');
  });
});

describe('OVSDB remotes and backoff', () => {
  it('parses unix, tcp and ssl remotes (IPv6 in brackets, default port 6640)', () => {
    assert.deepEqual(parseRemote('unix:/run/db.sock'), { kind: 'unix', path: '/run/db.sock' });
    assert.deepEqual(parseRemote('tcp:127.0.0.1:6641'), { kind: 'tcp', host: '127.0.0.1', port: 6641 });
    assert.deepEqual(parseRemote('ssl:[::1]'), { kind: 'ssl', host: '::1', port: 6640 });
    assert.equal(formatRemote(parseRemote('tcp:[fe80::1]:7')), 'tcp:[fe80::1]:7');
    for (const [bad, reason] of [
      ['ptcp:6640', 'passive'],
      ['tcp:::1:6640', 'brackets'],
      ['tcp:host:99999', 'outside 1..65535'],
      ['http://x', 'unknown method'],
      ['db.sock', 'expected unix:'],
    ] as const) {
      assert.throws(() => parseRemote(bad), (e: unknown) => e instanceof InputError && e.message.includes(reason), bad);
    }
  });

  it('backs off exponentially with jitter, capped', () => {
    const o = { initialDelayMs: 100, maxDelayMs: 1000, factor: 2, jitter: 0.2 };
    assert.equal(backoffDelay(0, o, () => 0.5), 100);
    assert.equal(backoffDelay(3, o, () => 0.5), 800);
    assert.equal(backoffDelay(10, o, () => 0.999), 1000);
    assert.equal(backoffDelay(2, o, () => 0), 320);
    assert.equal(backoffDelay(2, o, () => 0.999), 480);
  });
});
