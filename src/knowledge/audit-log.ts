import { createHash } from 'node:crypto';
import type { AuditEntryRecord } from '../store/records.js';
import type { KnowledgeStore } from '../store/store.js';
import { AuditHeadFile, formatHead, headMac, macMatches, type AuditAnchorOptions, type AuditHead, type WitnessedHead } from './audit-head.js';
import { canonicalJson } from './canonical-json.js';
import { redact } from './redact.js';

/**
 * One check of the chain against a head kept outside the database: the head file
 * (`<stateDir>/audit-head`) or a head given with `--expect`.
 * - `intact`: the entry at the head's sequence number has the head's hash (and newer ones, if any, link to it: `extended`)
 * - `truncated`: the head's entry is gone (the newest rows, or all of them, were deleted)
 * - `rewritten`: the entry at the head's sequence number has another hash (edited and re-hashed)
 * - `forged`: a head file line's MAC does not match the audit key (the head file was rewritten)
 * - `unreadable`: the head file holds lines that are not heads, or is missing while a key is set
 */
export interface AnchorCheck {
  source: 'head-file' | 'expected';
  ok: boolean;
  finding: 'intact' | 'extended' | 'truncated' | 'rewritten' | 'forged' | 'unreadable';
  detail: string;
  /** The sequence number the finding is about. */
  seq?: number;
}

/** The outcome of {@link AuditLog.verify}. */
export interface AuditVerification {
  ok: boolean;
  /** Entries checked (all of them when ok). */
  checked: number;
  /** The first entry whose hash or link is wrong. */
  firstBad?: { seq: number; reason: string; entry: AuditEntryRecord };
  /** The newest entry's `seq:hash` (null: empty log): keep it elsewhere, check it later with `--expect`. */
  head: string | null;
  /** Checks against heads kept outside the database (none without a head file or `--expect`). */
  anchors: AnchorCheck[];
}

/**
 * The hash of one audit entry: SHA-256 over the canonical JSON of every field except the
 * hash itself, `prevHash` included — so editing any entry breaks its own hash, and
 * re-hashing it breaks the next entry's link.
 */
export function auditHash(entry: Omit<AuditEntryRecord, 'hash'>): string {
  const { seq, at, actor, action, subject, data, prevHash } = entry;
  return createHash('sha256').update(canonicalJson({ seq, at, actor, action, subject, data, prevHash })).digest('hex');
}

/**
 * The append-only, tamper-evident audit log: each entry carries the hash of the one
 * before it. Data is redacted before it is written.
 *
 * The chain alone proves only that the rows agree with each other: whoever can write
 * the database can re-hash an edit, or delete the newest rows, and the chain still
 * checks out. So each new head (seq + hash) is also exported — to the head file and the
 * log stream (and, with an audit key, signed with an HMAC) — and `verify` checks the
 * chain against those heads and against one given by the caller.
 *
 * @example
 * await audit.append('operator:alice', 'approval.approved', 'inc-12', { action: 'restart api' });
 * @example
 * const result = await audit.verify({ expect: { seq: 40, hash } }); // anchors: [{ finding: 'truncated', … }] after the newest rows were deleted
 */
export class AuditLog {
  private readonly headFile: AuditHeadFile | undefined;

  constructor(
    private readonly store: KnowledgeStore,
    private readonly now: () => number = Date.now,
    private readonly anchor: AuditAnchorOptions = {},
  ) {
    this.headFile = anchor.headFile ? new AuditHeadFile(anchor.headFile) : undefined;
  }

  async append(actor: string, action: string, subject: string, data: unknown = {}): Promise<AuditEntryRecord> {
    const entry = { at: this.now(), actor, action, subject, data: canonicalJson(redact(data)) };
    const record = await this.store.appendAudit(entry, (link) => auditHash({ ...entry, ...link }));
    this.witness(record);
    return record;
  }

  /** Entries oldest first, from `afterSeq` (exclusive), at most `limit` (default all). */
  list(options?: { afterSeq?: number; limit?: number }): Promise<AuditEntryRecord[]> {
    return this.store.listAudit(options);
  }

