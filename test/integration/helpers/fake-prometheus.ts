import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A request the fake answered: its API path and query parameters. */
export interface FakePrometheusRequest {
  path: string;
  params: Record<string, string>;
}

/**
 * A stand-in Prometheus HTTP API on 127.0.0.1 (a free port): `/api/v1/query` answers what
 * `state.body` holds (set by `vector()`), `/api/v1/query_range` what `state.rangeBody` holds
 * (set by `matrix()`), both with `state.status`; `state.hang` holds every answer back (a
 * timeout). Each request is recorded in `state.requests`.
 */
export async function fakePrometheus() {
  const state = { status: 200, body: '', rangeBody: '', hang: false, requests: [] as FakePrometheusRequest[] };
  const held: ServerResponse[] = [];
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    state.requests.push({ path: url.pathname, params: Object.fromEntries(url.searchParams) });
    if (state.hang) {
      held.push(res);
      return;
    }
    res.writeHead(state.status, { 'content-type': 'application/json' }).end(url.pathname === '/api/v1/query_range' ? state.rangeBody : state.body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    state,
    /** The queries asked, in order (`query` parameter). */
    queries: () => state.requests.map((r) => r.params.query ?? ''),
    vector(...series: [Record<string, string>, string][]) {
      state.status = 200;
      state.body = JSON.stringify({ status: 'success', data: { resultType: 'vector', result: series.map(([metric, value]) => ({ metric, value: [1, value] })) } });
    },
    /** Each series: its labels and `[unix seconds, value]` points. */
    matrix(...series: [Record<string, string>, [number, string][]][]) {
      state.status = 200;
      state.rangeBody = JSON.stringify({ status: 'success', data: { resultType: 'matrix', result: series.map(([metric, values]) => ({ metric, values })) } });
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const res of held) res.destroy();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
