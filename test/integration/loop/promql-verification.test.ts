import { test } from 'node:test';
import assert from 'node:assert/strict';
import { instantQuery, rangeQuery } from '../../../src/monitor/prometheus-query.js';
import { joinChecks, verificationChecks } from '../../../src/execute/verification-checks.js';
import { verifyCheckSchema } from '../../../src/config/schema/verify-checks.js';
import { fakePrometheus } from '../helpers/fake-prometheus.js';
import { loopHarness } from './loop-harness.js';
import { waitUntil } from '../helpers/wait.js';

const check = (fields: Record<string, unknown>) => verifyCheckSchema.parse({ name: 'c', query: 'q', every: 0.001, ...fields });
const prometheusAt = (url: string) => ({ url, timeout: 1_000 });

test('rangeQuery: a matrix in ms with NaN and ±Inf kept, the window sent in seconds; other shapes, malformed samples and a hung Prometheus are failures', async () => {
  const p = await fakePrometheus();
  try {
    p.matrix([{ job: 'api' }, [[100, '0.5'], [115, 'NaN'], [130, '+Inf']]], [{ job: 'db' }, [[100, '-Inf']]]);
    const answer = await rangeQuery(p.url, 'rate(x[1m])', { startMs: 100_000, endMs: 130_000, stepMs: 15_000 }, 1_000);
    assert.ok(answer.ok);
    assert.deepEqual(answer.series[0]!.samples, [[100_000, 0.5], [115_000, NaN], [130_000, Infinity]]);
    assert.deepEqual(answer.series[1], { labels: { job: 'db' }, samples: [[100_000, -Infinity]] });
    assert.deepEqual(p.state.requests.at(-1), { path: '/api/v1/query_range', params: { query: 'rate(x[1m])', start: '100', end: '130', step: '15' } });
    p.state.rangeBody = JSON.stringify({ status: 'success', data: { resultType: 'vector', result: [] } });
    assert.match((await rangeQuery(p.url, 'x', { startMs: 0, endMs: 1_000, stepMs: 1_000 }, 1_000) as { error: string }).error, /answers a vector, not a matrix/);
    p.matrix([{ job: 'api' }, [[100, 'lots']]]);
    assert.match((await rangeQuery(p.url, 'x', { startMs: 0, endMs: 1_000, stepMs: 1_000 }, 1_000) as { error: string }).error, /malformed matrix sample: \[100,"lots"\]/);
    p.state.rangeBody = JSON.stringify({ status: 'success', data: { resultType: 'matrix', result: [{ metric: { job: 1 }, values: [] }] } });
    assert.match((await rangeQuery(p.url, 'x', { startMs: 0, endMs: 1_000, stepMs: 1_000 }, 1_000) as { error: string }).error, /malformed matrix series/);
    p.state.body = JSON.stringify({ status: 'success', data: { resultType: 'vector', result: [{ metric: {}, value: [1, 7] }] } });
    assert.match((await instantQuery(p.url, 'x', 1_000) as { error: string }).error, /malformed vector sample/, 'a value that is not Prometheus\'s text is malformed, not 7');
    p.state.hang = true;
    assert.deepEqual(await rangeQuery(p.url, 'x', { startMs: 0, endMs: 1_000, stepMs: 1_000 }, 200), { ok: false, error: 'no answer within 200 ms' });
  } finally {
    await p.close();
  }
});

test('an instant check passes only when every series passes; NaN never passes; no data fails unless noData: pass; a band takes both bounds', async () => {
  const p = await fakePrometheus();
  try {
    const read = (fields: Record<string, unknown>) => verificationChecks([check(fields)], { prometheus: prometheusAt(p.url), sinceMs: Date.now() }).read();
    p.vector([{ job: 'a' }, '0.001'], [{ job: 'b' }, '0.002']);
    assert.deepEqual(await read({ below: 0.01 }), { state: 'pass', detail: '' });
    p.vector([{ job: 'a' }, '0.001'], [{ job: 'b' }, '0.2']);
    assert.deepEqual(await read({ below: 0.01 }), { state: 'fail', detail: 'check c: 0.2 for {"job":"b"}, needs below 0.01' });
    p.vector([{ job: 'a' }, 'NaN']);
    assert.equal((await read({ below: 0.01 })).state, 'fail');
    assert.equal((await read({ above: 0.01 })).state, 'fail', 'NaN is neither below nor above anything');
    p.vector([{ job: 'a' }, '+Inf']);
    assert.equal((await read({ above: 0 })).state, 'pass', '+Inf is above 0');
    assert.equal((await read({ above: 0, below: 10 })).state, 'fail', '… but not inside a band');
    p.vector();
    assert.deepEqual(await read({ below: 1 }), { state: 'fail', detail: 'check c: no data (the query answered no series; noData: fail)' });
    assert.equal((await read({ below: 1, noData: 'pass' })).state, 'pass');
  } finally {
    await p.close();
  }
});

