import { createHash } from 'node:crypto';
import type { AuditEntryRecord } from '../store/records.js';
import type { KnowledgeStore } from '../store/store.js';
import { canonicalJson } from './canonical-json.js';
import { redact } from './redact.js';

/** The outcome of {@link AuditLog.verify}. */
export interface AuditVerification {
  ok: boolean;
  /** Entries checked (all of them when ok). */
  checked: number;
  /** The first entry whose hash or link is wrong. */
  firstBad?: { seq: number; reason: string; entry: AuditEntryRecord };
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
 * @example
 * await audit.append('operator:alice', 'approval.approved', 'inc-12', { action: 'restart api' });
 * @example
 * const result = await audit.verify(); // { ok: false, firstBad: { seq: 7, reason: 'hash mismatch: …' } } after an edit
 */
export class AuditLog {
  constructor(
    private readonly store: KnowledgeStore,
    private readonly now: () => number = Date.now,
  ) {}

  async append(actor: string, action: string, subject: string, data: unknown = {}): Promise<AuditEntryRecord> {
    const entry = { at: this.now(), actor, action, subject, data: canonicalJson(redact(data)) };
    return this.store.appendAudit(entry, (link) => auditHash({ ...entry, ...link }));
  }

  /** Recompute every hash and link, oldest first; stops at the first bad entry. */
  async verify(): Promise<AuditVerification> {
    let prevHash = '';
    let expectedSeq = 1;
    let checked = 0;
    const page = 1_000;
    for (let afterSeq = 0; ; ) {
      const entries = await this.store.listAudit({ afterSeq, limit: page });
      for (const entry of entries) {
        const reason =
          entry.seq !== expectedSeq
            ? `sequence gap: expected entry ${expectedSeq}, found ${entry.seq} (an entry was deleted)`
            : entry.prevHash !== prevHash
              ? `broken link: prevHash ${short(entry.prevHash)} does not match the previous entry's hash ${short(prevHash)}`
              : auditHash(entry) !== entry.hash
                ? `hash mismatch: stored ${short(entry.hash)}, recomputed ${short(auditHash(entry))} (the entry was edited)`
                : undefined;
        if (reason) return { ok: false, checked, firstBad: { seq: entry.seq, reason, entry } };
        prevHash = entry.hash;
        expectedSeq++;
        checked++;
      }
      if (entries.length < page) return { ok: true, checked };
      afterSeq = entries[entries.length - 1]!.seq;
    }
  }
}

function short(hash: string): string {
  return hash === '' ? '(none)' : hash.slice(0, 12);
}
