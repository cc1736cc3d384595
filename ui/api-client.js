// Every call to /api/* with the bearer token; errors carry the API's { error: { code, message } }.

export class ApiError extends Error {
  constructor(status, code, message, path) {
    super(message);
    this.status = status;
    this.code = code;
    this.path = path;
  }

  /** "POST /api/approvals/x/approve: 403 HS_API_FORBIDDEN — this needs the operator role …" */
  describe() {
    return this.status === 0 ? this.message : `${this.path}: ${this.status} ${this.code} — ${this.message}`;
  }
}

/**
 * `getToken()` gives the current token; `onUnauthorized(error)` is told about a 401
 * (the app sends the user back to the sign-in form).
 */
export function createApiClient({ getToken, onUnauthorized }) {
  async function request(method, path, body) {
    const headers = { accept: 'application/json', authorization: `Bearer ${getToken() ?? ''}` };
    if (body !== undefined) headers['content-type'] = 'application/json';
    let response;
    try {
      response = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), cache: 'no-store' });
    } catch (error) {
      throw new ApiError(0, 'NETWORK', `cannot reach the homeostat API (${error.message}); is \`homeostat up\` still running?`, `${method} ${path}`);
    }
    let json;
    try {
      json = await response.json();
    } catch {
      json = undefined;
    }
    if (!response.ok) {
      const error = new ApiError(response.status, json?.error?.code ?? `HTTP_${response.status}`, json?.error?.message ?? response.statusText, `${method} ${path.split('?')[0]}`);
      if (response.status === 401) onUnauthorized(error);
      throw error;
    }
    return json;
  }
  return {
    get: (path) => request('GET', path),
    post: (path, body = {}) => request('POST', path, body),
  };
}
