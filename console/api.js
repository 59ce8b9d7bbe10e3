// The HTTP API client (API.md): every request carries `Authorization: Bearer <token>` from this
// tab's session, never a token in the URL. Problems (application/problem+json) become ApiError,
// shown to the user as the server wrote them.
import { token } from './session.js';

export class ApiError extends Error {
  // status: the HTTP status (0 when the server could not be reached); the rest is the problem's.
  constructor(status, { code = '', title = '', detail = '', rule = '' } = {}) {
    super(detail || title || code || `HTTP ${status}`);
    this.status = status;
    this.code = code;
    this.title = title;
    this.detail = detail;
    this.rule = rule;
  }
}

const unauthenticatedListeners = new Set();
// Called with the ApiError of every 401: the page then asks for a token again.
export function onUnauthenticated(listener) {
  unauthenticatedListeners.add(listener);
}

// The server runs whole-state questions (event scans, verify, a global as_of) on a pool where
// each token may have only two under way (issue 11; more is 429). The console keeps one of them
// at a time, so the user's own scripts with the same token still get their turn.
class Gate {
  constructor(slots) {
    this.free = slots;
    this.waiting = [];
  }
  async enter(signal) {
    if (this.free > 0) {
      this.free--;
      return;
    }
    await new Promise((resolve, reject) => {
      const entry = { resolve };
      this.waiting.push(entry);
      signal?.addEventListener('abort', () => {
        this.waiting = this.waiting.filter((other) => other !== entry);
        reject(signal.reason);
      }, { once: true });
    });
  }
  leave() {
    const next = this.waiting.shift();
    if (next) next.resolve();
    else this.free++;
  }
}
const costlyGate = new Gate(1);

// `path` with the non-empty values of `params` as its query string.
export function withQuery(path, params = {}) {
  const query = new URLSearchParams();
  for (const [name, value] of Object.entries(params)) {
    if (value !== undefined && value !== null && value !== '') query.set(name, String(value));
  }
  const text = query.toString();
  return text ? `${path}?${text}` : path;
}

// One path segment of a URL (an org or user id may hold ':' or '@').
export const segment = (id) => encodeURIComponent(id);

const sleep = (ms, signal) => new Promise((resolve, reject) => {
  const timer = setTimeout(resolve, ms);
  signal?.addEventListener('abort', () => {
    clearTimeout(timer);
    reject(signal.reason);
  }, { once: true });
});

async function problemOf(response) {
  const text = await response.text();
  try {
    const body = JSON.parse(text);
    if (body && typeof body === 'object') return body;
  } catch {
    // not JSON: the status line says it all
  }
  return { code: `http_${response.status}`, detail: text.slice(0, 300) || response.statusText };
}

// GET `path` (with `params`) and returns the Response of a 2xx answer; throws ApiError otherwise.
// `costly`: the route is whole-state work (above). A 429 or 503 with Retry-After is retried a few
// times after the wait the server asked for (a costly query's share is briefly used up).
export async function request(path, { params = {}, signal, costly = false, headers = {} } = {}) {
  const url = withQuery(path, params);
  const auth = token();
  const sent = { Accept: 'application/json', ...headers };
  if (auth) sent.Authorization = `Bearer ${auth}`;
  for (let attempt = 0; ; attempt++) {
    if (costly) await costlyGate.enter(signal);
    let response;
    try {
      response = await fetch(url, { headers: sent, signal, cache: 'no-store' });
    } catch (error) {
      if (signal?.aborted) throw error;
      throw new ApiError(0, { code: 'network', detail: `the server could not be reached (${error.message})` });
    } finally {
      if (costly) costlyGate.leave();
    }
    if (response.ok) return response;
    const retryAfter = Number(response.headers.get('Retry-After'));
    if ((response.status === 429 || response.status === 503) && retryAfter > 0 && retryAfter <= 10 && attempt < 3) {
      await response.body?.cancel();
      await sleep(retryAfter * 1000, signal);
      continue;
    }
    const error = new ApiError(response.status, await problemOf(response));
    if (response.status === 401) for (const listener of unauthenticatedListeners) listener(error);
    throw error;
  }
}

export async function getJson(path, options) {
  return (await request(path, options)).json();
}

export async function getText(path, options) {
  return (await request(path, { ...options, headers: { Accept: 'text/plain' } })).text();
}
