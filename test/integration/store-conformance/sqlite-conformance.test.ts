import { SqliteStore } from '../../../src/store/sqlite/sqlite-store.js';
import { tempDir } from '../temp-store.js';
import { storeConformance } from './store-conformance.js';

storeConformance('sqlite', async () => {
  const tmp = tempDir('homeostat-conformance-');
  return { store: SqliteStore.open(tmp.dbPath), cleanup: async () => tmp.cleanup() };
});
