import assert from 'node:assert/strict';
import { Invariant, createVpc } from '@netloom/domain';
import { throwsInvariant } from './helpers';

describe('VPC model', () => {
  it('creates a frozen VPC with empty lists by default', () => {
    const v = createVpc({ name: 'shop' });
    assert.deepEqual(v, { name: 'shop', namespaces: [], subnets: [] });
    assert.ok(Object.isFrozen(v) && Object.isFrozen(v.namespaces));
    assert.deepEqual(createVpc({ name: 'shop', namespaces: ['shop', 'shop-jobs'], subnets: ['web'], logicalRouter: 'shop-lr' }).logicalRouter, 'shop-lr');
  });

  it('does not share the input arrays', () => {
    const namespaces = ['a'];
    const v = createVpc({ name: 'shop', namespaces });
    namespaces.push('b');
    assert.deepEqual(v.namespaces, ['a']);
  });

  it('name-invalid: VPC name, namespace, subnet and LR names', () => {
    throwsInvariant(() => createVpc({ name: 'shop vpc' }), Invariant.NAME_INVALID, /VPC name "shop vpc" is not allowed/);
    throwsInvariant(() => createVpc({ name: '-shop' }), Invariant.NAME_INVALID);
    throwsInvariant(() => createVpc({ name: 'x'.repeat(64) }), Invariant.NAME_INVALID);
    throwsInvariant(() => createVpc({ name: 'shop', namespaces: ['ok', 'bad|ns'] }), Invariant.NAME_INVALID, /VPC "shop" namespaces\[1\]/);
    throwsInvariant(() => createVpc({ name: 'shop', subnets: ['a\nb'] }), Invariant.NAME_INVALID, /subnets\[0\]/);
    throwsInvariant(() => createVpc({ name: 'shop', logicalRouter: '' }), Invariant.NAME_INVALID, /logicalRouter/);
  });

  it('duplicate: a namespace or subnet listed twice', () => {
    throwsInvariant(() => createVpc({ name: 'shop', namespaces: ['a', 'a'] }), Invariant.DUPLICATE, /namespaces lists "a" twice/);
    throwsInvariant(() => createVpc({ name: 'shop', subnets: ['web', 'web'] }), Invariant.DUPLICATE, /subnets lists "web" twice/);
  });

  it('value-invalid: a list that is not a list', () => {
    throwsInvariant(() => createVpc({ name: 'shop', namespaces: 'shop' as never }), Invariant.VALUE_INVALID, /namespaces must be a list/);
  });
});
