// The API token of this browser tab. It is pasted once and kept in sessionStorage: it lives as
// long as the tab, is never written to a URL (links carry the view, not the token), and is sent
// only in the Authorization header (api.js).
const KEY = 'orgledger.token';
const listeners = new Set();

export function token() {
  return sessionStorage.getItem(KEY) || '';
}

export function setToken(value) {
  const trimmed = value.trim();
  if (trimmed) sessionStorage.setItem(KEY, trimmed);
  else sessionStorage.removeItem(KEY);
  for (const listener of listeners) listener(trimmed);
}

export function forgetToken() {
  setToken('');
}

// Called with the new token (or '') whenever it changes; returns the unsubscribe function.
export function onTokenChange(listener) {
  listeners.add(listener);
  return () => listeners.delete(listener);
}