  /**
   * Recompute every hash and link, oldest first (the first bad entry is named), and
   * check the chain against the head file and `expect`.
   */
  async verify(options: { expect?: AuditHead } = {}): Promise<AuditVerification> {
    const witnessed = this.readHeadFile();
    const bySeq = new Map<number, WitnessedHead>(witnessed.heads.map((h) => [h.seq, h]));
    let firstBad: AuditVerification['firstBad'];
    let rewritten: WitnessedHead | undefined;
    let expectedFound: AuditEntryRecord | undefined;
    let prevHash = '';
    let expectedSeq = 1;
    let checked = 0;
    let last: AuditEntryRecord | undefined;
    const page = 1_000;
    // Every entry is read even after a bad one: the anchors are checked against all of them.
    for (let afterSeq = 0; ; ) {
      const entries = await this.store.listAudit({ afterSeq, limit: page });
      for (const entry of entries) {
        if (!firstBad) {
          const reason =
            entry.seq !== expectedSeq
              ? `sequence gap: expected entry ${expectedSeq}, found ${entry.seq} (an entry was deleted)`
              : entry.prevHash !== prevHash
                ? `broken link: prevHash ${short(entry.prevHash)} does not match the previous entry's hash ${short(prevHash)}`
                : auditHash(entry) !== entry.hash
                  ? `hash mismatch: stored ${short(entry.hash)}, recomputed ${short(auditHash(entry))} (the entry was edited)`
                  : undefined;
          if (reason) firstBad = { seq: entry.seq, reason, entry };
          else checked++;
        }
        const seen = bySeq.get(entry.seq);
        if (seen) {
          if (!rewritten && seen.hash !== entry.hash) rewritten = seen;
          bySeq.delete(entry.seq);
        }
        if (options.expect && entry.seq === options.expect.seq) expectedFound = entry;
        prevHash = entry.hash;
        expectedSeq = entry.seq + 1;
        last = entry;
      }
      if (entries.length < page) break;
      afterSeq = entries[entries.length - 1]!.seq;
    }
    const newest = last?.seq ?? 0;
    const anchors: AnchorCheck[] = [];
    if (this.headFile) anchors.push(...this.checkHeadFile(witnessed, rewritten, [...bySeq.values()], newest));
    if (options.expect) anchors.push(checkExpected(options.expect, expectedFound, newest));
    const ok = !firstBad && anchors.every((a) => a.ok);
    return { ok, checked, ...(firstBad ? { firstBad } : {}), head: last ? formatHead(last) : null, anchors };
  }

  /** Export the new head: a head file line and the log stream. A failure here loses no entry. */
  private witness(record: AuditEntryRecord): void {
    const head = { seq: record.seq, hash: record.hash };
    const mac = this.anchor.key ? headMac(this.anchor.key, head) : undefined;
    try {
      this.headFile?.append(head, mac);
    } catch (error) {
      this.anchor.onError?.(error as Error);
    }
    try {
      this.anchor.onHead?.({ ...head, ...(mac ? { mac } : {}), action: record.action });
    } catch (error) {
      this.anchor.onError?.(error as Error);
    }
  }

  private readHeadFile(): { present: boolean; heads: WitnessedHead[]; unreadable: number[] } {
    if (!this.headFile?.exists()) return { present: false, heads: [], unreadable: [] };
    return { present: true, ...this.headFile.read() };
  }

