import { PostgresStore } from '../../src/store/postgres/postgres-store.js';
import { Knowledge } from '../../src/knowledge/knowledge.js';
import type { IncidentRecord } from '../../src/store/records.js';
import { freshSchema } from '../integration/helpers/postgres.js';
import { UpHarness } from './loop-harness.js';

/**
 * Two `homeostat up` processes (each in its own folder, with its own supervisor) over
 * one fresh PostgreSQL schema, as on two machines: one leads the loop, the other follows.
 * The test reads the shared store directly; `close` stops both and drops the schema.
 */
export class SharedStorePair {
  readonly nodes: [UpHarness, UpHarness];
  readonly store: PostgresStore;
  readonly knowledge: Knowledge;
  private readonly schema: ReturnType<typeof freshSchema>;

  private constructor(schema: ReturnType<typeof freshSchema>, store: PostgresStore, yaml: string) {
    this.schema = schema;
    this.store = store;
    this.knowledge = new Knowledge(store);
    const config = `store: "${schema.url}"\n${yaml}`;
    this.nodes = [new UpHarness(config), new UpHarness(config)];
  }

  /** `yaml` is a config without `store:` (and `$NODE`, `$EXAMPLES` as in {@link UpHarness}). */
  static async open(yaml: string): Promise<SharedStorePair> {
    const schema = freshSchema('hs_pair');
    const store = await PostgresStore.open(schema.url, { poolSize: 2 });
    return new SharedStorePair(schema, store, yaml);
  }

  /** Start both, one after the other (the first to campaign usually leads). */
  async up(): Promise<void> {
    for (const node of this.nodes) await node.up();
  }

  /** The API URL `node` printed. */
  async apiUrl(node: UpHarness): Promise<string> {
    return /API at (\S+) /.exec(await node.waitForLine(/API at (\S+) /))![1]!;
  }

  /** Whether `node` says (on its `/healthz`) that it leads the loop; false when it does not answer. */
  async leads(node: UpHarness): Promise<boolean> {
    try {
      return ((await (await fetch(node.metricsUrl.replace(/\/metrics$/, '/healthz'))).json()) as { leader: boolean }).leader;
    } catch {
      return false;
    }
  }

  /** Wait until one of `candidates` (default both) leads, and return it. */
  async leader(candidates: UpHarness[] = this.nodes, timeoutMs = 30_000): Promise<UpHarness> {
    return this.nodes[0].waitFor(
      async () => {
        for (const node of candidates) if (await this.leads(node)) return node;
        return undefined;
      },
      timeoutMs,
      'a leader',
    );
  }

  other(node: UpHarness): UpHarness {
    return this.nodes[0] === node ? this.nodes[1] : this.nodes[0];
  }

  async waitForIncident(predicate: (incident: IncidentRecord) => boolean, timeoutMs: number, what: string): Promise<IncidentRecord> {
    return this.nodes[0].waitFor(async () => (await this.store.listIncidents({ limit: 100 })).find(predicate), timeoutMs, what);
  }

  async close(): Promise<void> {
    for (const node of this.nodes) await node.close();
    await this.store.close();
    await this.schema.drop();
  }
}
