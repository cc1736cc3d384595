import { test } from 'node:test';
import assert from 'node:assert/strict';
import { deviationsByElement } from './metric-ranking.js';
import type { MetricTable } from './metric-table.js';
import { explanation, rankRootCauses } from './rank-root-causes.js';

// Synthetic shop tables: gateway → orders → (payments, inventory → db), one row a second.
// Each element has the series the RCA benchmark writes: rps, errors, latency, cpu, rss.
const graph = new Map([
  ['gateway', ['orders']],
  ['orders', ['payments', 'inventory']],
  ['payments', []],
  ['inventory', ['db']],
  ['db', []],
]);
const ELEMENTS = [...graph.keys()];

/** A deterministic wobble in [-1, 1], different per series and row. */
const wobble = (i: number, salt: number) => (((i + 1) * 7919 * (salt + 3)) % 13) / 6 - 1;

type Row = Record<string, number | undefined>;
/** The healthy value of every series at row `i`: steady traffic with a little noise. */
function healthy(i: number): Row {
  const row: Row = {};
  ELEMENTS.forEach((element, n) => {
    row[`${element}_rps`] = (element === 'db' ? 20 : 20) + 0.05 * wobble(i, n);
    row[`${element}_errors`] = 0;
    row[`${element}_latency`] = 0.005 + 0.0005 * wobble(i, n + 10);
    row[`${element}_cpu`] = 0.05 + 0.005 * wobble(i, n + 20);
    row[`${element}_rss`] = 60 + 0.5 * wobble(i, n + 30);
  });
  return row;
}

function table(start: number, rows: Row[]): MetricTable {
  const names = Object.keys(rows[0]!);
  return { times: rows.map((_, i) => start + i), series: new Map(names.map((name) => [name, rows.map((r) => r[name] ?? Number.NaN)])) };
}

const normal = table(1_000, Array.from({ length: 12 }, (_, i) => healthy(i)));
/** The anomalous period: healthy rows changed by `fault` from row 2 on. */
const anomalous = (fault: (row: Row, i: number) => void) =>
  table(
    2_000,
    Array.from({ length: 10 }, (_, i) => {
      const row = healthy(i + 50);
      if (i >= 2) fault(row, i);
      return row;
    }),
  );
const ranking = (fault: (row: Row, i: number) => void) => rankRootCauses(normal, anomalous(fault), graph).map((c) => c.element);

test('a steady series moving by a percent or two is not out of range, however small its MAD', () => {
  const steady = table(0, Array.from({ length: 10 }, (_, i) => ({ api_rps: 20 + 0.001 * (i % 2) })));
  const nudged = table(100, Array.from({ length: 10 }, () => ({ api_rps: 20.3 })));
  const [api] = deviationsByElement(steady, nudged);
  assert.ok(api!.peakZ < 3, `z ${api!.peakZ}`);
  const doubled = deviationsByElement(steady, table(100, Array.from({ length: 10 }, () => ({ api_rps: 40 }))));
  assert.ok(doubled[0]!.peakZ >= 3 && doubled[0]!.series[0]!.direction === 'above');
});

test('an element whose series go empty stopped reporting: a missing deviation of the largest z; one empty series alone is not silence', () => {
  const down = deviationsByElement(
    normal,
    anomalous((row) => {
      for (const key of Object.keys(row)) if (key.startsWith('db_')) row[key] = undefined;
      row.payments_latency = undefined; // no requests reached payments: no latency, but it answered
    }),
  );
  const db = down.find((d) => d.element === 'db')!;
  const missing = db.series.find((s) => s.direction === 'missing');
  assert.ok(missing, JSON.stringify(db.series.map((s) => s.series)));
  assert.equal(missing.peakZ, 100);
  assert.equal(missing.onset, 2_002);
  assert.equal(db.risingZ, 100);
  const payments = down.find((d) => d.element === 'payments')!;
  assert.equal(payments.series.find((s) => s.direction === 'missing'), undefined);
});

