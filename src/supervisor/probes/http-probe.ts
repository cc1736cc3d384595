import { Agent, request } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { failure, type Probe, type ProbeResult } from './probe.js';

export interface HttpProbeOptions {
  url: string;
  /** Accepted status ranges, inclusive: `[[200, 399]]`. */
  status: [number, number][];
  /** Text the body must contain, or `/regex/flags`. */
  body?: string;
}

const MAX_BODY = 64 * 1024;

/**
 * GET `url` and check the status and, optionally, the body. A hung process —
 * SIGSTOPped or in a busy loop — still completes TCP handshakes from the kernel's
 * backlog but never answers, so this probe times out where a TCP probe passes.
 * One kept-alive connection per probe: 50 processes probed every 250 ms cost a fifth of
 * the CPU without handshakes (measured in bench/supervisor); a timed-out check destroys
 * the socket, so the next one connects afresh.
 *
 * @example httpProbe({ url: 'http://127.0.0.1:4100/healthz', status: [[200, 399]] })
 * @example httpProbe({ url, status: [[200, 200]], body: '/"status":"ok"/' }) // fails on "HTTP 200, body does not match"
 */
export function httpProbe(options: HttpProbeOptions): Probe {
  const matcher = bodyMatcher(options.body);
  const url = new URL(options.url);
  const send = url.protocol === 'https:' ? httpsRequest : request;
  const agent = url.protocol === 'https:' ? new HttpsAgent({ keepAlive: true, maxSockets: 1 }) : new Agent({ keepAlive: true, maxSockets: 1 });
  return {
    check: (signal) =>
      new Promise<ProbeResult>((resolve) => {
        let settled = false;
        const done = (result: ProbeResult) => {
          if (settled) return;
          settled = true;
          resolve(result);
          req.destroy();
        };
        const req = send(url, { method: 'GET', agent, signal, headers: { 'user-agent': 'homeostat-probe' } }, (res) => {
          const status = res.statusCode ?? 0;
          const statusOk = options.status.some(([low, high]) => status >= low && status <= high);
          if (!statusOk || !matcher) {
            res.resume();
            done({ ok: statusOk, message: `HTTP ${status}` });
            return;
          }
          let body = '';
          res.setEncoding('utf8');
          res.on('data', (chunk: string) => {
            if (body.length < MAX_BODY) body += chunk;
          });
          res.on('end', () => done({ ok: matcher(body), message: matcher(body) ? `HTTP ${status}` : `HTTP ${status}, body does not match ${options.body}` }));
          res.on('error', (error) => done(failure(error)));
        });
        req.on('error', (error) => done(signal.aborted ? { ok: false, message: 'timed out' } : failure(error)));
        req.end();
      }),
  };
}

function bodyMatcher(body: string | undefined): ((text: string) => boolean) | undefined {
  if (body === undefined) return undefined;
  const regex = /^\/(.*)\/([a-z]*)$/s.exec(body);
  if (regex) {
    const pattern = new RegExp(regex[1]!, regex[2]);
    return (text) => pattern.test(text);
  }
  return (text) => text.includes(body);
}
