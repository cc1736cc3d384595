import type { FinishReason, WireRequest } from './model-reply.js';

/** What a streamed answer has told so far. */
export interface StreamProgress {
  text: string;
  finish: FinishReason | undefined;
  usage: { input: number; output: number };
  /** The stream's own end marker arrived (`data: [DONE]`, `message_stop`): without it the answer is truncated. */
  ended: boolean;
}

/** One provider API's request and answer shapes: OpenAI chat completions or Anthropic messages. */
export interface WireFormat {
  /** Appended to the provider's `baseUrl`. */
  readonly path: string;
  headers(apiKey: string | undefined): Record<string, string>;
  body(request: WireRequest): unknown;
  /** A non-streamed answer's JSON → text, finish and usage. Throws a `server-error` ModelCallError on an unknown shape. */
  parseReply(json: unknown): { text: string; finish: FinishReason; usage: { input: number; output: number } };
  /**
   * Fold one server-sent event into the progress. Throws a `server-error` ModelCallError
   * for an error event in the stream.
   */
  onEvent(progress: StreamProgress, event: string | undefined, data: string): void;
}