test('a range check asks the window since the action, capped by range, and fails on any point that did not pass', async () => {
  const p = await fakePrometheus();
  try {
    const now = 1_000_000;
    const read = (sinceMs: number) => verificationChecks([check({ below: 1, range: '2m', step: '10s' })], { prometheus: prometheusAt(p.url), sinceMs, clock: { now: () => now } }).read();
    p.matrix([{ job: 'a' }, [[990, '0'], [1000, '0']]]);
    assert.equal((await read(now - 20_000)).state, 'pass');
    assert.deepEqual(p.state.requests.at(-1)!.params, { query: 'q', start: '980', end: '1000', step: '10' }, 'the action was 20 s ago: the window starts there');
    await read(now - 600_000);
    assert.equal(p.state.requests.at(-1)!.params.start, '880', 'the action was 10 min ago: the window is range (2 min) long');
    p.matrix([{ job: 'a' }, [[990, '0'], [1000, '0']]], [{ job: 'b' }, [[980, '0'], [990, '3'], [1000, '0']]]);
    assert.deepEqual(await read(now - 20_000), { state: 'fail', detail: 'check c: 3 for {"job":"b"} 10 s ago, needs below 1 over the last 20 s' });
    p.matrix([{ job: 'a' }, []]);
    assert.equal((await read(now - 20_000)).state, 'fail', 'series without points are no data');
  } finally {
    await p.close();
  }
});

