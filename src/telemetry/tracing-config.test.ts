import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readTracingConfig, TracingConfigError } from './tracing-config.js';

test('off unless an exporter or an endpoint is asked for; OTEL_SDK_DISABLED and OTEL_TRACES_EXPORTER=none win', () => {
  assert.equal(readTracingConfig({}), undefined);
  assert.equal(readTracingConfig({ OTEL_SERVICE_NAME: 'x', OTEL_RESOURCE_ATTRIBUTES: 'a=b' }), undefined);
  assert.equal(readTracingConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318', OTEL_SDK_DISABLED: 'true' }), undefined);
  assert.equal(readTracingConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318', OTEL_TRACES_EXPORTER: 'none' }), undefined);
  assert.equal(readTracingConfig({ OTEL_TRACES_EXPORTER: 'otlp' })?.url, 'http://localhost:4318/v1/traces');
});

test('the general endpoint gets /v1/traces, the traces endpoint is used as is; headers, service name and resource attributes are read', () => {
  const general = readTracingConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318/', OTEL_EXPORTER_OTLP_HEADERS: 'authorization=Bearer%20abc, x-tenant=ops' })!;
  assert.equal(general.url, 'http://collector:4318/v1/traces');
  assert.deepEqual(general.headers, { authorization: 'Bearer abc', 'x-tenant': 'ops' });
  assert.equal(general.serviceName, 'homeostat');
  const specific = readTracingConfig({
    OTEL_EXPORTER_OTLP_ENDPOINT: 'http://ignored:4318',
    OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'https://collector/custom/path',
    OTEL_RESOURCE_ATTRIBUTES: 'deployment.environment=prod,service.name=from-attributes',
    OTEL_SERVICE_NAME: 'healer',
    OTEL_TRACES_SAMPLER: 'parentbased_traceidratio',
    OTEL_TRACES_SAMPLER_ARG: '0.25',
  })!;
  assert.equal(specific.url, 'https://collector/custom/path');
  assert.equal(specific.serviceName, 'healer', 'OTEL_SERVICE_NAME wins over service.name in the attributes');
  assert.equal(specific.resourceAttributes['deployment.environment'], 'prod');
  assert.deepEqual([specific.sampler, specific.samplerRatio], ['parentbased_traceidratio', 0.25]);
});

test('a value homeostat cannot follow is an error naming the variable', () => {
  const cases: [Record<string, string>, string, RegExp][] = [
    [{ OTEL_TRACES_EXPORTER: 'zipkin' }, 'OTEL_TRACES_EXPORTER', /"zipkin" is not an exporter/],
    [{ OTEL_EXPORTER_OTLP_ENDPOINT: 'collector:4318' }, 'OTEL_EXPORTER_OTLP_ENDPOINT', /not an http\(s\) URL|not a URL/],
    [{ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'not a url' }, 'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT', /not a URL/],
    [{ OTEL_TRACES_EXPORTER: 'otlp', OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc' }, 'OTEL_EXPORTER_OTLP_PROTOCOL', /"grpc" is not supported/],
    [{ OTEL_TRACES_EXPORTER: 'otlp', OTEL_EXPORTER_OTLP_HEADERS: 'novalue' }, 'OTEL_EXPORTER_OTLP_HEADERS', /not key=value/],
    [{ OTEL_TRACES_EXPORTER: 'otlp', OTEL_TRACES_SAMPLER: 'sometimes' }, 'OTEL_TRACES_SAMPLER', /not a sampler/],
    [{ OTEL_TRACES_EXPORTER: 'otlp', OTEL_TRACES_SAMPLER: 'traceidratio', OTEL_TRACES_SAMPLER_ARG: '2' }, 'OTEL_TRACES_SAMPLER_ARG', /not a ratio/],
  ];
  for (const [env, variable, message] of cases) {
    assert.throws(
      () => readTracingConfig(env),
      (error: unknown) => error instanceof TracingConfigError && error.code === 'HS_TRACING_CONFIG' && error.variable === variable && error.message.startsWith(`${variable}: `) && message.test(error.message),
      JSON.stringify(env),
    );
  }
});

test('the protocol: protobuf unless asked for JSON, the traces-specific variable winning over the general one', () => {
  const endpoint = { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' };
  assert.equal(readTracingConfig(endpoint)!.protocol, 'http/protobuf', 'the spec\'s default');
  assert.equal(readTracingConfig({ ...endpoint, OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json' })!.protocol, 'http/json');
  assert.equal(readTracingConfig({ ...endpoint, OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json', OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: 'http/protobuf' })!.protocol, 'http/protobuf');
  assert.equal(readTracingConfig({ ...endpoint, OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf', OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: 'http/json' })!.protocol, 'http/json');
});
