import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mapScrapedLabels } from './scrape-mapping.js';

const target = { service: 'redis', job: 'redis', instance: '127.0.0.1:9121' };

test('by default the target’s labels win and the exposition’s own values are kept as exported_<name>', () => {
  assert.deepEqual(mapScrapedLabels({ instance: 'db-1:6379', db: 'db0' }, { targetLabels: target }), {
    instance: '127.0.0.1:9121',
    exported_instance: 'db-1:6379',
    db: 'db0',
    service: 'redis',
    job: 'redis',
  });
  assert.deepEqual(mapScrapedLabels({ job: 'redis' }, { targetLabels: target }), target, 'an equal value is not exported');
});

test('honorLabels keeps the exposition’s job and instance (a pushgateway’s, a federation’s)', () => {
  assert.deepEqual(mapScrapedLabels({ instance: 'db-1:6379', job: 'batch' }, { targetLabels: target, honorLabels: true }), { instance: 'db-1:6379', job: 'batch', service: 'redis' });
  assert.deepEqual(mapScrapedLabels({ instance: '' }, { targetLabels: target, honorLabels: true }).instance, '127.0.0.1:9121', 'an empty label is an absent one');
});

test('elementFrom and instanceFrom read the element and instance from a label of the series; series without it keep the target’s', () => {
  const mapping = { targetLabels: { service: 'exporter', job: 'blackbox', instance: '127.0.0.1:9115' }, elementFrom: 'app', instanceFrom: 'pod' };
  assert.deepEqual(mapScrapedLabels({ app: 'cart', pod: 'cart-7d9' }, mapping), { app: 'cart', pod: 'cart-7d9', service: 'cart', instance: 'cart-7d9', job: 'blackbox' });
  assert.deepEqual(mapScrapedLabels({ other: 'x' }, mapping), { other: 'x', service: 'exporter', job: 'blackbox', instance: '127.0.0.1:9115' });
});
