/**
 * Two `homeostat up` on one PostgreSQL store: only the leader runs the metric rules, so a
 * push to the follower's API must reach the leader's series (forwarded with the caller's
 * token, which the leader checks against the shared store), not be kept where no rule reads it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ApiTokens } from '../../src/api/api-tokens.js';
import { LEADER_HEADER } from '../../src/api/leader-forwarding.js';
import { exampleApiService } from './loop-harness.js';
import { SharedStorePair } from './shared-store-pair.js';

interface SeriesView {
  series: { name: string; points: [number, number][] }[];
}

test('push to the follower of two `up` on PostgreSQL: the sample reaches the leader\'s series; 202 only from the leader', { timeout: 120_000 }, async () => {
  const pair = await SharedStorePair.open(`services:\n${exampleApiService()}\n`);
  try {
    await pair.up();
    const leader = await pair.leader();
    const follower = pair.other(leader);
    const [leaderUrl, followerUrl] = [await pair.apiUrl(leader), await pair.apiUrl(follower)];
    assert.equal(await pair.leads(follower), false, 'the other one follows');
    // The lease names the leader's API once the leader has taken it.
    await leader.waitFor(async () => (await pair.store.currentLeader('controller', Date.now()))?.apiUrl === leaderUrl, 30_000, 'the lease to name the leader\'s API');

    const { token } = await new ApiTokens(pair.store).create('pusher', 'operator', 'test');
    const auth = { authorization: `Bearer ${token}` };
    const pushed = await fetch(`${followerUrl}/api/metrics`, {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/json' },
      body: JSON.stringify({ metrics: [{ name: 'queue_depth', value: 42, labels: { service: 'app' } }] }),
    });
    const answer = (await pushed.json()) as { stored?: number };
    assert.equal(pushed.status, 202, JSON.stringify(answer));
    assert.equal(answer.stored, 1, 'the leader stored it');
    assert.equal(pushed.headers.get(LEADER_HEADER), leaderUrl);

    const onLeader = await fetch(`${leaderUrl}/api/services/app/metrics`, { headers: auth });
    assert.equal(onLeader.status, 200);
    const series = ((await onLeader.json()) as SeriesView).series.find((s) => s.name === 'queue_depth');
    assert.deepEqual(series?.points.map(([, value]) => value), [42], 'the sample is in the leader\'s series');
    const onFollower = await fetch(`${followerUrl}/api/services/app/metrics`, { headers: auth });
    assert.equal(onFollower.status, 404, 'the follower kept no copy');

    // A bad token is refused by the follower itself: nothing unauthenticated is forwarded.
    const wrong = await fetch(`${followerUrl}/api/metrics`, { method: 'POST', headers: { authorization: 'Bearer nope', 'content-type': 'application/json' }, body: '{"metrics":[]}' });
    assert.equal(wrong.status, 401);
  } finally {
    await pair.close();
  }
});