test('a caller that fails fast is the cause, not the dependencies that only see its traffic fall', () => {
  // orders answers 500 without calling payments and inventory (and so db): their rps and CPU
  // fall to almost nothing; gateway's errors rise with orders'.
  const ranked = rankRootCauses(normal, anomalous((row) => {
    row.orders_errors = 20;
    row.gateway_errors = 20;
    row.orders_latency = 0.0002;
    for (const element of ['payments', 'inventory', 'db']) {
      row[`${element}_rps`] = 0;
      row[`${element}_cpu`] = 0.004;
    }
    row.db_latency = 0.0075; // the idle db answers its few requests a little slower
  }), graph);
  assert.equal(ranked[0]!.element, 'orders', ranked.map((c) => c.element).join(' > '));
  assert.ok(ranked[0]!.evidence.some((line) => /explains 1 of its 1 dependents' symptoms \(gateway\)/.test(line)), ranked[0]!.evidence.join('\n'));
  for (const idle of ['payments', 'inventory', 'db']) {
    const candidate = ranked.find((c) => c.element === idle)!;
    assert.ok(!candidate.evidence.some((line) => /explains/.test(line)), `${idle}: ${candidate.evidence.join('; ')}`);
    assert.ok(candidate.score < ranked[0]!.score / 1.5);
  }
});

test('a crashed service (no data of its own) ranks first, ahead of the dependents whose errors it causes', () => {
  const ranked = rankRootCauses(
    normal,
    anomalous((row) => {
      for (const key of Object.keys(row)) if (key.startsWith('inventory_')) row[key] = undefined;
      row.orders_errors = 20;
      row.gateway_errors = 20;
      row.db_rps = 0;
    }),
    graph,
  );
  assert.equal(ranked[0]!.element, 'inventory', ranked.map((c) => c.element).join(' > '));
  assert.match(ranked[0]!.evidence[0]!, /inventory stopped reporting at t=2002/);
  assert.ok(ranked.find((c) => c.element === 'orders')!.evidence.some((line) => /depends on inventory, which is unhealthy too/.test(line)));
});

test('errors in a shared leaf explain its dependents: the leaf first, the dependents discounted as victims', () => {
  const ranked = rankRootCauses(
    normal,
    anomalous((row) => {
      row.db_errors = 20;
      row.inventory_errors = 20;
      row.orders_errors = 20;
      row.gateway_errors = 20;
    }),
    graph,
  );
  assert.deepEqual(
    ranked.slice(0, 1).map((c) => c.element),
    ['db'],
  );
  assert.ok(ranked[0]!.evidence.some((line) => /explains 3 of its 3 dependents/.test(line)), ranked[0]!.evidence.join('\n'));
});

test('a CPU hog in a mid-level service: its CPU rises, its dependents get slower, and it is ranked first', () => {
  const order = ranking((row) => {
    row.inventory_cpu = 0.6;
    row.inventory_latency = 0.02;
    row.orders_latency = 0.03;
    row.gateway_latency = 0.035;
  });
  assert.equal(order[0], 'inventory', order.join(' > '));
});

test('a dependency barely out of range does not explain a dependent far out of it; one as far out does', () => {
  const calm = table(0, Array.from({ length: 10 }, (_, i) => ({ db_latency: 10 + (i % 3), api_errors: 0 })));
  const byName = (rows: Row[]) => new Map(deviationsByElement(calm, table(100, rows)).map((d) => [d.element, d]));
  const slightly = byName(Array.from({ length: 10 }, () => ({ db_latency: 16, api_errors: 30 })));
  assert.ok(explanation(slightly.get('db')!, slightly.get('api')!) < 0.1, `${explanation(slightly.get('db')!, slightly.get('api')!)}`);
  const down = byName(Array.from({ length: 10 }, () => ({ db_latency: 5_000, api_errors: 30 })));
  assert.ok(explanation(down.get('db')!, down.get('api')!) > 0.9, `${explanation(down.get('db')!, down.get('api')!)}`);
});

test('a dependent first out of range one sample before its dependency is still its victim (onsets are known to a sample)', () => {
  const ranked = rankRootCauses(
    normal,
    anomalous((row, i) => {
      row.inventory_latency = 0.03;
      row.orders_latency = 0.035;
      row.gateway_latency = 0.04;
      if (i >= 3) row.db_cpu = 0.4; // a CPU rate over the scrape interval lags the hog by up to one sample
    }),
    graph,
  );
  assert.equal(ranked[0]!.element, 'db', ranked.map((c) => `${c.element} ${c.score.toFixed(2)}`).join(' > '));
  assert.ok(ranked.find((c) => c.element === 'inventory')!.evidence.some((line) => /depends on db, which is unhealthy too \(from 1s later relative to it\)/.test(line)));
});

test('a restarted entry point refusing all work (a bad config) outranks the dependencies whose traffic stopped, even though their fall was seen first', () => {
  const ranked = rankRootCauses(
    normal,
    anomalous((row, i) => {
      for (const element of ['orders', 'payments', 'inventory', 'db']) {
        row[`${element}_rps`] = 0;
        row[`${element}_cpu`] = 0.003;
      }
      if (i === 2) for (const key of Object.keys(row)) if (key.startsWith('gateway_')) row[key] = undefined; // restarting
      if (i >= 3) row.gateway_errors = 20;
    }),
    graph,
  );
  assert.equal(ranked[0]!.element, 'gateway', ranked.map((c) => `${c.element} ${c.score.toFixed(2)}`).join(' > '));
});

test('a dependency that went wrong after a dependent does not claim to explain it', () => {
  const ranked = rankRootCauses(
    normal,
    anomalous((row, i) => {
      row.inventory_rss = 60 + 15 * (i - 1); // a leak from the start
      if (i >= 6) row.db_cpu = 0.1; // something unrelated in db, four samples later
    }),
    graph,
  );
  assert.equal(ranked[0]!.element, 'inventory', ranked.map((c) => `${c.element} ${c.score.toFixed(2)}`).join(' > '));
  const db = ranked.find((c) => c.element === 'db')!;
  assert.ok(!db.evidence.some((line) => /explains/.test(line)), db.evidence.join('; '));
});
