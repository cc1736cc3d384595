/** One message of a conversation, in the shape both wire formats share. */
export interface ModelMessage {
  role: 'system' | 'user' | 'assistant';
  content: string;
}

/** Why a model stopped: normalised across wire formats (OpenAI `finish_reason`, Anthropic `stop_reason`). */
export type FinishReason = 'stop' | 'length' | 'tool' | 'content-filter' | 'other';

/** A model's answer, the same whichever provider and wire format produced it. */
export interface ModelReply {
  text: string;
  finish: FinishReason;
  usage: { input: number; output: number };
  provider: string;
  model: string;
}

/** What one attempt asks of one provider's model. */
export interface WireRequest {
  model: string;
  messages: ModelMessage[];
  maxTokens: number;
  temperature?: number;
  stream: boolean;
}
