import type { ErrorCode } from '../errors/error-codes.js';
import { HomeostatError } from '../errors/homeostat-error.js';

/**
 * The API could not be reached, or stopped answering mid-request. `sent` says whether the
 * request may have reached the server: false only when the connection was refused, so
 * nothing can have been done.
 */
export class ApiUnreachableError extends HomeostatError {
  constructor(
    message: string,
    readonly sent: boolean,
    cause?: unknown,
  ) {
    super('HS_CLI_API_UNREACHABLE', message, { retryable: true, cause });
  }
}

/** The API answered with an error body `{ error: { code, message } }`; `code` is the server's. */
export class ApiAnswerError extends HomeostatError {
  constructor(
    code: string,
    message: string,
    readonly status: number,
  ) {
    // Relayed as the server sent it: a code of this registry, unless the server runs another version.
    super(code as ErrorCode, message, { retryable: false });
  }
}

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'DELETE';

/** Long enough for a config apply or a slow store; the caller's ctrl-C ends it sooner. */
const DEFAULT_TIMEOUT_MS = 30_000;

/**
 * A small client for homeostat's HTTP API over global `fetch`: bearer token, JSON in and
 * out, `{ error: { code, message } }` answers turned into {@link ApiAnswerError} with the
 * server's code, network failures into {@link ApiUnreachableError}.
 *
 * @example
 * const client = new ApiClient('http://127.0.0.1:4000', token); const { pauses } = await client.request<{ pauses: PauseRecord[] }>('GET', '/api/pauses');
 * @example
 * await new ApiClient(url, 'hst_bad').request('GET', '/api/pauses') // throws ApiAnswerError HS_API_UNAUTHORIZED (401)
 */
export class ApiClient {
  constructor(
    readonly baseUrl: string,
    private readonly token: string,
  ) {}

  async request<T>(method: HttpMethod, path: string, body?: unknown, options: { timeoutMs?: number } = {}): Promise<T> {
    const url = `${this.baseUrl.replace(/\/+$/, '')}${path}`;
    let response: Response;
    try {
      response = await fetch(url, {
        method,
        headers: { authorization: `Bearer ${this.token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        signal: AbortSignal.timeout(options.timeoutMs ?? DEFAULT_TIMEOUT_MS),
      });
    } catch (error) {
      throw unreachable(this.baseUrl, method, error);
    }
    let text: string;
    try {
      text = await response.text();
    } catch (error) {
      throw unreachable(this.baseUrl, method, error);
    }
    let parsed: unknown;
    try {
      parsed = text === '' ? {} : JSON.parse(text);
    } catch {
      throw new HomeostatError('HS_CLI_API_BAD_ANSWER', `${method} ${url} answered HTTP ${response.status} with something that is not JSON (is this a homeostat API?): ${text.slice(0, 120)}`);
    }
    if (response.ok) return parsed as T;
    const error = (parsed as { error?: { code?: unknown; message?: unknown } }).error;
    if (error && typeof error.code === 'string' && typeof error.message === 'string') {
      throw new ApiAnswerError(error.code, `${error.message} (HTTP ${response.status} from ${this.baseUrl})`, response.status);
    }
    throw new HomeostatError('HS_CLI_API_BAD_ANSWER', `${method} ${url} answered HTTP ${response.status} without an error body (is this a homeostat API?)`);
  }
}

function unreachable(baseUrl: string, method: string, error: unknown): ApiUnreachableError {
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  const name = (error as { name?: string }).name;
  if (cause?.code === 'ECONNREFUSED') return new ApiUnreachableError(`nothing answers at ${baseUrl} (connection refused)`, false, error);
  if (cause?.code === 'ENOTFOUND') return new ApiUnreachableError(`${baseUrl}: no such host`, false, error);
  if (name === 'TimeoutError') return new ApiUnreachableError(`${baseUrl} did not answer the ${method} in time`, true, error);
  return new ApiUnreachableError(`${baseUrl} stopped answering the ${method}: ${cause?.message ?? (error as Error).message}`, true, error);
}
