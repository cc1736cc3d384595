import { PostgresStore } from '../../../src/store/postgres/postgres-store.js';
import { freshSchema } from '../helpers/postgres.js';
import { storeConformance } from './store-conformance.js';

// Each test runs in a schema of its own on the shared server, dropped afterwards.
storeConformance(
  'postgres',
  async () => {
    const schema = freshSchema('hs_conf');
    return { store: await PostgresStore.open(schema.url, { poolSize: 6 }), cleanup: schema.drop };
  },
  { watch: true },
);
