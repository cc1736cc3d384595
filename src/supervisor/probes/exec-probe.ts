import { spawn } from 'node:child_process';
import type { Probe, ProbeResult } from './probe.js';

export interface ExecProbeOptions {
  /** A shell command (`sh -c`) or an argv array. */
  command: string | string[];
  cwd: string;
  env: Record<string, string>;
}

/**
 * Runs a command; exit code 0 passes. At the timeout its whole process group is
 * SIGKILLed and the check fails.
 *
 * @example execProbe({ command: 'pg_isready -h 127.0.0.1', cwd, env })
 * @example execProbe({ command: ['false'], cwd, env }) // { ok: false, message: 'exit code 1' }
 */
export function execProbe(options: ExecProbeOptions): Probe {
  const [file, args] = typeof options.command === 'string' ? ['/bin/sh', ['-c', options.command]] : [options.command[0]!, options.command.slice(1)];
  return {
    check: (signal) =>
      new Promise<ProbeResult>((resolve) => {
        const child = spawn(file, args, { cwd: options.cwd, env: options.env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
        let output = '';
        const collect = (chunk: Buffer) => {
          if (output.length < 4_096) output += chunk.toString();
        };
        child.stdout.on('data', collect);
        child.stderr.on('data', collect);
        const onAbort = () => {
          if (child.pid !== undefined) {
            try {
              process.kill(-child.pid, 'SIGKILL');
            } catch {
              // already gone
            }
          }
        };
        signal.addEventListener('abort', onAbort, { once: true });
        let settled = false;
        const done = (result: ProbeResult) => {
          if (settled) return;
          settled = true;
          signal.removeEventListener('abort', onAbort);
          resolve(result);
        };
        child.once('error', (error) => done({ ok: false, message: `cannot run ${file}: ${error.message}` }));
        child.once('exit', (code, exitSignal) => {
          const last = output.trim().split('\n').pop() ?? '';
          if (signal.aborted) return done({ ok: false, message: 'timed out' });
          done({ ok: code === 0, message: `${exitSignal ? `killed by ${exitSignal}` : `exit code ${code}`}${last ? `: ${last.slice(0, 200)}` : ''}` });
        });
      }),
  };
}
