import { isPidAlive, readDiscovery, storeIdentity, discoveryDirFor } from '../api-discovery.js';
import { ApiAnswerError, ApiClient } from '../api-client.js';
import { UsageError } from '../cli-error.js';
import type { CommandContext } from '../command.js';
import { findConfig, storeUrlFor } from '../config-location.js';
import { ApiBackend } from './api-backend.js';
import type { CliBackend } from './cli-backend.js';
import { StoreBackend } from './store-backend.js';

/** How long a discovered API gets to answer before the CLI uses the store instead. */
const DISCOVERY_TIMEOUT_MS = 1_000;

/**
 * The backend a command works through:
 * - `--local`: the store, always;
 * - `--api URL` with `--token T` (or `$HOMEOSTAT_TOKEN`): that API, and any failure is an
 *   error (no fallback: the user named the server);
 * - otherwise the API of a `homeostat up` running for this store, found in
 *   `<stateDir>/api.json` (its pid alive, its API answering within a second with the
 *   token there), else the store.
 *
 * `--by NAME` records a name the API cannot vouch for (it records the token's name), so a
 * command given `--by` uses the store unless `--api` is given, which is then a usage error.
 */
export async function openBackend(ctx: CommandContext): Promise<CliBackend> {
  const explicitUrl = typeof ctx.options.api === 'string' ? ctx.options.api : undefined;
  const explicitToken = typeof ctx.options.token === 'string' ? ctx.options.token : undefined;
  const by = typeof ctx.options.by === 'string';
  if (ctx.options.local) {
    if (explicitUrl !== undefined) throw new UsageError('--local and --api exclude each other: --local works on the store, --api on a server');
    const loaded = findConfig(ctx, false);
    const storeUrl = storeUrlFor(ctx, loaded);
    return new StoreBackend(storeUrl, discoveryDirFor(loaded?.stateDir, storeUrl));
  }
  if (explicitUrl !== undefined) {
    if (!/^https?:\/\/[^/]+/.test(explicitUrl)) throw new UsageError(`--api needs the server's URL, like http://127.0.0.1:4000; got "${explicitUrl}"`);
    const token = explicitToken ?? process.env.HOMEOSTAT_TOKEN;
    if (!token) throw new UsageError('--api needs a token: --token hst_… or $HOMEOSTAT_TOKEN (homeostat token create makes one)');
    if (by) throw new UsageError('--by cannot be used with --api: the API records who did it by the token (api:<token name>); create a token named after the person instead');
    return new ApiBackend(new ApiClient(explicitUrl, token), { retryHint: 'try again once the server is back' });
  }
  if (explicitToken !== undefined) throw new UsageError('--token goes with --api URL (a running homeostat up is found without either)');
  const loaded = findConfig(ctx, false);
  const storeUrl = storeUrlFor(ctx, loaded);
  const dir = discoveryDirFor(loaded?.stateDir, storeUrl);
  const store = new StoreBackend(storeUrl, dir);
  if (by) return store;
  const found = dir === undefined ? undefined : readDiscovery(dir);
  if (!found || found.store !== storeIdentity(storeUrl) || !isPidAlive(found.pid)) return store;
  const client = new ApiClient(found.url, found.token);
  try {
    await client.request('GET', '/api/pauses', undefined, { timeoutMs: DISCOVERY_TIMEOUT_MS });
  } catch (error) {
    // The running up says its store is broken (deleted under it, corrupt): the file at that
    // path now would show an empty or wrong past ("no incidents"), so say why instead.
    if (error instanceof ApiAnswerError && error.code.startsWith('HS_STORE_')) throw error;
    // Its token revoked by hand: say so, the store still works.
    if (error instanceof ApiAnswerError) ctx.err(`homeostat: the API at ${found.url} refused the local token (${error.code}); using the store`);
    return store;
  }
  return new ApiBackend(client, {
    fallback: store,
    notice: (line) => ctx.err(`homeostat: ${line}`),
    retryHint: 'run the command again: with that homeostat up gone it works on the store',
  });
}

/** Open the backend, run `use`, close it. */
export async function withBackend<T>(ctx: CommandContext, use: (backend: CliBackend) => Promise<T>): Promise<T> {
  const backend = await openBackend(ctx);
  try {
    return await use(backend);
  } finally {
    await backend.close();
  }
}
