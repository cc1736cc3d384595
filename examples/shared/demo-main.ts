/**
 * How both demos run as a script: a title, the demo, its report; exit 2 when the demo could
 * not run at all (a port taken, a build missing), 1 when it ran but did not end as it should
 * (what CI and a reader look for), 0 otherwise. Ctrl-C exits at once: exiting fires the
 * demos' exit hooks, which SIGKILL the processes they started.
 */
import { pathToFileURL } from 'node:url';

export interface DemoScript<R extends { ok: boolean }> {
  title: string;
  run(): Promise<R>;
  format(report: R): string;
  /** Printed when the report is not ok. */
  failure: string;
}

/** Whether `moduleUrl` (the caller's `import.meta.url`) is the script node was started with. */
export function isMainModule(moduleUrl: string): boolean {
  return process.argv[1] !== undefined && moduleUrl === pathToFileURL(process.argv[1]).href;
}

/** Run `script` as the process's main job: print its title and report, set the exit code. */
export async function runDemoScript<R extends { ok: boolean }>(script: DemoScript<R>): Promise<void> {
  process.once('SIGINT', () => {
    console.error('\ninterrupted');
    process.exit(130);
  });
  console.log(`${script.title}\n`);
  let report: R;
  try {
    report = await script.run();
  } catch (error) {
    console.error(`\nThe demo could not run: ${(error as Error).stack ?? String(error)}`);
    process.exitCode = 2;
    return;
  }
  console.log(script.format(report));
  if (!report.ok) {
    console.error(`\n${script.failure}`);
    process.exitCode = 1;
  }
}
