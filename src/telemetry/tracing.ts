import {
  context,
  createContextKey,
  isSpanContextValid,
  propagation,
  ROOT_CONTEXT,
  SpanStatusCode,
  trace,
  type Attributes,
  type Context,
  type ProxyTracerProvider,
  type Span,
  type Tracer,
} from '@opentelemetry/api';
import type { SpanProcessor } from '@opentelemetry/sdk-trace-node';
import { readTracingConfig, TracingConfigError, type TracingConfig } from './tracing-config.js';

export type { Attributes, Context, Span } from '@opentelemetry/api';

/**
 * OpenTelemetry tracing for homeostat: started from the standard `OTEL_*` variables (see
 * tracing-config.ts), exported over OTLP/HTTP (protobuf- or JSON-encoded, as
 * `OTEL_EXPORTER_OTLP_PROTOCOL` says) with a batch span processor. Only
 * `@opentelemetry/api` is imported here; the SDK and the exporter are loaded by dynamic
 * `import()` when tracing is turned on, so a process with tracing off never loads them and
 * every instrumented place costs one boolean check ({@link tracingOn}).
 *
 * Started once per process and shared: every `Engine.open` and `homeostat up` holds a
 * reference; the last `stop()` flushes the spans still batched and shuts the SDK down.
 * An application that registered its own tracer provider before keeps it: homeostat's spans
 * then go to the application's provider.
 *
 * No global context manager is installed by default. OpenTelemetry's Node one is built on
 * `AsyncLocalStorage`, and on Node 20 entering it once makes every promise of the process pay
 * async hooks from then on, span or not — a cost that grows with the promises a step makes
 * (an HTTP call makes dozens). The engine hands trace contexts down explicitly instead (run →
 * step → attempt, and to each step function as `traceparent`); where an application registered a
 * context manager itself (as OpenTelemetry's auto-instrumentation does), the engine also makes
 * its spans the active ones, so the application's spans nest under them
 * ({@link contextManagerPresent}). `homeostat up` asks for the context manager
 * (`contextManager: true`): its loop's spans (remediation, guardrails, actions, webhooks, log
 * lines) follow the active span, and it runs few workflows.
 */

interface SdkProvider {
  forceFlush(): Promise<void>;
  shutdown(): Promise<void>;
}

/** A reference to the process's tracing; `stop()` it when done (the last one flushes and shuts down). */
export interface Tracing {
  /** Spans are being recorded (and exported). */
  readonly on: boolean;
  /** Export the spans batched so far. */
  flush(): Promise<void>;
  stop(): Promise<void>;
}

export interface TracingStartOptions {
  /** The variables to read (default `process.env`). */
  env?: NodeJS.ProcessEnv;
  /**
   * Span processors to use instead of the OTLP exporter the variables configure — tests pass
   * a `SimpleSpanProcessor` over an `InMemorySpanExporter`. With them tracing is on whatever
   * the variables say.
   */
  spanProcessors?: unknown[];
  /**
   * Hears a configuration homeostat cannot follow (tracing then stays off, the process runs
   * on): once per process, by the first start that meets it. Default: a process warning.
   */
  onInvalid?: (error: TracingConfigError) => void;
  /**
   * Install OpenTelemetry's `AsyncLocalStorage` context manager when no context manager is
   * registered, so that spans nest through async code implicitly. Off by default: it costs
   * every promise of the process (see above).
   */
  contextManager?: boolean;
}

const TRACER_NAME = 'homeostat';
const NOTHING: Readonly<Record<string, string>> = Object.freeze({});

let active = false;
let users = 0;
let starting: Promise<void> | undefined;
let provider: SdkProvider | undefined;
let reportedInvalid = false;
let tracerInstance: Tracer | undefined;
let ownedContextManager: { disable(): unknown } | undefined;

/** Whether spans are recorded: the one check every instrumented place makes first. */
export function tracingOn(): boolean {
  return active;
}

