import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The headless Chromium the dashboard tests drive: the one the npm devDependency
 * `@sparticuz/chromium` ships (a brotli-compressed headless-shell build inside the package),
 * so `npm ci` alone brings a browser and the tests run the same on every machine. A
 * machine that prefers its own browser sets HOMEOSTAT_CHROMIUM to its path.
 */
export interface ChromiumToLaunch {
  executablePath: string;
  /** Extra environment for the browser process (where the bundled fonts are). */
  env: Record<string, string>;
  /** Where it came from, for error messages and logs. */
  source: string;
}

/** The package's root folder and version, as Node resolves it from this file. */
function bundledPackage(): { root: string; version: string } {
  let resolved: string;
  try {
    resolved = import.meta.resolve('@sparticuz/chromium');
  } catch (error) {
    // A checkout whose node_modules predates the devDependency: say what to run.
    throw new Error(`the dashboard tests' browser, the devDependency @sparticuz/chromium, is not installed: run npm ci (or set HOMEOSTAT_CHROMIUM to a Chromium) (${(error as Error).message})`);
  }
  // Resolves to <package>/build/esm/index.js; its root is two folders up.
  const entry = fileURLToPath(resolved);
  const root = join(dirname(entry), '..', '..');
  const { version } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string };
  return { root, version };
}

/**
 * Unpack the bundled browser once per package version, into node_modules/.cache (wiped by
 * every `npm ci`, so never stale), and reuse it afterwards.
 *
 * Why not `chromium.executablePath()` directly: it unpacks into the shared `/tmp/chromium`
 * (and /tmp/fonts …) and reuses whatever it finds there, so a half-written binary from a
 * concurrent test file, or another checkout's different version, would be launched. Here
 * each unpacking goes to its own staging folder, in a child process whose TMPDIR points at it
 * (the package derives every path from `os.tmpdir()`; changing TMPDIR in this process would
 * move other tests' temporary files too), and is published by one atomic rename: the first
 * to finish wins, a later one discards its copy.
 */
function unpackBundled(): ChromiumToLaunch {
  const { root, version } = bundledPackage();
  const cacheRoot = join(root, '..', '..', '.cache', 'homeostat-chromium');
  const target = join(cacheRoot, version);
  const executablePath = join(target, 'chromium');
  if (!existsSync(executablePath)) {
    mkdirSync(cacheRoot, { recursive: true });
    const staging = mkdtempSync(join(cacheRoot, `.unpacking-${version}-`));
    try {
      const unpack = spawnSync(process.execPath, ['--input-type=module', '-e', "import chromium from '@sparticuz/chromium'; process.stdout.write(await chromium.executablePath());"], {
        cwd: dirname(root), // resolution of the bare name starts from a folder that can see the package
        env: { ...process.env, TMPDIR: staging },
        encoding: 'utf8',
        timeout: 120_000,
      });
      if (unpack.status !== 0 || unpack.stdout !== join(staging, 'chromium')) {
        throw new Error(`could not unpack @sparticuz/chromium ${version} into ${staging} (status ${unpack.status}${unpack.error ? `, ${unpack.error.message}` : ''}): ${unpack.stderr.trim() || unpack.stdout.trim()}`);
      }
      // The package's fonts.conf names /tmp/fonts; this one names the fonts unpacked here,
      // then the machine's own configuration when it has one.
      writeFileSync(join(staging, 'fonts', 'fonts.conf'), `<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "fonts.dtd">\n<fontconfig>\n  <dir>${join(target, 'fonts')}</dir>\n  <include ignore_missing="yes">/etc/fonts/fonts.conf</include>\n</fontconfig>\n`);
      try {
        renameSync(staging, target);
      } catch (error) {
        // Another test file published the same version first: use theirs.
        if (!existsSync(executablePath)) throw error;
      }
    } finally {
      rmSync(staging, { recursive: true, force: true });
    }
  }
  return { executablePath, env: { FONTCONFIG_PATH: join(target, 'fonts') }, source: `@sparticuz/chromium ${version}` };
}

/** The browser to launch: HOMEOSTAT_CHROMIUM when set (it must exist), else the bundled one. */
export function chromiumToLaunch(): ChromiumToLaunch {
  const override = process.env.HOMEOSTAT_CHROMIUM;
  if (override) {
    if (!existsSync(override)) throw new Error(`HOMEOSTAT_CHROMIUM names ${override}, which does not exist (unset it to use the browser npm installs with @sparticuz/chromium)`);
    return { executablePath: override, env: {}, source: `HOMEOSTAT_CHROMIUM=${override}` };
  }
  return unpackBundled();
}
