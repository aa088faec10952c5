import { strict as assert } from 'node:assert';
import { InputError, checkAdapterDefinition, compareAdapterPackageField, defineAdapter, type AdapterDefinition } from '@netloom/ports';

const store = () => {
  throw new Error('not called');
};

const good: AdapterDefinition = {
  id: 'demo-store',
  vendor: 'netloom',
  portApi: '^1.0.0',
  ports: { store },
  supports: { store: { watch: true, multiProcess: false, leases: false } },
};

describe('ports: defineAdapter', () => {
  it('accepts a valid definition and freezes it', () => {
    const def = defineAdapter(good);
    assert.ok(Object.isFrozen(def));
  });

  it('lists every problem of a broken definition', () => {
    const bad = {
      id: 'Bad Id',
      vendor: '',
      portApi: '^1.0.0',
      ports: { store },
      supports: { store: { watch: true, leases: 'yes', teleport: true }, fabric: {} },
      models: { modelPatterns: ['(unclosed'] },
    } as unknown as AdapterDefinition;
    const problems = checkAdapterDefinition(bad).map((p) => p.path);
    assert.deepEqual(problems.sort(), [
      'id',
      'models.modelPatterns[0]',
      'supports.fabric',
      'supports.store.leases',
      'supports.store.multiProcess',
      'supports.store.teleport',
      'vendor',
    ]);
    assert.throws(() => defineAdapter(bad), (e: unknown) => e instanceof InputError && e.problems.length === 7);
  });

  it('requires capabilities for every provided port', () => {
    const problems = checkAdapterDefinition({ ...good, supports: {} });
    assert.deepEqual(problems, [{ path: 'supports.store', reason: 'required for a provided port' }]);
  });

  it('compares the manifest with the package.json field', () => {
    assert.deepEqual(compareAdapterPackageField(good, { id: 'demo-store', ports: ['store'], portApi: '^1.0.0' }), []);
    const diff = compareAdapterPackageField(good, { id: 'other', ports: ['fabric'], portApi: '^2.0.0' }).map((p) => p.path);
    assert.deepEqual(diff, ['netloom.id', 'netloom.portApi', 'netloom.ports']);
  });
});
