// Small helpers to build the page without innerHTML: every value from the server goes in as text,
// so nothing it holds (a name, a category, an id) can become markup or script.
import { millis } from './time.js';

// An HTML element. `attrs`: `class`, `text`, `on<event>` handlers, `dataset` (an object), and
// any other attribute; `null`/`false` attributes are left out. Children: nodes, strings, arrays.
export function h(tag, attrs = {}, ...children) {
  return build(document.createElement(tag), attrs, children);
}

// An SVG element (the access-history chart).
export function svg(tag, attrs = {}, ...children) {
  return build(document.createElementNS('http://www.w3.org/2000/svg', tag), attrs, children);
}

function build(element, attrs, children) {
  for (const [name, value] of Object.entries(attrs || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (name === 'text') element.textContent = value;
    else if (name === 'dataset') Object.assign(element.dataset, value);
    else if (name.startsWith('on') && typeof value === 'function') element.addEventListener(name.slice(2), value);
    else element.setAttribute(name, value === true ? '' : String(value));
  }
  append(element, children);
  return element;
}

function append(element, children) {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    if (Array.isArray(child)) append(element, child);
    else element.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

// Replaces the children of `element`.
export function fill(element, ...children) {
  element.replaceChildren();
  append(element, children);
  return element;
}

// "2026-11-22 09:14:03 UTC", the full microsecond instant in its tooltip; '—' for null.
export function instant(iso) {
  if (!iso) return h('span', { class: 'muted', text: '—' });
  const shown = iso.replace('T', ' ').replace(/\.\d+Z$/, 'Z').replace(/Z$/, ' UTC');
  return h('time', { datetime: iso, title: iso, text: shown });
}

// The same instant on a Zurich wall clock: A7 counts business days there.
const zurich = new Intl.DateTimeFormat('en-GB', {
  timeZone: 'Europe/Zurich', weekday: 'short', day: '2-digit', month: 'short', hour: '2-digit', minute: '2-digit',
});
export function zurichTime(iso) {
  return iso ? `${zurich.format(new Date(millis(iso)))} Zurich` : '';
}

// "6d 23h 59m 58s": from the largest unit that is not zero, down to seconds (a countdown moves).
export function duration(ms) {
  let seconds = Math.floor(Math.abs(ms) / 1000);
  const days = Math.floor(seconds / 86400);
  seconds -= days * 86400;
  const hours = Math.floor(seconds / 3600);
  seconds -= hours * 3600;
  const minutes = Math.floor(seconds / 60);
  seconds -= minutes * 60;
  const parts = [];
  if (days) parts.push(`${days}d`);
  if (days || hours) parts.push(`${hours}h`);
  if (days || hours || minutes) parts.push(`${minutes}m`);
  parts.push(`${seconds}s`);
  return parts.join(' ');
}

// Runs `fn` now and every `ms` until `signal` aborts (the view is left).
export function every(ms, signal, fn) {
  fn();
  const timer = setInterval(fn, ms);
  signal.addEventListener('abort', () => clearInterval(timer), { once: true });
}

// A value that may be personal data (G3): what the API returned, as it returned it. "redacted"
// and "forgotten" are shown as such, never worked around.
export function personal(value) {
  if (value === 'redacted' || value === 'forgotten') {
    return h('span', { class: `badge hidden-${value}`, title: value === 'redacted'
      ? 'personal data: this token lacks the scope to see it (G3)'
      : 'personal data destroyed (G2)', text: value });
  }
  if (value && typeof value === 'object') {
    return Object.entries(value).map(([key, field]) => h('span', { class: 'pair' }, h('span', { class: 'key', text: key }), ' ', String(field)));
  }
  return value === null || value === undefined ? h('span', { class: 'muted', text: '—' }) : String(value);
}

// An API error as the user should read it: the status, the problem's code, its detail and rule.
export function errorBox(error) {
  if (error?.name === 'AbortError') return null;
  const status = error?.status ? `${error.status} ` : '';
  const code = error?.code || error?.name || 'error';
  return h('div', { class: 'error', role: 'alert' },
    h('strong', { text: `${status}${code}` }),
    error?.detail || error?.message ? ` — ${error.detail || error.message}` : '',
    error?.rule ? h('span', { class: 'rule', text: ` (rule ${error.rule})` }) : '');
}

// A table: `columns` are [heading, cell(row) → node|string]; an empty list says `empty`.
export function table(columns, rows, { empty = 'Nothing here.', rowClass } = {}) {
  if (!rows.length) return h('p', { class: 'empty', text: empty });
  return h('table', {},
    h('thead', {}, h('tr', {}, columns.map(([heading]) => h('th', { text: heading })))),
    h('tbody', {}, rows.map((row) => h('tr', { class: rowClass?.(row) || null },
      columns.map(([, cell]) => h('td', {}, cell(row)))))));
}

// A list of ids as small chips; '—' when empty.
export function chips(items) {
  if (!items || !items.length) return h('span', { class: 'muted', text: '—' });
  return items.map((item) => h('span', { class: 'chip', text: item }));
}

// A titled panel of the page.
export function section(title, ...children) {
  return h('section', { class: 'panel' }, h('h2', { text: title }), ...children);
}
