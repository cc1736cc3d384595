import { HomeostatError } from '../errors/homeostat-error.js';

/** The samplers of the OpenTelemetry spec's `OTEL_TRACES_SAMPLER` that homeostat builds. */
export type TracesSampler = 'always_on' | 'always_off' | 'traceidratio' | 'parentbased_always_on' | 'parentbased_always_off' | 'parentbased_traceidratio';

const SAMPLERS = new Set<string>(['always_on', 'always_off', 'traceidratio', 'parentbased_always_on', 'parentbased_always_off', 'parentbased_traceidratio']);

/** The OTLP encodings homeostat exports with: the spec's `OTEL_EXPORTER_OTLP_PROTOCOL` values over HTTP. */
export type OtlpProtocol = 'http/protobuf' | 'http/json';

/** Tracing as the standard `OTEL_*` variables ask for it (see {@link readTracingConfig}). */
export interface TracingConfig {
  /** Where spans are POSTed: OTLP over HTTP. */
  url: string;
  /** How they are encoded: protobuf (the spec's default) or JSON. */
  protocol: OtlpProtocol;
  headers: Record<string, string>;
  serviceName: string;
  /** `OTEL_RESOURCE_ATTRIBUTES`, parsed (`OTEL_SERVICE_NAME` wins over its `service.name`). */
  resourceAttributes: Record<string, string>;
  sampler: TracesSampler;
  /** The ratio of the `*traceidratio` samplers (default 1). */
  samplerRatio: number;
}

/** An `OTEL_*` variable homeostat cannot follow: the message names it and says what it accepts. */
export class TracingConfigError extends HomeostatError {
  readonly variable: string;
  constructor(variable: string, message: string) {
    super('HS_TRACING_CONFIG', `${variable}: ${message}`);
    this.variable = variable;
  }
}

const DEFAULT_ENDPOINT = 'http://localhost:4318';

/**
 * Whether and how to export traces, from the OpenTelemetry SDK's standard variables. Off
 * (undefined) unless asked for: `OTEL_TRACES_EXPORTER=otlp`, or an OTLP endpoint set
 * (`OTEL_EXPORTER_OTLP_ENDPOINT`, `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`); always off with
 * `OTEL_SDK_DISABLED=true` or `OTEL_TRACES_EXPORTER=none`. A variable it cannot follow throws
 * {@link TracingConfigError} naming it, rather than exporting somewhere else than meant.
 *
 * @example readTracingConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' }) // { url: 'http://collector:4318/v1/traces', serviceName: 'homeostat', … }
 * @example readTracingConfig({}) // undefined: tracing is off
 * @example readTracingConfig({ OTEL_TRACES_EXPORTER: 'zipkin' }) // throws HS_TRACING_CONFIG "OTEL_TRACES_EXPORTER: …"
 */
