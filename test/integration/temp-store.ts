import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A fresh folder for one test's SQLite file; `cleanup` removes it. */
export function tempDir(prefix = 'homeostat-test-'): { dir: string; dbPath: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, dbPath: join(dir, 'state.db'), cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}
