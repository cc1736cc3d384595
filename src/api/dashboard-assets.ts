import { createHash } from 'node:crypto';
import { existsSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { dirname, extname, join, normalize, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyPluginAsync, FastifyReply } from 'fastify';

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json; charset=utf-8',
};

/**
 * The page may talk only to this server: the token lives in sessionStorage, so no
 * third-party script, frame or connection may ever see the page.
 */
const SECURITY_HEADERS = {
  'content-security-policy': "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
};

/**
 * The `ui/` folder of the package: searched upwards from this compiled file, so it is
 * found from `dist/src/api/`, `dist-*\/src/api/` and an installed package alike.
 */
export function findDashboardRoot(from = dirname(fileURLToPath(import.meta.url))): string | undefined {
  let dir = from;
  for (let i = 0; i < 6; i++) {
    const candidate = join(dir, 'ui');
    if (existsSync(join(candidate, 'index.html'))) return candidate;
    const parent = dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  return undefined;
}

interface Asset {
  body: Buffer;
  etag: string;
  contentType: string;
  mtimeMs: number;
}

/**
 * Serves the dashboard: `GET /` is `ui/index.html`, `GET /ui/<path>` the files beside it.
 * No token is needed (the page holds no data; everything comes from `/api/*` with the
 * bearer token). Files are read on first request and re-read when their mtime changes;
 * `ETag` plus `cache-control: no-cache` lets browsers revalidate cheaply and still see
 * an upgrade at once. Paths are normalised and must stay inside `ui/`, and no symbolic
 * link below `ui/` is followed: a link planted there (to `api.json`, say) would
 * otherwise serve whatever it points at to anyone, without a token.
 *
 * @example
 * await app.register(dashboardAssets, { root: findDashboardRoot() }); // GET / → index.html
 * @example
 * await app.inject({ url: '/ui/../package.json' }) // 404 HS_API_NO_ROUTE: never outside ui/
 */
export const dashboardAssets: FastifyPluginAsync<{ root: string | undefined }> = async (app, { root }) => {
  const cache = new Map<string, Asset>();
  // The folder itself may be reached through links (an installed package); below it, none.
  const realRoot = root && existsSync(root) ? realpathSync(root) : undefined;

  const load = (relative: string): Asset | undefined => {
    if (!root || !realRoot) return undefined;
    const path = normalize(join(root, relative));
    if (!path.startsWith(root + sep)) return undefined;
    const contentType = CONTENT_TYPES[extname(path)];
    if (!contentType) return undefined;
    let mtimeMs: number;
    try {
      if (realpathSync(path) !== join(realRoot, path.slice(root.length + 1))) return undefined;
      const stat = statSync(path);
      if (!stat.isFile()) return undefined;
      mtimeMs = stat.mtimeMs;
    } catch {
      return undefined;
    }
    const cached = cache.get(path);
    if (cached && cached.mtimeMs === mtimeMs) return cached;
    const body = readFileSync(path);
    const asset = { body, contentType, mtimeMs, etag: `"${createHash('sha1').update(body).digest('base64url').slice(0, 20)}"` };
    cache.set(path, asset);
    return asset;
  };

  const send = (relative: string, ifNoneMatch: string | undefined, reply: FastifyReply) => {
    const asset = load(relative);
    if (!asset) return reply.callNotFound();
    void reply.headers({ ...SECURITY_HEADERS, etag: asset.etag, 'cache-control': 'no-cache' });
    if (ifNoneMatch !== undefined && ifNoneMatch.split(',').some((tag) => tag.trim() === asset.etag)) return reply.status(304).send();
    return reply.type(asset.contentType).send(asset.body);
  };

  app.get('/', { schema: { hide: true } }, (request, reply) => send('index.html', request.headers['if-none-match'], reply));
  app.get<{ Params: { '*': string } }>('/ui/*', { schema: { hide: true } }, (request, reply) => {
    const relative = request.params['*'];
    // A decoded NUL or backslash never names a dashboard file.
    if (relative.includes('\0') || relative.includes('\\')) return reply.callNotFound();
    return send(relative, request.headers['if-none-match'], reply);
  });
};
