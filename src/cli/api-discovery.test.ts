import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { discoveryDirFor, discoveryPath, isPidAlive, readDiscovery, removeDiscovery, storeIdentity, writeDiscovery, type ApiDiscovery } from './api-discovery.js';

const sample = (tokenId: string): ApiDiscovery => ({ url: 'http://127.0.0.1:4000', pid: process.pid, tokenId, token: `hst_${tokenId}_secret`, startedAt: 1, store: 'sqlite:/x/homeostat.db' });

test('api.json is written whole, readable by its owner only, and removed only by the up that wrote it', () => {
  const dir = mkdtempSync(join(tmpdir(), 'homeostat-discovery-'));
  try {
    const stateDir = join(dir, 'state');
    writeDiscovery(stateDir, sample('aaaa'));
    assert.equal(statSync(discoveryPath(stateDir)).mode & 0o777, 0o600);
    assert.deepEqual(readDiscovery(stateDir), sample('aaaa'));
    writeDiscovery(stateDir, sample('bbbb'));
    assert.deepEqual(readdirSync(stateDir), ['api.json'], 'no temp file left behind');
    removeDiscovery(stateDir, 'aaaa');
    assert.equal(readDiscovery(stateDir)?.tokenId, 'bbbb', 'a later up’s file is not removed by an earlier one');
    removeDiscovery(stateDir, 'bbbb');
    assert.equal(existsSync(discoveryPath(stateDir)), false);

    writeFileSync(discoveryPath(stateDir), '{"url": 1}');
    assert.equal(readDiscovery(stateDir), undefined, 'not ours: ignored');
    writeFileSync(discoveryPath(stateDir), 'not json');
    assert.equal(readDiscovery(stateDir), undefined);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a pid is alive while its process runs', () => {
  assert.equal(isPidAlive(process.pid), true);
  const child = spawnSync(process.execPath, ['-e', 'console.log(process.pid)'], { encoding: 'utf8' });
  assert.equal(isPidAlive(Number(child.stdout.trim())), false);
  assert.equal(isPidAlive(0), false);
  assert.equal(isPidAlive(-1), false);
});

test('store URLs compare by what they open: absolute SQLite paths, no passwords', () => {
  assert.equal(storeIdentity('sqlite:state/homeostat.db?durability=full'), `sqlite:${resolve('state/homeostat.db')}`);
  assert.equal(storeIdentity('state/homeostat.db'), `sqlite:${resolve('state/homeostat.db')}`);
  assert.equal(storeIdentity('postgres://ops:secret@db:5432/ops'), 'postgres://ops:***@db:5432/ops');
  assert.equal(discoveryDirFor(undefined, 'sqlite:.homeostat/homeostat.db'), resolve('.homeostat'));
  assert.equal(discoveryDirFor('/srv/state', 'postgres://db/ops'), '/srv/state');
  assert.equal(discoveryDirFor(undefined, 'postgres://db/ops'), undefined);
  assert.equal(discoveryDirFor(undefined, 'sqlite::memory:'), undefined);
});
