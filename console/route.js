// Where the console is: the URL's hash, `#/<view>?<name>=<value>&…`. A view's hash says all it
// shows (organization, as-of point, filters), so copying the address reproduces the view. The
// token is never part of it (session.js).

export const VIEWS = ['org', 'timeline', 'access', 'abuse', 'integrity'];

// {view, params: URLSearchParams} of the current address; the first view when none is named.
export function current() {
  const hash = location.hash.replace(/^#\/?/, '');
  const question = hash.indexOf('?');
  const name = question < 0 ? hash : hash.slice(0, question);
  const params = new URLSearchParams(question < 0 ? '' : hash.slice(question + 1));
  return { view: VIEWS.includes(name) ? name : VIEWS[0], params };
}

// The hash of `view` with the non-empty `params` (an object or URLSearchParams).
export function hashOf(view, params = {}) {
  const query = new URLSearchParams();
  const entries = params instanceof URLSearchParams ? params.entries() : Object.entries(params);
  for (const [name, value] of entries) {
    if (value !== undefined && value !== null && value !== '') query.set(name, String(value));
  }
  const text = query.toString();
  return `#/${view}${text ? `?${text}` : ''}`;
}

// The full address of a view, for the "link to this view" of each page.
export function linkTo(view, params) {
  return `${location.origin}/${hashOf(view, params)}`;
}

// Shows `view` with `params`: a new history entry, so Back returns to the previous question.
export function go(view, params) {
  const hash = hashOf(view, params);
  if (location.hash === hash) window.dispatchEvent(new HashChangeEvent('hashchange'));
  else location.hash = hash;
}
