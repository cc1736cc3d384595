import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ApiHarness } from './api-harness.js';

type Series = { name: string; labels: Record<string, string>; source: string; points: [number, number | string][] };

async function withStates(h: ApiHarness, at: number): Promise<void> {
  await h.store.saveElementStates('test-supervisor', [
    { instance: 'api#0', element: 'api', owner: 'test-supervisor', state: 'running', health: 'healthy', data: JSON.stringify({ pid: 1, rssBytes: 40_000_000, cpuPercent: 2.5 }), updatedAt: at },
    { instance: 'idle#0', element: 'idle', owner: 'test-supervisor', state: 'stopped', health: '-', data: JSON.stringify({ pid: null, rssBytes: null, cpuPercent: null }), updatedAt: at },
  ]);
}

test('GET /api/services/:name/metrics: CPU and RSS sampled from the supervisors, and the scraped series of that service only', async () => {
  const h = await ApiHarness.open();
  try {
    const now = Date.now();
    for (let i = 0; i < 50; i++) h.series.append('api_requests_total', { service: 'api', instance: 'api#0' }, i * 3, now - (50 - i) * 1_000);
    h.series.append('worker_jobs_total', { service: 'worker', instance: 'worker#0' }, 1, now);
    await withStates(h, now);
    // The history samples the saved states every 2 s: wait for the first sample of these.
    const deadline = Date.now() + 10_000;
    let series: Series[] = [];
    while (Date.now() < deadline) {
      const answer = await h.call('viewer', 'GET', '/api/services/api/metrics');
      assert.equal(answer.status, 200, answer.text);
      series = answer.json.series;
      if (series.some((s) => s.source === 'supervisor')) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const byName = new Map(series.map((s) => [s.name, s]));
    assert.deepEqual(byName.get('homeostat_instance_rss_bytes'), { name: 'homeostat_instance_rss_bytes', labels: { service: 'api', instance: 'api#0' }, source: 'supervisor', points: [[now, 40_000_000]] });
    assert.deepEqual(byName.get('homeostat_instance_cpu_percent')?.points, [[now, 2.5]]);
    const scraped = byName.get('api_requests_total')!;
    assert.equal(scraped.source, 'scraped');
    assert.equal(scraped.points.length, 50);
    assert.deepEqual(scraped.points.at(-1), [now - 1_000, 147]);
    assert.ok(!byName.has('worker_jobs_total'), 'only this service’s series');

    const thinned = (await h.call('viewer', 'GET', '/api/services/api/metrics?points=5')).json.series.find((s: Series) => s.name === 'api_requests_total') as Series;
    assert.equal(thinned.points.length, 5);
    assert.deepEqual(thinned.points.at(-1), [now - 1_000, 147], 'the newest point is always kept');
    const recent = (await h.call('viewer', 'GET', `/api/services/api/metrics?since=${now - 10_500}`)).json.series.find((s: Series) => s.name === 'api_requests_total') as Series;
    assert.equal(recent.points.length, 10);
    assert.equal((await h.call('viewer', 'GET', '/api/services/api/metrics?limit=1')).json.series.length, 1);

    // A service with state but no samples (stopped, no resources) is known: empty, not 404.
    const idle = await h.call('viewer', 'GET', '/api/services/idle/metrics');
    assert.equal(idle.status, 200);
    assert.deepEqual(idle.json.series, []);
    // Same saved state read again: still one sample, not two.
    await new Promise((resolve) => setTimeout(resolve, 2_200));
    assert.equal((await h.call('viewer', 'GET', '/api/services/api/metrics')).json.series.find((s: Series) => s.name === 'homeostat_instance_rss_bytes').points.length, 1);
  } finally {
    await h.close();
  }
});

test('GET /api/services/:name/metrics: every role may read, no token may not; bad input is a 400, an unknown service a 404', async () => {
  const h = await ApiHarness.open();
  try {
    await withStates(h, Date.now());
    for (const role of ['viewer', 'operator', 'admin'] as const) assert.equal((await h.call(role, 'GET', '/api/services/api/metrics')).status, 200, role);
    const none = await h.call('none', 'GET', '/api/services/api/metrics');
    assert.equal(none.status, 401);
    assert.equal(none.json.error.code, 'HS_API_UNAUTHORIZED');
    assert.equal((await h.call({ authorization: `Bearer ${h.revoked}` }, 'GET', '/api/services/api/metrics')).status, 401);
    for (const query of ['since=yesterday', 'since=-5', 'since=1.5', 'limit=0', 'limit=abc', 'points=0', 'points=99999999', 'step=1']) {
      const answer = await h.call('viewer', 'GET', `/api/services/api/metrics?${query}`);
      assert.equal(answer.status, 400, `${query}: ${answer.text}`);
      assert.equal(answer.json.error.code, 'HS_API_INVALID_REQUEST', query);
    }
    const unknown = await h.call('viewer', 'GET', '/api/services/nope/metrics');
    assert.equal(unknown.status, 404);
    assert.equal(unknown.json.error.code, 'HS_API_SERVICE_NOT_FOUND');
    assert.equal((await h.call('viewer', 'GET', `/api/services/${'x'.repeat(250)}/metrics`)).status, 400);
    assert.equal((await h.call('operator', 'POST', '/api/services/api/metrics', {})).status, 404);
  } finally {
    await h.close();
  }
});

test('GET /api/services/:name/metrics: NaN, +Inf and -Inf samples are answered as the strings "NaN", "+Inf", "-Inf", not a 500', async () => {
  const h = await ApiHarness.open();
  try {
    const now = Date.now();
    const labels = { service: 'api', instance: 'api#0' };
    h.series.append('quantile_seconds', labels, Number.NaN, now - 3_000);
    h.series.append('quantile_seconds', labels, 0.25, now - 2_000);
    h.series.append('quantile_seconds', labels, Number.POSITIVE_INFINITY, now - 1_000);
    h.series.append('quantile_seconds', labels, Number.NEGATIVE_INFINITY, now);
    const answer = await h.call('viewer', 'GET', '/api/services/api/metrics');
    assert.equal(answer.status, 200, answer.text);
    const series = (answer.json.series as Series[]).find((s) => s.name === 'quantile_seconds')!;
    assert.deepEqual(series.points, [
      [now - 3_000, 'NaN'],
      [now - 2_000, 0.25],
      [now - 1_000, '+Inf'],
      [now, '-Inf'],
    ]);
  } finally {
    await h.close();
  }
});