/**
 * Start tracing as the `OTEL_*` variables say (or with `spanProcessors`), or join it if
 * already started. Never throws for a bad variable: tracing stays off and `onInvalid` hears
 * which variable and why.
 * @example const tracing = await startTracing(); … await tracing.stop();
 */
export async function startTracing(options: TracingStartOptions = {}): Promise<Tracing> {
  users++;
  let released = false;
  const handle: Tracing = {
    get on() {
      return active;
    },
    flush: async () => {
      await provider?.forceFlush();
    },
    stop: async () => {
      if (released) return;
      released = true;
      await release();
    },
  };
  if (active || starting) {
    await starting;
    if (active && options.contextManager) await installContextManager();
    return handle;
  }
  let config: TracingConfig | undefined;
  try {
    config = options.spanProcessors ? undefined : readTracingConfig(options.env);
  } catch (error) {
    if (!(error instanceof TracingConfigError)) throw error;
    if (!reportedInvalid) {
      reportedInvalid = true;
      if (options.onInvalid) options.onInvalid(error);
      else process.emitWarning(`${error.message} (tracing stays off)`, { code: error.code });
    }
    return handle;
  }
  if (!config && !options.spanProcessors) return handle;
  starting = install(config, options.spanProcessors, options.contextManager === true);
  try {
    await starting;
  } finally {
    starting = undefined;
  }
  return handle;
}

async function release(): Promise<void> {
  users = Math.max(0, users - 1);
  if (users > 0 || !active) return;
  active = false;
  tracerInstance = undefined;
  const owned = provider;
  provider = undefined;
  if (ownedContextManager) {
    ownedContextManager.disable();
    ownedContextManager = undefined;
    context.disable();
  }
  if (!owned) return;
  try {
    await owned.shutdown();
  } finally {
    // Not context.disable(): the context manager is the application's, or was disabled above.
    trace.disable();
    propagation.disable();
  }
}

async function install(config: TracingConfig | undefined, spanProcessors: unknown[] | undefined, withContextManager: boolean): Promise<void> {
  const sdk = await import('@opentelemetry/sdk-trace-node');
  const { resourceFromAttributes } = await import('@opentelemetry/resources');
  let processors = spanProcessors as SpanProcessor[] | undefined;
  if (!processors) {
    // The batch processor reads the standard OTEL_BSP_* variables itself (queue, batch size, delay).
    const { OTLPTraceExporter } = config!.protocol === 'http/json' ? await import('@opentelemetry/exporter-trace-otlp-http') : await import('@opentelemetry/exporter-trace-otlp-proto');
    processors = [new sdk.BatchSpanProcessor(new OTLPTraceExporter({ url: config!.url, headers: config!.headers }))];
  }
  const attributes = { ...config?.resourceAttributes, 'service.name': config?.serviceName ?? 'homeostat' };
  const ratio = config?.samplerRatio ?? 1;
  const samplers = {
    always_on: () => new sdk.AlwaysOnSampler(),
    always_off: () => new sdk.AlwaysOffSampler(),
    traceidratio: () => new sdk.TraceIdRatioBasedSampler(ratio),
    parentbased_always_on: () => new sdk.ParentBasedSampler({ root: new sdk.AlwaysOnSampler() }),
    parentbased_always_off: () => new sdk.ParentBasedSampler({ root: new sdk.AlwaysOffSampler() }),
    parentbased_traceidratio: () => new sdk.ParentBasedSampler({ root: new sdk.TraceIdRatioBasedSampler(ratio) }),
  };
  const created = new sdk.NodeTracerProvider({
    resource: resourceFromAttributes(attributes),
    sampler: samplers[config?.sampler ?? 'parentbased_always_on'](),
    spanProcessors: processors,
  });
  // Sets only what nobody set before: an application's own provider and propagator stay, and
  // homeostat's spans go to its provider. No context manager (see the top of this file).
  created.register({ contextManager: null });
  if ((trace.getTracerProvider() as ProxyTracerProvider).getDelegate() === created) provider = created;
  else await created.shutdown();
  if (withContextManager) await installContextManager();
  active = true;
}

