/** Prices of one model per million tokens, in the config's currency. */
export interface ModelPrice {
  inputPerMillion: number;
  outputPerMillion: number;
}

/**
 * The cost of `input` and `output` tokens in micro-units (currency × 10⁶), rounded up, so
 * ledger sums are exact integers and a budget is never under-counted.
 * @example costMicros({ inputPerMillion: 0.15, outputPerMillion: 0.6 }, 1000, 500) // 450
 */
export function costMicros(price: ModelPrice, input: number, output: number): number {
  return Math.ceil(input * price.inputPerMillion + output * price.outputPerMillion);
}

/** A rough token count of text before the provider tells the real one: ~4 characters a token, rounded up. */
export function estimateTokens(text: string): number {
  return Math.ceil(text.length / 4);
}