export function readTracingConfig(env: NodeJS.ProcessEnv = process.env): TracingConfig | undefined {
  const value = (name: string) => {
    const text = env[name]?.trim();
    return text ? text : undefined;
  };
  if (value('OTEL_SDK_DISABLED')?.toLowerCase() === 'true') return undefined;
  const exporters = (value('OTEL_TRACES_EXPORTER') ?? '').split(',').map((e) => e.trim().toLowerCase()).filter(Boolean);
  for (const exporter of exporters) {
    if (exporter !== 'otlp' && exporter !== 'none') {
      throw new TracingConfigError('OTEL_TRACES_EXPORTER', `"${exporter}" is not an exporter homeostat has: use "otlp" (OTLP over HTTP) or "none"`);
    }
  }
  if (exporters.includes('none')) return undefined;
  const tracesEndpoint = value('OTEL_EXPORTER_OTLP_TRACES_ENDPOINT');
  const endpoint = value('OTEL_EXPORTER_OTLP_ENDPOINT');
  if (!exporters.includes('otlp') && tracesEndpoint === undefined && endpoint === undefined) return undefined;

  for (const name of ['OTEL_EXPORTER_OTLP_TRACES_PROTOCOL', 'OTEL_EXPORTER_OTLP_PROTOCOL']) {
    const protocol = value(name);
    if (protocol !== undefined && protocol !== 'http/json' && protocol !== 'http/protobuf') {
      throw new TracingConfigError(name, `"${protocol}" is not supported: homeostat exports OTLP over HTTP, so "http/protobuf" (the default) or "http/json"; a gRPC endpoint (port 4317) needs the collector's HTTP receiver (port 4318)`);
    }
  }
  // The signal-specific variable wins; the spec's default is protobuf.
  const protocol = (value('OTEL_EXPORTER_OTLP_TRACES_PROTOCOL') ?? value('OTEL_EXPORTER_OTLP_PROTOCOL') ?? 'http/protobuf') as OtlpProtocol;
  // The spec: a signal-specific endpoint is used as is, the general one gets the signal's path.
  const url = tracesEndpoint !== undefined ? httpUrl('OTEL_EXPORTER_OTLP_TRACES_ENDPOINT', tracesEndpoint) : `${httpUrl('OTEL_EXPORTER_OTLP_ENDPOINT', endpoint ?? DEFAULT_ENDPOINT).replace(/\/+$/, '')}/v1/traces`;
  const headers = { ...keyValues('OTEL_EXPORTER_OTLP_HEADERS', value('OTEL_EXPORTER_OTLP_HEADERS')), ...keyValues('OTEL_EXPORTER_OTLP_TRACES_HEADERS', value('OTEL_EXPORTER_OTLP_TRACES_HEADERS')) };
  const resourceAttributes = keyValues('OTEL_RESOURCE_ATTRIBUTES', value('OTEL_RESOURCE_ATTRIBUTES'));
  const serviceName = value('OTEL_SERVICE_NAME') ?? resourceAttributes['service.name'] ?? 'homeostat';

  const samplerName = (value('OTEL_TRACES_SAMPLER') ?? 'parentbased_always_on').toLowerCase();
  if (!SAMPLERS.has(samplerName)) {
    throw new TracingConfigError('OTEL_TRACES_SAMPLER', `"${samplerName}" is not a sampler homeostat has: use one of ${[...SAMPLERS].join(', ')}`);
  }
  let samplerRatio = 1;
  const ratioText = value('OTEL_TRACES_SAMPLER_ARG');
  if (ratioText !== undefined && samplerName.endsWith('traceidratio')) {
    samplerRatio = Number(ratioText);
    if (!Number.isFinite(samplerRatio) || samplerRatio < 0 || samplerRatio > 1) {
      throw new TracingConfigError('OTEL_TRACES_SAMPLER_ARG', `"${ratioText}" is not a ratio between 0 and 1 (for ${samplerName})`);
    }
  }
  return { url, protocol, headers, serviceName, resourceAttributes, sampler: samplerName as TracesSampler, samplerRatio };
}

function httpUrl(variable: string, text: string): string {
  let parsed: URL;
  try {
    parsed = new URL(text);
  } catch {
    throw new TracingConfigError(variable, `"${text}" is not a URL (e.g. http://localhost:4318)`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new TracingConfigError(variable, `"${text}" is not an http(s) URL: homeostat exports OTLP over HTTP`);
  }
  return text;
}

/** The spec's `key1=value1,key2=value2` lists (W3C Baggage-like, values percent-decoded). */
function keyValues(variable: string, text: string | undefined): Record<string, string> {
  const pairs: Record<string, string> = {};
  if (text === undefined) return pairs;
  for (const item of text.split(',')) {
    if (!item.trim()) continue;
    const at = item.indexOf('=');
    const key = at > 0 ? item.slice(0, at).trim() : '';
    if (!key) throw new TracingConfigError(variable, `"${item.trim()}" is not key=value (the list is key1=value1,key2=value2)`);
    try {
      pairs[decodeURIComponent(key)] = decodeURIComponent(item.slice(at + 1).trim());
    } catch {
      throw new TracingConfigError(variable, `"${item.trim()}" has a malformed %-escape`);
    }
  }
  return pairs;
}
