import { mkdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { chromiumToLaunch } from './bundled-chromium.js';

/** The repository root, from this compiled file (three folders up from `test/e2e/` of a dist folder). */
export const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
/** Where browser tests leave their screenshots (gitignored). */
export const ARTIFACTS = join(REPO_ROOT, 'test-artifacts');

/**
 * The headless Chromium npm installs with the devDependency @sparticuz/chromium (or
 * HOMEOSTAT_CHROMIUM's); a browser that cannot start fails the test, it is not skipped.
 * Flags: no sandbox (CI runs as root), no GPU, no background traffic; not the package's
 * own serverless flags, some of which (--disable-web-security) would switch off the very
 * protections (CSP, same-origin) the dashboard tests rely on.
 */
export async function launchBrowser(): Promise<Browser> {
  const browser = chromiumToLaunch();
  return chromium.launch({
    executablePath: browser.executablePath,
    env: { ...process.env, ...browser.env },
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
}

/**
 * A page that records what went wrong inside it (uncaught errors, console errors,
 * 5xx answers), so a test can assert the dashboard ran clean.
 */
export async function openPage(browser: Browser): Promise<{ page: Page; problems: string[] }> {
  const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
  const problems: string[] = [];
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  page.on('console', (message) => {
    // Chromium logs every 4xx answer; the page handles those (a refused token, a role too low).
    if (message.type() === 'error' && !/Failed to load resource: the server responded with a status of 4\d\d/.test(message.text())) problems.push(`console: ${message.text()}`);
  });
  page.on('response', (response) => {
    if (response.status() >= 500) problems.push(`${response.status()} from ${response.url()}`);
  });
  return { page, problems };
}

/** Save a screenshot as test-artifacts/<name>.png (and to `alsoTo`, when given). */
export async function screenshot(page: Page, name: string, alsoTo?: string): Promise<void> {
  mkdirSync(ARTIFACTS, { recursive: true });
  await page.screenshot({ path: join(ARTIFACTS, `${name}.png`) });
  if (alsoTo) {
    mkdirSync(dirname(alsoTo), { recursive: true });
    // Down to the end of the content: no empty band under it.
    const box = await page.locator('main').boundingBox();
    const viewport = page.viewportSize()!;
    await page.screenshot({ path: alsoTo, clip: { x: 0, y: 0, width: viewport.width, height: Math.min(viewport.height, Math.ceil((box?.y ?? 0) + (box?.height ?? viewport.height))) } });
  }
}

/** A TCP port free right now on 127.0.0.1 (for a service whose URL others must know). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/**
 * Record every value `attribute` of the element at `selector` takes from now on, however
 * briefly (a MutationObserver in the page): for states that may pass faster than a poll.
 * Returns a reader of the values seen, in order.
 */
export async function recordAttribute(page: Page, selector: string, attribute: string): Promise<() => Promise<string[]>> {
  const key = `__recorded_${Math.random().toString(36).slice(2)}`;
  // Evaluated over CDP, not by the page's eval (its CSP forbids that).
  await page.evaluate(`(() => {
    const seen = (window[${JSON.stringify(key)}] = []);
    const read = () => {
      const value = document.querySelector(${JSON.stringify(selector)})?.getAttribute(${JSON.stringify(attribute)});
      if (value != null && seen[seen.length - 1] !== value) seen.push(value);
    };
    read();
    new MutationObserver(read).observe(document.body, { subtree: true, childList: true, attributes: true });
  })()`);
  return async () => (await page.evaluate(`window[${JSON.stringify(key)}]`)) as string[];
}

/**
 * The example system as the dashboard tests run it: a dependency with a standby, the api
 * and the worker over it (`dependsOn`), every probe lenient enough for a loaded machine.
 * `api` is the api's own extra keys (replicas, backoff …), indented as service keys; the
 * rest of the config (monitor, policies …) is the caller's.
 */
export function exampleServicesYaml(dependencyPort: number, standbyPort: number, api: string): string {
  return `
services:
  dependency:
    command: $NODE
    args: [dependency.js, --port, "{{port}}"]
    cwd: $EXAMPLES
    port: ${dependencyPort}
    probes:
      liveness: { http: /healthz, period: 500ms, timeout: 1s, failureThreshold: 5 }
    standby: dependency-standby
  dependency-standby:
    command: $NODE
    args: [dependency.js, --port, "{{port}}"]
    cwd: $EXAMPLES
    port: ${standbyPort}
    probes:
      liveness: { http: /healthz, period: 500ms, timeout: 1s, failureThreshold: 5 }
  api:
    command: $NODE
    args: [api.js, --port, "{{port}}"]
    cwd: $EXAMPLES
    env: { DEPENDENCY_URL: "http://127.0.0.1:${dependencyPort}" }
    dependsOn: [dependency]
${api}    probes:
      liveness: { http: /healthz, period: 500ms, timeout: 1s, failureThreshold: 5 }
  worker:
    command: $NODE
    args: [worker.js, --port, "{{port}}"]
    cwd: $EXAMPLES
    env: { DEPENDENCY_URL: "http://127.0.0.1:${dependencyPort}", HEARTBEAT_EVERY: "200" }
    dependsOn: [dependency]
    probes:
      liveness: { heartbeat: true, period: 500ms, timeout: 2s, failureThreshold: 3 }
monitor:
  scrape: [{ service: api, every: 1s }]
`;
}
