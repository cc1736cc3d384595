import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { findDashboardRoot } from '../../src/api/dashboard-assets.js';
import { ApiHarness } from './api-harness.js';
import { REPO_ROOT } from './dashboard-harness.js';

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => (entry.isDirectory() ? filesUnder(join(dir, entry.name)) : [join(dir, entry.name)]));
}

test('the dashboard is served without a token: / is index.html, /ui/… its assets, with content types, ETags and a strict CSP', async () => {
  const h = await ApiHarness.open();
  try {
    const page = await h.call('none', 'GET', '/');
    assert.equal(page.status, 200);
    assert.match(String(page.headers['content-type']), /^text\/html; charset=utf-8/);
    assert.match(page.text, /<script type="module" src="\/ui\/app\.js"><\/script>/);
    assert.match(String(page.headers['content-security-policy']), /default-src 'self'.*connect-src 'self'.*frame-ancestors 'none'/);
    assert.equal(page.headers['x-content-type-options'], 'nosniff');
    assert.equal(page.headers['cache-control'], 'no-cache');
    const etag = String(page.headers.etag);
    assert.match(etag, /^"[\w-]+"$/);
    assert.equal((await h.call('none', 'GET', '/', undefined, { 'if-none-match': etag })).status, 304);
    assert.equal((await h.call('none', 'GET', '/', undefined, { 'if-none-match': '"other"' })).status, 200);
    const head = await h.call('none', 'HEAD', '/');
    assert.equal(head.status, 200);
    assert.equal(head.text, '');

    const expected: Record<string, RegExp> = { '.js': /^text\/javascript/, '.css': /^text\/css/, '.html': /^text\/html/, '.svg': /^image\/svg\+xml/ };
    const root = join(REPO_ROOT, 'ui');
    const shipped = filesUnder(root).map((file) => relative(root, file));
    assert.ok(shipped.includes('app.js') && shipped.includes('views/overview.js') && shipped.includes('components/graph.js'), shipped.join(', '));
    for (const file of shipped) {
      const answer = await h.call('none', 'GET', `/ui/${file}`);
      assert.equal(answer.status, 200, file);
      assert.match(String(answer.headers['content-type']), expected[file.slice(file.lastIndexOf('.'))]!, file);
      assert.equal(answer.text, readFileSync(join(root, file), 'utf8'), file);
    }
  } finally {
    await h.close();
  }
});

test('nothing outside ui/ is served, unknown files get the API 404 shape, and /api and /openapi.json are untouched', async () => {
  const h = await ApiHarness.open();
  try {
    for (const url of ['/ui/../package.json', '/ui/%2e%2e/package.json', '/ui/..%2fpackage.json', '/ui/%2e%2e/%2e%2e/etc/passwd', '/ui/..%5c..%5cpackage.json', '/ui/app.js%00.css', '/ui/', '/ui/views', '/ui/missing.js', '/ui/index.html.bak', '/favicon.ico', '/index.html']) {
      const answer = await h.call('none', 'GET', url);
      assert.equal(answer.status, 404, `${url}: ${answer.text.slice(0, 200)}`);
      assert.equal(answer.json?.error?.code, 'HS_API_NO_ROUTE', url);
      assert.doesNotMatch(answer.text, /"name": "homeostat"|root:/, url);
    }
    const unknownApi = await h.call('viewer', 'GET', '/api/nope');
    assert.equal(unknownApi.status, 404);
    assert.equal(unknownApi.json.error.code, 'HS_API_NO_ROUTE');
    assert.equal((await h.call('none', 'GET', '/api/services')).status, 401);
    const openapi = await h.call('none', 'GET', '/openapi.json');
    assert.equal(openapi.status, 200);
    assert.ok(openapi.json.paths['/api/services/{name}/metrics'], 'the metrics route is documented');
    assert.equal(Object.keys(openapi.json.paths).filter((path) => !path.startsWith('/api/')).length, 0, 'the asset routes stay out of the API document');
    assert.equal((await h.call('none', 'POST', '/', {})).status, 404);
  } finally {
    await h.close();
  }
});

test('the ui/ folder is found from the compiled file and ships with the package', () => {
  assert.equal(findDashboardRoot(), join(REPO_ROOT, 'ui'));
  assert.equal(findDashboardRoot('/'), undefined);
  const pkg = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { files: string[] };
  assert.ok(pkg.files.includes('ui'), `package.json files: ${pkg.files.join(', ')}`);
});
