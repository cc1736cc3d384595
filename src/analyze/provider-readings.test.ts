import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { breaches, readProvider, type ProviderAttempt } from './provider-readings.js';

const attempt = (outcome: string, latencyMs = 10): ProviderAttempt => ({ provider: 'openai', outcome, latencyMs, finishedAt: 1 });

describe('provider readings', () => {
  it('reads the shares of faults, 429s and broken contracts, and the median latency', () => {
    const reading = readProvider([attempt('ok', 10), attempt('rate-limited', 2), attempt('server-error', 4), attempt('invalid-output', 30), attempt('truncated', 50), attempt('budget-exhausted', 1)]);
    assert.deepEqual(reading, { attempts: 6, errorRatio: 2 / 6, rateLimitedRatio: 1 / 6, invalidOutputRatio: 2 / 6, latencyP50Ms: 7 });
    assert.equal(readProvider([attempt('ok', 5), attempt('ok', 9), attempt('ok', 100)])!.latencyP50Ms, 9);
  });

  it('has no reading without attempts', () => {
    assert.equal(readProvider([]), undefined);
  });

  it('names each limit breached, and none for a healthy window', () => {
    const reading = readProvider([attempt('rate-limited', 3000), attempt('rate-limited', 3000), attempt('ok', 3000), attempt('ok', 3000)])!;
    assert.deepEqual(breaches(reading, { rateLimitedRatio: 0.4, errorRatio: 0.6, latency: 2000 }), ['429s 2/4 = 0.50 > 0.4', 'median latency 3000 ms > 2000 ms']);
    assert.deepEqual(breaches(reading, { rateLimitedRatio: 0.5, invalidOutputRatio: 0 }), [], 'at the limit is not above it');
  });
});