  private checkHeadFile(witnessed: { present: boolean; heads: WitnessedHead[]; unreadable: number[] }, rewritten: WitnessedHead | undefined, missing: WitnessedHead[], newest: number): AnchorCheck[] {
    const path = this.headFile!.path;
    const key = this.anchor.key;
    if (!witnessed.present) {
      // Without a key a missing file only means nothing was witnessed here; with one, the anchor is required.
      return key && newest > 0 ? [{ source: 'head-file', ok: false, finding: 'unreadable', detail: `${path} is missing though an audit key is set and the log holds ${newest} entries: the head file was deleted` }] : [];
    }
    const checks: AnchorCheck[] = [];
    if (witnessed.unreadable.length > 0) {
      checks.push({ source: 'head-file', ok: false, finding: 'unreadable', detail: `${path}: line ${witnessed.unreadable.slice(0, 5).join(', ')}${witnessed.unreadable.length > 5 ? ' …' : ''} is not a head (seq:hash[:mac]): the file was written by someone else` });
    }
    if (key) {
      const unsigned = witnessed.heads.find((h) => !macMatches(key, h, h.mac));
      if (unsigned) {
        checks.push({
          source: 'head-file',
          ok: false,
          finding: 'forged',
          seq: unsigned.seq,
          detail: `${path} line ${unsigned.line} (entry ${unsigned.seq}): ${unsigned.mac ? 'its MAC does not match the audit key' : 'it has no MAC though an audit key is set'} — the head file was rewritten without the key (or written before the key was set: move it aside once)`,
        });
      }
    }
    if (rewritten) {
      const entryHash = rewritten.hash;
      checks.push({ source: 'head-file', ok: false, finding: 'rewritten', seq: rewritten.seq, detail: `entry ${rewritten.seq} does not have the hash ${short(entryHash)} witnessed in ${path} line ${rewritten.line}: it was edited and re-hashed` });
    }
    if (missing.length > 0) {
      const gone = missing.reduce((a, b) => (b.seq > a.seq ? b : a));
      checks.push({
        source: 'head-file',
        ok: false,
        finding: 'truncated',
        seq: gone.seq,
        detail: `${missing.length} entr${missing.length === 1 ? 'y' : 'ies'} witnessed in ${path} ${missing.length === 1 ? 'is' : 'are'} gone (up to entry ${gone.seq}; the log ends at ${newest === 0 ? 'nothing: it is empty' : `entry ${newest}`}): entries were deleted`,
      });
    }
    if (checks.length > 0) return checks;
    const top = witnessed.heads.reduce<WitnessedHead | undefined>((a, b) => (!a || b.seq > a.seq ? b : a), undefined);
    if (!top) return [{ source: 'head-file', ok: true, finding: 'intact', detail: `${path} is empty: nothing witnessed yet` }];
    const after = newest - top.seq;
    return [
      {
        source: 'head-file',
        ok: true,
        finding: after > 0 ? 'extended' : 'intact',
        seq: top.seq,
        detail: `${witnessed.heads.length} head${witnessed.heads.length === 1 ? '' : 's'} in ${path} match${witnessed.heads.length === 1 ? 'es' : ''}${key ? ' and carr' + (witnessed.heads.length === 1 ? 'ies' : 'y') + ' valid MACs' : ''}, up to entry ${top.seq}${after > 0 ? `; ${after} newer entr${after === 1 ? 'y was' : 'ies were'} appended by a process without this head file` : ''}`,
      },
    ];
  }
}

function checkExpected(expect: AuditHead, found: AuditEntryRecord | undefined, newest: number): AnchorCheck {
  const head = `${expect.seq}:${short(expect.hash)}`;
  if (!found) {
    return { source: 'expected', ok: false, finding: 'truncated', seq: expect.seq, detail: `the expected head ${head} is gone: the log ${newest === 0 ? 'is empty' : `ends at entry ${newest}`} (entries were deleted)` };
  }
  if (found.hash !== expect.hash) return { source: 'expected', ok: false, finding: 'rewritten', seq: expect.seq, detail: `entry ${expect.seq} has the hash ${short(found.hash)}, not the expected ${short(expect.hash)}: history up to it was rewritten` };
  const after = newest - expect.seq;
  return after > 0
    ? { source: 'expected', ok: true, finding: 'extended', seq: expect.seq, detail: `the expected head ${head} is in the log; ${after} entr${after === 1 ? 'y was' : 'ies were'} appended after it` }
    : { source: 'expected', ok: true, finding: 'intact', seq: expect.seq, detail: `the expected head ${head} is the newest entry` };
}

function short(hash: string): string {
  return hash === '' ? '(none)' : hash.slice(0, 12);
}