test('a check whose Prometheus answers 5xx, times out or is down is unknown, never a pass; a failing check outweighs an unknown one; `every` spaces the queries', async () => {
  const p = await fakePrometheus();
  const checks = (fields: Record<string, unknown>[], url = p.url) => verificationChecks(fields.map((f, i) => check({ name: `c${i}`, ...f })), { prometheus: prometheusAt(url), sinceMs: Date.now() });
  try {
    p.state.status = 503;
    p.state.body = 'unavailable';
    assert.deepEqual(await checks([{ below: 1 }]).read(), { state: 'unknown', detail: 'check c0: HTTP 503: not JSON: unavailable' });
    p.state.body = JSON.stringify({ status: 'error', errorType: 'execution', error: 'query timed out in expression evaluation' });
    p.state.rangeBody = p.state.body;
    assert.deepEqual(await checks([{ below: 1 }, { below: 1, range: '1m' }]).read(), {
      state: 'unknown',
      detail: 'check c0: execution: query timed out in expression evaluation; check c1: execution: query timed out in expression evaluation',
    });
    p.vector([{}, '5']);
    p.state.rangeBody = 'bad gateway';
    p.state.status = 200;
    assert.deepEqual(await checks([{ below: 1 }, { below: 1, range: '1m' }]).read(), { state: 'fail', detail: 'check c0: 5 for {}, needs below 1; check c1: HTTP 200: not JSON: bad gateway' }, 'one known failure fails them all');
    const spaced = verificationChecks([check({ below: 1, every: '1h' })], { prometheus: prometheusAt(p.url), sinceMs: Date.now() });
    const before = p.state.requests.length;
    await spaced.read();
    await spaced.read();
    assert.equal(p.state.requests.length, before + 1, 'the second read within `every` uses the last answer');
    p.state.hang = true;
    assert.match((await verificationChecks([check({ below: 1 })], { prometheus: { url: p.url, timeout: 200 }, sinceMs: Date.now() }).read()).detail, /^check c: no answer within 200 ms$/);
    p.state.hang = false;
  } finally {
    await p.close();
  }
  const gone = await fakePrometheus();
  await gone.close();
  const down = await checks([{ below: 1 }], gone.url).read();
  assert.equal(down.state, 'unknown');
  assert.match(down.detail, /^check c0: cannot reach http:\/\/127\.0\.0\.1:\d+: fetch failed \(connect ECONNREFUSED/);
});

/** A crash restarted, then stop-started, each verified by the PromQL check `errors` against `url`. */
const withChecks = (url: string) => `
prometheus: { url: "${url}", timeout: 500ms }
services:
  api: { command: node, args: [a.js] }
policies:
  crash:
    match: { symptom: [process-crashed] }
    ladder: [{ action: restart }, { action: stop-start }]
    verify:
      healthyFor: 100ms
      timeout: 1500ms
      checks:
        - { name: errors, query: 'sum(rate(errors_total[1m]))', below: 0.1, every: 50ms }
escalation: { retryEvery: 1h }
`;

async function remediated(h: Awaited<ReturnType<typeof loopHarness>>) {
  await waitUntil(async () => (await h.all()).some((i) => i.status === 'resolved' || i.status === 'escalated'), { timeoutMs: 10_000, message: 'the remediation ended' });
  const incident = (await h.all())[0]!;
  return { incident, explained: (await h.knowledge.incidents.explain(incident.id))! };
}

test('remediation: the action is verified by the PromQL check as well as the symptoms; a passing check resolves the incident', async () => {
  const p = await fakePrometheus();
  p.vector([{}, '0']);
  const h = await loopHarness(withChecks(p.url));
  try {
    h.symptom('process-crashed', 'api');
    const { incident, explained } = await remediated(h);
    assert.equal(incident.status, 'resolved');
    const verification = explained.entries.find((e) => e.kind === 'verification')!.data;
    assert.equal(verification.verdict, 'healthy');
    assert.deepEqual(verification.checked, ['process-crashed on api', 'check errors: sum(rate(errors_total[1m]))']);
    assert.ok(p.queries().includes('sum(rate(errors_total[1m]))'));
  } finally {
    await h.close();
    await p.close();
  }
});

test('remediation: a check that keeps failing fails verification and the next rung runs', async () => {
  const p = await fakePrometheus();
  p.vector([{}, '5']);
  const h = await loopHarness(withChecks(p.url));
  try {
    h.symptom('process-crashed', 'api');
    const { incident, explained } = await remediated(h);
    assert.equal(incident.status, 'escalated');
    assert.deepEqual(h.actions, ['restart api#0', 'stop-start api'], 'both rungs ran: the failure is known');
    const verifications = explained.entries.filter((e) => e.kind === 'verification').map((e) => e.data);
    assert.deepEqual(verifications.map((v) => v.verdict), ['failing', 'failing']);
    assert.match(String(verifications[0]!.detail), /^not healthy for 100 ms within 1500 ms: check errors: 5 for \{\}, needs below 0\.1$/);
  } finally {
    await h.close();
    await p.close();
  }
});

for (const outage of ['answers 503', 'is down (connection refused)'] as const) {
  test(`remediation: Prometheus ${outage} during verification → the verdict is unknown, not healthy; the incident is not resolved and the ladder stops`, async () => {
    const p = await fakePrometheus();
    const url = p.url;
    if (outage === 'answers 503') {
      p.state.status = 503;
      p.state.body = JSON.stringify({ status: 'error', errorType: 'unavailable', error: 'TSDB not ready' });
    } else {
      await p.close();
    }
    const h = await loopHarness(withChecks(url));
    try {
      h.symptom('process-crashed', 'api');
      const { incident, explained } = await remediated(h);
      assert.equal(incident.status, 'escalated');
      assert.equal(incident.resolvedAt, null);
      assert.deepEqual(h.actions, ['restart api#0'], 'the more disruptive stop-start is not run blind');
      const verification = explained.entries.find((e) => e.kind === 'verification')!.data;
      assert.equal(verification.ok, false);
      assert.equal(verification.verdict, 'unknown');
      assert.match(String(verification.detail), outage === 'answers 503' ? /^unknown: check errors: unavailable: TSDB not ready \(not healthy for 100 ms within 1500 ms\)$/ : /^unknown: check errors: cannot reach .*ECONNREFUSED/);
      const outcome = explained.entries.find((e) => e.kind === 'outcome')!.data;
      assert.match(String(outcome.detail), /^verification of restart api#0 is unknown: check errors: .*; the ladder stops there rather than run a more disruptive action it could not verify either; slow retries continue$/);
      const audit = (await h.knowledge.audit.list()).filter((e) => e.action === 'verification.unknown');
      assert.equal(audit.length, 1);
      assert.equal(audit[0]!.subject, incident.id);
    } finally {
      await h.close();
      if (outage === 'answers 503') await p.close();
    }
  });
}

test('joined: a known failure of either side is failing; else an unknown symptom rule or check is unknown; healthy only when both pass', async () => {
  const checks = (state: 'pass' | 'fail' | 'unknown') => ({ read: async () => ({ state, detail: state === 'pass' ? '' : `check c ${state}` }) });
  const unknownRule = { unknown: 'rule app-errors on app unknown: its query failed' };
  const cases = [
    [true, 'pass', true],
    [true, 'unknown', { unknown: 'check c unknown' }],
    [unknownRule, 'pass', unknownRule],
    [unknownRule, 'unknown', { unknown: 'rule app-errors on app unknown: its query failed; check c unknown' }],
    [unknownRule, 'fail', false],
    [false, 'unknown', false],
    [false, 'pass', false],
  ] as const;
  for (const [symptoms, state, expected] of cases) {
    const joined = joinChecks(() => symptoms, () => (symptoms === false ? 'api probes failing' : ''), checks(state));
    assert.deepEqual(await joined.isHealthy(), expected, JSON.stringify([symptoms, state]));
  }
  const joined = joinChecks(() => false, () => 'api probes failing', checks('unknown'));
  await joined.isHealthy();
  assert.equal(joined.whyNot(), 'api probes failing; check c unknown');
});