/** OpenTelemetry's `AsyncLocalStorage` context manager, unless the application registered one. */
async function installContextManager(): Promise<void> {
  if (ownedContextManager || contextManagerPresent()) return;
  const { AsyncLocalStorageContextManager } = await import('@opentelemetry/context-async-hooks');
  const manager = new AsyncLocalStorageContextManager().enable();
  if (context.setGlobalContextManager(manager)) ownedContextManager = manager;
  else manager.disable();
}

const PROBE = createContextKey('homeostat.context-manager-probe');
const PROBE_CONTEXT = ROOT_CONTEXT.setValue(PROBE, true);

/**
 * Whether a context manager is registered (the application's, or the one `contextManager: true`
 * installed): then a context entered with `context.with` is the active one inside it, and the
 * engine makes its spans active for the code it calls. The API's no-op manager ignores it.
 */
export function contextManagerPresent(): boolean {
  return context.with(PROBE_CONTEXT, () => context.active() === PROBE_CONTEXT);
}

/** homeostat's tracer (the no-op one while tracing is off). */
export function tracer(): Tracer {
  return (tracerInstance ??= trace.getTracer(TRACER_NAME));
}

/**
 * Run `fn` inside a new span named `name` (a child of the active one), ending it when `fn`
 * settles: a thrown error is recorded on it. Tracing off: `fn(undefined)`, nothing else.
 * @example await traced('homeostat.action', { 'homeostat.action.kind': 'restart' }, async (span) => { …; span?.setAttribute('homeostat.action.outcome', 'ok'); })
 */
export function traced<T>(name: string, attributes: Attributes, fn: (span: Span | undefined) => Promise<T>): Promise<T> {
  if (!active) return fn(undefined);
  return tracer().startActiveSpan(name, { attributes }, async (span) => {
    try {
      return await fn(span);
    } catch (error) {
      failSpan(span, error);
      throw error;
    } finally {
      span.end();
    }
  });
}

/** Mark `span` failed by `error` (its code, when it has one, as `homeostat.error.code`). */
export function failSpan(span: Span, error: unknown): void {
  const message = error instanceof Error ? error.message : String(error);
  span.setStatus({ code: SpanStatusCode.ERROR, message });
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'string') span.setAttribute('homeostat.error.code', code);
  if (error instanceof Error) span.recordException(error);
}

/**
 * W3C Trace Context headers (`traceparent`, `tracestate`) of the active span, for outgoing
 * HTTP; empty while tracing is off or outside any span.
 * @example fetch(url, { headers: { 'content-type': 'application/json', ...traceHeaders() } })
 */
export function traceHeaders(within: Context = context.active()): Readonly<Record<string, string>> {
  if (!active) return NOTHING;
  const carrier: Record<string, string> = {};
  propagation.inject(within, carrier);
  return carrier.traceparent ? carrier : NOTHING;
}

/** The context a stored `traceparent` (and `tracestate`) continue; the root context without one. */
export function contextFrom(traceparent: string | null | undefined, tracestate?: string | null): Context {
  if (!traceparent) return ROOT_CONTEXT;
  return propagation.extract(ROOT_CONTEXT, tracestate ? { traceparent, tracestate } : { traceparent });
}

/** `trace_id` and `span_id` of the active span, for log lines; undefined outside a span or with tracing off. */
export function activeTraceIds(): { trace_id: string; span_id: string } | undefined {
  if (!active) return undefined;
  const spanContext = trace.getActiveSpan()?.spanContext();
  if (!spanContext || !isSpanContextValid(spanContext)) return undefined;
  return { trace_id: spanContext.traceId, span_id: spanContext.spanId };
}
