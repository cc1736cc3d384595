import { Agent, request } from 'node:http';

/** What a load run saw: answers by body prefix, and every failure with why. */
export interface LoadResult {
  ok: number;
  failures: string[];
  /** Answers per replica instance (the second word of the test app's body). */
  byInstance: Map<string, number>;
  /** Every answer in the order it arrived: its status and the replica named in its body ('?' when none). */
  answers: { status: number; instance: string }[];
}

/**
 * A steady HTTP load at `url` until `stop()`: `concurrency` loops, each sending one request
 * after the other over a keep-alive agent (as a real client would), counting every answer
 * other than 200, and every connection error, as a failure.
 * @example const load = steadyLoad(`${door}/?delay=20`, 4); …; const result = await load.stop();
 */
export function steadyLoad(url: string, concurrency: number, method = 'GET'): { stop: () => Promise<LoadResult>; result: LoadResult } {
  const agent = new Agent({ keepAlive: true });
  const result: LoadResult = { ok: 0, failures: [], byInstance: new Map(), answers: [] };
  let running = true;
  const once = () =>
    new Promise<void>((resolve) => {
      const req = request(url, { method, agent }, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (body += chunk));
        res.on('end', () => {
          result.answers.push({ status: res.statusCode ?? 0, instance: body.split(' ')[1] ?? '?' });
          if (res.statusCode === 200) {
            result.ok++;
            const instance = body.split(' ')[1] ?? '?';
            result.byInstance.set(instance, (result.byInstance.get(instance) ?? 0) + 1);
          } else result.failures.push(`HTTP ${res.statusCode}: ${body.trim()}`);
          resolve();
        });
        res.on('error', (error) => {
          result.failures.push(`response: ${error.message}`);
          resolve();
        });
      });
      req.on('error', (error) => {
        result.failures.push(`request: ${error.message}`);
        resolve();
      });
      req.end(method === 'GET' ? undefined : 'x');
    });
  const loops = Array.from({ length: concurrency }, async () => {
    while (running) await once();
  });
  return {
    result,
    stop: async () => {
      running = false;
      await Promise.all(loops);
      agent.destroy();
      return result;
    },
  };
}
