/**
 * A reader of OTLP trace exports in protobuf (`application/x-protobuf`, the encoding of
 * `OTEL_EXPORTER_OTLP_PROTOCOL=http/protobuf`), written from the protobuf wire format and
 * opentelemetry-proto's field numbers, so the tests' receiver checks what a collector would
 * decode rather than trusting the exporter's own serializer. Only the fields the tests read.
 */

export type AttributeValue = string | number | boolean;

export interface DecodedSpan {
  traceId: string;
  spanId: string;
  parentSpanId: string;
  name: string;
  attributes: Record<string, AttributeValue>;
  events: { name: string; attributes: Record<string, AttributeValue> }[];
}

export interface DecodedResourceSpans {
  resourceAttributes: Record<string, AttributeValue>;
  spans: DecodedSpan[];
}

/** One field of a message: its number and its value (a number, or the bytes of a length-delimited field). */
interface Field {
  number: number;
  varint?: bigint;
  fixed64?: Buffer;
  bytes?: Buffer;
}

function* fields(message: Buffer): Generator<Field> {
  let at = 0;
  const varint = (): bigint => {
    let value = 0n;
    for (let shift = 0n; ; shift += 7n) {
      if (at >= message.length) throw new Error('protobuf: a varint runs past the end of the message');
      const byte = message[at++]!;
      value |= BigInt(byte & 0x7f) << shift;
      if (!(byte & 0x80)) return value;
    }
  };
  while (at < message.length) {
    const key = Number(varint());
    const number = key >>> 3;
    switch (key & 7) {
      case 0:
        yield { number, varint: varint() };
        break;
      case 1:
        yield { number, fixed64: message.subarray(at, (at += 8)) };
        break;
      case 2: {
        const length = Number(varint());
        if (at + length > message.length) throw new Error('protobuf: a field runs past the end of the message');
        yield { number, bytes: message.subarray(at, (at += length)) };
        break;
      }
      case 5:
        at += 4;
        break;
      default:
        throw new Error(`protobuf: wire type ${key & 7} is not one OTLP uses`);
    }
  }
}

/** `AnyValue`: string 1, bool 2, int 3, double 4 (arrays, maps and bytes are not read here). */
function anyValue(message: Buffer): AttributeValue {
  for (const field of fields(message)) {
    if (field.number === 1 && field.bytes) return field.bytes.toString('utf8');
    if (field.number === 2 && field.varint !== undefined) return field.varint !== 0n;
    if (field.number === 3 && field.varint !== undefined) return Number(BigInt.asIntN(64, field.varint));
    if (field.number === 4 && field.fixed64) return field.fixed64.readDoubleLE(0);
  }
  return '';
}

/** Repeated `KeyValue` (key 1, value 2) into a flat record. */
function addAttribute(into: Record<string, AttributeValue>, message: Buffer): void {
  let key = '';
  let value: AttributeValue = '';
  for (const field of fields(message)) {
    if (field.number === 1 && field.bytes) key = field.bytes.toString('utf8');
    if (field.number === 2 && field.bytes) value = anyValue(field.bytes);
  }
  into[key] = value;
}

/** `Span`: trace id 1, span id 2, parent span id 4, name 5, attributes 9, events 11 (event: name 2, attributes 3). */
function span(message: Buffer): DecodedSpan {
  const decoded: DecodedSpan = { traceId: '', spanId: '', parentSpanId: '', name: '', attributes: {}, events: [] };
  for (const field of fields(message)) {
    if (!field.bytes) continue;
    if (field.number === 1) decoded.traceId = field.bytes.toString('hex');
    else if (field.number === 2) decoded.spanId = field.bytes.toString('hex');
    else if (field.number === 4) decoded.parentSpanId = field.bytes.toString('hex');
    else if (field.number === 5) decoded.name = field.bytes.toString('utf8');
    else if (field.number === 9) addAttribute(decoded.attributes, field.bytes);
    else if (field.number === 11) {
      const event = { name: '', attributes: {} as Record<string, AttributeValue> };
      for (const part of fields(field.bytes)) {
        if (part.number === 2 && part.bytes) event.name = part.bytes.toString('utf8');
        if (part.number === 3 && part.bytes) addAttribute(event.attributes, part.bytes);
      }
      decoded.events.push(event);
    }
  }
  return decoded;
}

/**
 * An `ExportTraceServiceRequest`: resource spans 1 (resource 1 → attributes 1; scope spans 2 → spans 2).
 * @example decodeTraceExport(body).flatMap((r) => r.spans.map((s) => s.name)) // ['homeostat.run.start', …]
 */
export function decodeTraceExport(body: Buffer): DecodedResourceSpans[] {
  const all: DecodedResourceSpans[] = [];
  for (const resourceSpans of fields(body)) {
    if (resourceSpans.number !== 1 || !resourceSpans.bytes) continue;
    const decoded: DecodedResourceSpans = { resourceAttributes: {}, spans: [] };
    for (const field of fields(resourceSpans.bytes)) {
      if (field.number === 1 && field.bytes) {
        for (const attribute of fields(field.bytes)) if (attribute.number === 1 && attribute.bytes) addAttribute(decoded.resourceAttributes, attribute.bytes);
      } else if (field.number === 2 && field.bytes) {
        for (const scopeField of fields(field.bytes)) if (scopeField.number === 2 && scopeField.bytes) decoded.spans.push(span(scopeField.bytes));
      }
    }
    all.push(decoded);
  }
  return all;
}
