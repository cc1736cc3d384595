import { test } from 'node:test';
import assert from 'node:assert/strict';
import { defaultNodeName, nodeIdentity } from './node-identity.js';

test('the default node name is stable for a state dir and differs between two state dirs on one host', () => {
  assert.equal(defaultNodeName('/srv/a/.homeostat', 'host1'), defaultNodeName('/srv/a/.homeostat', 'host1'));
  assert.match(defaultNodeName('/srv/a/.homeostat', 'host1'), /^host1-[0-9a-f]{6}$/);
  assert.notEqual(defaultNodeName('/srv/a/.homeostat', 'host1'), defaultNodeName('/srv/b/.homeostat', 'host1'));
});

test('a configured name wins; every start is a new incarnation of the same node', () => {
  const first = nodeIdentity('web-1', '/srv/a/.homeostat');
  const second = nodeIdentity('web-1', '/srv/a/.homeostat');
  assert.equal(first.name, 'web-1');
  assert.equal(second.name, 'web-1');
  assert.notEqual(first.incarnation, second.incarnation);
  assert.equal(nodeIdentity(undefined, '/srv/a/.homeostat').name, defaultNodeName('/srv/a/.homeostat'));
});
