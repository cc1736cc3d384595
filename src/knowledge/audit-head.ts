import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import { createHmac, timingSafeEqual } from 'node:crypto';
import { HomeostatError } from '../errors/homeostat-error.js';
import { PRIVATE_FILE_MODE } from '../store/private-state.js';

/**
 * The head of the audit chain: the newest entry's sequence number and hash. The hash
 * commits to every entry before it (each one links the previous hash), so a head kept
 * where the database's writer cannot reach it proves the whole history up to it: an
 * edit, a re-hash or a deletion at or before that sequence number no longer matches.
 * Written `<seq>:<hash>`, as `homeostat audit verify --expect` takes it.
 */
export interface AuditHead {
  seq: number;
  hash: string;
}

/** Where the chain's heads are exported, and the key that signs them. */
export interface AuditAnchorOptions {
  /** `<stateDir>/audit-head`: one `seq:hash[:mac]` line per entry this process appends (0600). */
  headFile?: string;
  /** An HMAC key kept outside the store ($HOMEOSTAT_AUDIT_KEY): each head line gets a MAC, so a head file rewritten without the key is detected. */
  key?: Buffer;
  /** Called with each new head (`homeostat up` writes it to its log stream, to be shipped elsewhere). */
  onHead?: (head: AuditHead & { mac?: string; action: string }) => void;
  /** The head file could not be written (a full disk): the entry itself is stored; the anchor misses one line. */
  onError?: (error: Error) => void;
}

/** One line of the head file as read back. */
export interface WitnessedHead extends AuditHead {
  line: number;
  mac?: string;
}

/** The head file's name in the state dir. */
export const AUDIT_HEAD_FILE = 'audit-head';

const HEAD = /^([1-9][0-9]{0,15}):([0-9a-f]{64})$/;
const LINE = /^([1-9][0-9]{0,15}):([0-9a-f]{64})(?::([0-9a-f]{64}))?$/;

export function formatHead(head: AuditHead): string {
  return `${head.seq}:${head.hash}`;
}

/**
 * Parse `<seq>:<hash>` as printed by `audit verify` (HS_AUDIT_HEAD_INVALID otherwise).
 * @example parseHead('42:9f86d0…') // { seq: 42, hash: '9f86d0…' }
 */
export function parseHead(text: string): AuditHead {
  const match = HEAD.exec(text.trim());
  if (!match) throw new HomeostatError('HS_AUDIT_HEAD_INVALID', `an audit head is "<seq>:<sha256 hex>" as \`homeostat audit verify\` prints it, got "${text.length > 80 ? `${text.slice(0, 80)}…` : text}"`);
  return { seq: Number(match[1]), hash: match[2]! };
}

/** The MAC of one head: HMAC-SHA256 over `seq:hash` (the hash already commits to the entry and all before it). */
export function headMac(key: Buffer, head: AuditHead): string {
  return createHmac('sha256', key).update(formatHead(head)).digest('hex');
}

export function macMatches(key: Buffer, head: AuditHead, mac: string | undefined): boolean {
  if (mac === undefined) return false;
  const expected = Buffer.from(headMac(key, head), 'hex');
  const given = Buffer.from(mac, 'hex');
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/**
 * The audit key from the environment: `$HOMEOSTAT_AUDIT_KEY` (at least 16 characters)
 * or the file named by `$HOMEOSTAT_AUDIT_KEY_FILE`; undefined when neither is set.
 * With `take`, the variables are removed from the environment, so the processes
 * `homeostat up` supervises (which inherit it) never see the key.
 * @example auditKeyFromEnv({ HOMEOSTAT_AUDIT_KEY: 'correct horse battery staple' }) // Buffer
 */
export function auditKeyFromEnv(env: NodeJS.ProcessEnv = process.env, take = false): Buffer | undefined {
  const inline = env.HOMEOSTAT_AUDIT_KEY;
  const file = env.HOMEOSTAT_AUDIT_KEY_FILE;
  if (take) {
    delete env.HOMEOSTAT_AUDIT_KEY;
    delete env.HOMEOSTAT_AUDIT_KEY_FILE;
  }
  let key: string | undefined = inline;
  if (key === undefined && file !== undefined && file !== '') {
    try {
      key = readFileSync(file, 'utf8').trim();
    } catch (error) {
      throw new HomeostatError('HS_AUDIT_KEY_INVALID', `cannot read the audit key file $HOMEOSTAT_AUDIT_KEY_FILE=${file}: ${(error as Error).message}`);
    }
  }
  if (key === undefined || key === '') return undefined;
  if (key.length < 16) throw new HomeostatError('HS_AUDIT_KEY_INVALID', `the audit key ($HOMEOSTAT_AUDIT_KEY or its file) needs at least 16 characters, got ${key.length}`);
  return Buffer.from(key, 'utf8');
}

/**
 * `<stateDir>/audit-head`, append-only: a line `seq:hash[:mac]` for each audit entry
 * this process appended. Appends are small single `write`s (O_APPEND), so concurrent
 * writers and a crash leave whole lines, at worst a torn last one (ignored when read).
 */
export class AuditHeadFile {
  constructor(readonly path: string) {}

  exists(): boolean {
    return existsSync(this.path);
  }

  append(head: AuditHead, mac?: string): void {
    appendFileSync(this.path, `${formatHead(head)}${mac ? `:${mac}` : ''}\n`, { mode: PRIVATE_FILE_MODE });
  }

  /** Every line, and the line numbers of those that are not a head (someone wrote into it). */
  read(): { heads: WitnessedHead[]; unreadable: number[] } {
    const text = readFileSync(this.path, 'utf8');
    const lines = text.split('\n');
    // The last element is '' after a final newline; anything else there is a torn write.
    lines.pop();
    const heads: WitnessedHead[] = [];
    const unreadable: number[] = [];
    lines.forEach((line, i) => {
      const match = LINE.exec(line);
      if (!match) return void unreadable.push(i + 1);
      heads.push({ seq: Number(match[1]), hash: match[2]!, line: i + 1, ...(match[3] ? { mac: match[3] } : {}) });
    });
    return { heads, unreadable };
  }
}
