import { createServer } from 'node:http';
import { decodeTraceExport } from './otlp-protobuf.js';

/** A span as an OTLP/HTTP export carries it (protobuf or JSON), with its attributes flattened. */
export interface ReceivedSpan {
  traceId: string;
  spanId: string;
  parentSpanId: string;
  name: string;
  attributes: Record<string, string | number | boolean>;
  events: { name: string; attributes: Record<string, string | number | boolean> }[];
  /** `service.name` of the resource that sent it. */
  service: string;
}

interface OtlpAttribute {
  key: string;
  value: { stringValue?: string; intValue?: string | number; boolValue?: boolean; doubleValue?: number };
}

function flatten(attributes: OtlpAttribute[] | undefined): Record<string, string | number | boolean> {
  const flat: Record<string, string | number | boolean> = {};
  for (const { key, value } of attributes ?? []) flat[key] = value.stringValue ?? (value.intValue !== undefined ? Number(value.intValue) : (value.boolValue ?? value.doubleValue ?? ''));
  return flat;
}

/**
 * A tiny OTLP/HTTP receiver on 127.0.0.1 (port 0): keeps the spans of every
 * `POST /v1/traces`, protobuf (`application/x-protobuf`, the default) or JSON
 * (`OTEL_EXPORTER_OTLP_PROTOCOL=http/json`) as its content type says, and answers 200.
 * `OTEL_EXPORTER_OTLP_ENDPOINT` is its `endpoint`.
 */
export async function otlpReceiver(): Promise<{ endpoint: string; spans: ReceivedSpan[]; requests: { path: string; contentType: string }[]; close: () => Promise<void> }> {
  const spans: ReceivedSpan[] = [];
  const requests: { path: string; contentType: string }[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const contentType = String(req.headers['content-type']);
      requests.push({ path: req.url ?? '', contentType });
      if (contentType.startsWith('application/x-protobuf')) {
        for (const resource of decodeTraceExport(Buffer.concat(chunks))) {
          for (const span of resource.spans) spans.push({ ...span, service: String(resource.resourceAttributes['service.name'] ?? '') });
        }
        res.setHeader('content-type', 'application/x-protobuf');
        res.end();
        return;
      }
      const body = Buffer.concat(chunks).toString('utf8');
      try {
        const parsed = JSON.parse(body) as { resourceSpans?: { resource?: { attributes?: OtlpAttribute[] }; scopeSpans?: { spans?: (Omit<ReceivedSpan, 'attributes' | 'events' | 'service'> & { attributes?: OtlpAttribute[]; events?: { name: string; attributes?: OtlpAttribute[] }[] })[] }[] }[] };
        for (const resource of parsed.resourceSpans ?? []) {
          const service = String(flatten(resource.resource?.attributes)['service.name'] ?? '');
          for (const scope of resource.scopeSpans ?? []) {
            for (const span of scope.spans ?? []) {
              spans.push({ traceId: span.traceId, spanId: span.spanId, parentSpanId: span.parentSpanId ?? '', name: span.name, attributes: flatten(span.attributes), events: (span.events ?? []).map((e) => ({ name: e.name, attributes: flatten(e.attributes) })), service });
            }
          }
        }
      } catch {
        // not JSON: counted in `requests`, no spans
      }
      res.setHeader('content-type', 'application/json');
      res.end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    endpoint: `http://127.0.0.1:${(server.address() as { port: number }).port}`,
    spans,
    requests,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** `span` and its ancestors among `spans`, nearest first. */
export function ancestry(spans: ReceivedSpan[], span: ReceivedSpan): ReceivedSpan[] {
  const chain = [span];
  for (let at = span; at.parentSpanId; ) {
    const parent = spans.find((s) => s.spanId === at.parentSpanId && s.traceId === at.traceId);
    if (!parent) break;
    chain.push(parent);
    at = parent;
  }
  return chain;
}
