import { finishReason } from './finish-reason.js';
import { ModelCallError } from './model-errors.js';
import type { WireRequest } from './model-reply.js';
import type { StreamProgress, WireFormat } from './wire-format.js';

/** The API version the request and event shapes below follow. */
const ANTHROPIC_VERSION = '2023-06-01';

interface AnthropicBody {
  content?: { type: string; text?: string }[];
  stop_reason?: string | null;
  usage?: { input_tokens?: number; output_tokens?: number };
}

interface AnthropicEvent {
  type?: string;
  message?: { usage?: { input_tokens?: number; output_tokens?: number } };
  delta?: { type?: string; text?: string; stop_reason?: string | null };
  usage?: { output_tokens?: number };
  error?: { type?: string; message?: string };
}

/**
 * Anthropic messages (`POST {baseUrl}/v1/messages`). System messages go in the top-level
 * `system` field, which is where this API wants them.
 */
export const anthropicWire: WireFormat = {
  path: '/v1/messages',

  headers(apiKey) {
    return { 'anthropic-version': ANTHROPIC_VERSION, ...(apiKey === undefined ? {} : { 'x-api-key': apiKey }) };
  },

  body(request: WireRequest) {
    const system = request.messages.filter((m) => m.role === 'system').map((m) => m.content);
    return {
      model: request.model,
      max_tokens: request.maxTokens,
      ...(system.length > 0 ? { system: system.join('\n\n') } : {}),
      messages: request.messages.filter((m) => m.role !== 'system'),
      ...(request.temperature === undefined ? {} : { temperature: request.temperature }),
      stream: request.stream,
    };
  },

  parseReply(json) {
    const body = json as AnthropicBody;
    if (!Array.isArray(body?.content)) throw new ModelCallError('server-error', 'the messages answer has no content array');
    return {
      text: body.content.filter((block) => block.type === 'text').map((block) => block.text ?? '').join(''),
      finish: finishReason(body.stop_reason),
      usage: { input: body.usage?.input_tokens ?? 0, output: body.usage?.output_tokens ?? 0 },
    };
  },

  onEvent(progress: StreamProgress, event, data) {
    let parsed: AnthropicEvent;
    try {
      parsed = JSON.parse(data) as AnthropicEvent;
    } catch {
      throw new ModelCallError('server-error', `a stream event is not JSON: ${data.slice(0, 80)}`);
    }
    switch (event ?? parsed.type) {
      case 'message_start':
        progress.usage = { input: parsed.message?.usage?.input_tokens ?? 0, output: parsed.message?.usage?.output_tokens ?? 0 };
        break;
      case 'content_block_delta':
        if (parsed.delta?.type === 'text_delta' && parsed.delta.text) progress.text += parsed.delta.text;
        break;
      case 'message_delta':
        if (parsed.delta?.stop_reason) progress.finish = finishReason(parsed.delta.stop_reason);
        if (parsed.usage?.output_tokens !== undefined) progress.usage = { ...progress.usage, output: parsed.usage.output_tokens };
        break;
      case 'message_stop':
        progress.ended = true;
        break;
      case 'error':
        throw new ModelCallError('server-error', `the stream carried an error: ${parsed.error?.type ?? 'error'}: ${parsed.error?.message ?? ''}`);
      default: // ping, content_block_start/stop
    }
  },
};
