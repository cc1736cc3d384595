import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { SqliteStore } from '../store/sqlite/sqlite-store.js';
import { auditHash, AuditLog } from './audit-log.js';
import { headMac, parseHead, type AuditAnchorOptions, type AuditHead } from './audit-head.js';

const KEY = Buffer.from('a key kept outside the store, 32b');

/** A store with `count` audit entries appended through an AuditLog with `anchor`. */
async function withAudit(count: number, anchor: (dir: string) => AuditAnchorOptions, body: (ctx: { audit: AuditLog; dbPath: string; dir: string; headFile: string; heads: string[] }) => Promise<void>): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'homeostat-audit-anchor-'));
  const dbPath = join(dir, 'homeostat.db');
  const store = SqliteStore.open(dbPath);
  const heads: string[] = [];
  try {
    const options = anchor(dir);
    const audit = new AuditLog(store, Date.now, { ...options, onHead: (h) => heads.push(`${h.seq}:${h.hash}`) });
    for (let i = 1; i <= count; i++) await audit.append('operator:ada', 'approval.approved', `inc-${i}`, { action: 'restart', attempt: i });
    await body({ audit, dbPath, dir, headFile: join(dir, 'audit-head'), heads });
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

const headFileAt = (dir: string) => ({ headFile: join(dir, 'audit-head') });

/** What an attacker with write access to the database does: edit an entry, then re-hash it and every later one with the public hash function. */
function editAndRehash(dbPath: string, seq: number, data: string): void {
  const db = new Database(dbPath);
  db.prepare('UPDATE audit_log SET data = ? WHERE seq = ?').run(data, seq);
  const rows = db.prepare('SELECT seq, at, actor, action, subject, data, prev_hash AS prevHash FROM audit_log ORDER BY seq').all() as { seq: number; at: number; actor: string; action: string; subject: string; data: string; prevHash: string }[];
  let prevHash = '';
  for (const row of rows) {
    const hash = auditHash({ ...row, prevHash });
    db.prepare('UPDATE audit_log SET prev_hash = ?, hash = ? WHERE seq = ?').run(prevHash, hash, row.seq);
    prevHash = hash;
  }
  db.close();
}

function deleteFrom(dbPath: string, fromSeq: number): void {
  const db = new Database(dbPath);
  db.prepare('DELETE FROM audit_log WHERE seq >= ?').run(fromSeq);
  db.close();
}

test('each appended entry exports its head: a 0600 head file line and the log stream; an untouched chain verifies against both', async () => {
  await withAudit(5, headFileAt, async ({ audit, headFile, heads }) => {
    assert.equal(heads.length, 5);
    assert.deepEqual(readFileSync(headFile, 'utf8').trim().split('\n'), heads);
    assert.equal(statSync(headFile).mode & 0o777, 0o600);
    const result = await audit.verify({ expect: parseHead(heads[4]!) });
    assert.equal(result.ok, true, JSON.stringify(result, null, 2));
    assert.equal(result.head, heads[4]);
    assert.deepEqual(
      result.anchors.map((a) => [a.source, a.finding, a.ok]),
      [
        ['head-file', 'intact', true],
        ['expected', 'intact', true],
      ],
    );
    // A head recorded earlier: the log has grown since, which is fine.
    const older = await audit.verify({ expect: parseHead(heads[1]!) });
    assert.equal(older.ok, true);
    assert.equal(older.anchors[1]!.finding, 'extended');
    assert.match(older.anchors[1]!.detail, /3 entries were appended after it/);
  });
});

test('an edit re-hashed with the public hash function passes the chain check but not the exported heads', async () => {
  await withAudit(5, headFileAt, async ({ audit, dbPath, heads }) => {
    editAndRehash(dbPath, 2, '{"action":"nothing to see"}');
    const result = await audit.verify({ expect: parseHead(heads[4]!) });
    assert.equal(result.firstBad, undefined, 'the chain itself links up again after the re-hash');
    assert.equal(result.checked, 5);
    assert.equal(result.ok, false);
    const byFile = result.anchors.find((a) => a.source === 'head-file')!;
    assert.deepEqual([byFile.finding, byFile.seq, byFile.ok], ['rewritten', 2, false]);
    const byExpect = result.anchors.find((a) => a.source === 'expected')!;
    assert.deepEqual([byExpect.finding, byExpect.seq, byExpect.ok], ['rewritten', 5, false]);
  });
});

test('deleting the newest entries, or all of them, is truncation against the head file and an expected head', async () => {
  await withAudit(5, headFileAt, async ({ audit, dbPath, heads }) => {
    deleteFrom(dbPath, 4);
    const newest = await audit.verify({ expect: parseHead(heads[4]!) });
    assert.equal(newest.firstBad, undefined, 'entries 1–3 still link up');
    assert.equal(newest.ok, false);
    assert.deepEqual(
      newest.anchors.map((a) => [a.source, a.finding, a.seq]),
      [
        ['head-file', 'truncated', 5],
        ['expected', 'truncated', 5],
      ],
    );
    assert.match(newest.anchors[0]!.detail, /2 entries witnessed in .* are gone \(up to entry 5; the log ends at entry 3\)/);

    deleteFrom(dbPath, 1);
    const all = await audit.verify({ expect: parseHead(heads[4]!) });
    assert.equal(all.checked, 0);
    assert.equal(all.head, null);
    assert.equal(all.ok, false);
    assert.deepEqual(
      all.anchors.map((a) => a.finding),
      ['truncated', 'truncated'],
    );
    assert.match(all.anchors[0]!.detail, /the log ends at nothing: it is empty/);
  });
});

test('with an audit key, a head file rewritten to match a re-hashed log is detected (its MACs do not match); without one it is not', async () => {
  const rewriteHeadFile = (dbPath: string, headFile: string, key?: Buffer) => {
    const db = new Database(dbPath);
    const rows = db.prepare('SELECT seq, hash FROM audit_log ORDER BY seq').all() as AuditHead[];
    db.close();
    // The attacker has no key: any MAC they write is a guess.
    writeFileSync(headFile, rows.map((r) => `${r.seq}:${r.hash}${key ? `:${headMac(Buffer.from('the attacker guesses a key'), r)}` : ''}\n`).join(''));
  };
  await withAudit(4, (dir) => ({ ...headFileAt(dir), key: KEY }), async ({ audit, dbPath, headFile }) => {
    assert.equal((await audit.verify()).ok, true, 'signed heads verify with the key');
    assert.match(readFileSync(headFile, 'utf8').split('\n')[0]!, /^1:[0-9a-f]{64}:[0-9a-f]{64}$/);
    editAndRehash(dbPath, 1, '{"action":"nothing to see"}');
    rewriteHeadFile(dbPath, headFile, KEY);
    const result = await audit.verify();
    assert.equal(result.ok, false);
    assert.deepEqual(
      result.anchors.map((a) => [a.finding, a.seq]),
      [['forged', 1]],
    );
    rmSync(headFile);
    const deleted = await audit.verify();
    assert.equal(deleted.ok, false, 'with a key, a missing head file is a finding');
    assert.equal(deleted.anchors[0]!.finding, 'unreadable');
  });
  // What is NOT detected, said plainly: without a key, whoever can write both the database and the head file rewrites history.
  await withAudit(4, headFileAt, async ({ audit, dbPath, headFile }) => {
    editAndRehash(dbPath, 1, '{"action":"nothing to see"}');
    rewriteHeadFile(dbPath, headFile);
    assert.equal((await audit.verify()).ok, true);
  });
});

test('a head file with foreign lines is reported; a torn last line (a crash mid-write) is not', async () => {
  await withAudit(2, headFileAt, async ({ audit, headFile }) => {
    writeFileSync(headFile, `${readFileSync(headFile, 'utf8')}3:abc`);
    assert.equal((await audit.verify()).ok, true);
    writeFileSync(headFile, `${readFileSync(headFile, 'utf8')}\nnot a head\n`);
    const result = await audit.verify();
    assert.equal(result.ok, false);
    assert.equal(result.anchors[0]!.finding, 'unreadable');
  });
});

test('an expected head that is not seq:hash is a clear error', () => {
  assert.throws(() => parseHead('12'), { code: 'HS_AUDIT_HEAD_INVALID' });
  assert.throws(() => parseHead(`0:${'a'.repeat(64)}`), { code: 'HS_AUDIT_HEAD_INVALID' });
  assert.deepEqual(parseHead(` 7:${'a'.repeat(64)}\n`), { seq: 7, hash: 'a'.repeat(64) });
});
