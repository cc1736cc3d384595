import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { cpuPercent, parseProcStat, ResourceSampler } from './resource-sampler.js';

test('parses /proc/<pid>/stat, names with spaces and parentheses included', () => {
  const fields = ['S', '1', '4242', '4242', '0', '-1', '4194560', '100', '0', '0', '0', '250', '50', '0', '0', '20', '0', '7', '0', '12345', '1000000', '3000'];
  const stat = parseProcStat(`4243 (my (weird) name) ${fields.join(' ')} 0 0`);
  assert.deepEqual(stat, { pid: 4243, state: 'S', pgrp: 4242, utimeTicks: 250, stimeTicks: 50, rssPages: 3000, startTicks: 12345 });
  assert.equal(cpuPercent({ cpuSeconds: 1, at: 0 }, { cpuSeconds: 1.5, at: 1_000 }), 50);
});

test('sums a whole process group, and sees a stopped leader', { skip: process.platform !== 'linux' }, async () => {
  const child = spawn('/bin/sh', ['-c', 'sleep 30 & sleep 30 & wait'], { detached: true, stdio: 'ignore' });
  try {
    await new Promise((resolve) => setTimeout(resolve, 200));
    const sampler = new ResourceSampler();
    const usage = sampler.sample([child.pid!]).get(child.pid!);
    assert.ok(usage, 'the group is found');
    assert.equal(usage.processes, 3);
    assert.ok(usage.rssBytes > 0);
    process.kill(child.pid!, 'SIGSTOP');
    await new Promise((resolve) => setTimeout(resolve, 50));
    assert.equal(sampler.sample([child.pid!]).get(child.pid!)?.stopped, true);
  } finally {
    process.kill(-child.pid!, 'SIGKILL');
  }
});
