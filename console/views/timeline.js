// Timeline: the organization's events (its stream, org:<id>) with their actor and `via` (D4),
// filtered by type and actor, as of a point — and, at the head, live over SSE (sse.js).
import { getJson } from '../api.js';
import { errorBox, fill, h, instant, personal } from '../dom.js';
import { asOfField, viewForm } from '../form.js';
import { rememberOrg } from '../recent.js';
import { subscribe } from '../sse.js';
import { micros } from '../time.js';

export const title = 'Timeline';

const PAGE = 500;
const PAGES_AT_ONCE = 5;  // then "Load more": a long stream is read a few pages at a time

export function render(main, params, signal) {
  const org = params.get('org') || '';
  const filters = { type: params.get('type') || '', actor: params.get('actor') || '' };
  const asOf = params.get('as_of') || '';
  const from = params.get('from') || '';
  const form = viewForm('timeline', params, [
    { name: 'org', label: 'Organization', value: org, placeholder: 'all streams when empty' },
    { name: 'type', label: 'Type', value: filters.type, placeholder: 'any', suggestions: true },
    { name: 'actor', label: 'Actor', value: filters.actor, placeholder: 'any', suggestions: true },
    { name: 'from', label: 'From position', value: from, placeholder: 'the first' },
    asOfField('as_of', 'As of', asOf),
  ]);
  const status = h('span', { class: 'live-status', role: 'status' });
  const rows = h('tbody');
  const more = h('div', { class: 'more' });
  const count = h('span', { class: 'muted' });
  const body = h('div', { class: 'view-body' },
    h('div', { class: 'toolbar' }, count, status),
    more,
    h('table', { class: 'events' },
      h('thead', {}, h('tr', {}, ['Position', 'Recorded', 'Type', 'Actor', 'Via', org ? null : 'Stream', 'Data']
        .filter(Boolean).map((heading) => h('th', { text: heading })))),
      rows));
  fill(main, h('h1', { text: title }), form.element, body);
  if (org) rememberOrg(org);

  const query = {
    stream: org ? `org:${org}` : '', type: filters.type, actor: filters.actor, limit: PAGE, from,
  };
  // As of a position or an instant: the events up to it (half a command is never shown, as the
  // log's positions are whole commands' ends for every event of one).
  const limit = asOfLimit(asOf);
  let shown = 0;
  const types = new Set();
  const actors = new Set();
  const show = (event, fresh) => {
    rows.prepend(eventRow(event, !org, fresh));  // newest first
    shown++;
    types.add(event.type);
    actors.add(event.actor);
    count.textContent = `${shown} event${shown === 1 ? '' : 's'}${org ? ` of org:${org}` : ''}${asOf ? ` as of ${asOf}` : ''}`;
  };
  count.textContent = 'Loading…';
  readPages(query, limit, show, more, signal).then((end) => {
    if (signal.aborted) return;
    form.suggest('type', [...types].sort());
    form.suggest('actor', [...actors].sort());
    if (shown === 0) count.textContent = 'No events.';
    if (asOf) {
      status.textContent = 'a past point: no live updates';
      return;
    }
    // The head is reached: everything after it arrives over SSE, filtered here as the query was.
    const wanted = (event) => (!org || event.stream === `org:${org}`) &&
      (!filters.type || event.type === filters.type) && (!filters.actor || event.actor === filters.actor);
    subscribe({ from: end, signal,
      onEvent: ({ data }) => { if (wanted(data)) show(data, true); },
      onStatus: (state, error) => {
        status.className = `live-status ${state}`;
        status.textContent = { connecting: 'connecting…', live: '● live', retrying: 'reconnecting…', stopped: 'live updates stopped' }[state];
        if (error) status.append(' ', errorBox(error));
      } });
  }).catch((error) => {
    if (!signal.aborted) fill(body, errorBox(error));
  });
}

// Reads pages forward until the head (or the as-of limit), a few pages at a time, then "Load
// more"; returns the position after the last one read (where live updates take over).
async function readPages(query, limit, show, more, signal) {
  let from = query.from || 1;
  for (let read = 1; ; read++) {
    // The head first: a page that ends before it was cut by the limit, not by the log's end.
    const head = (await getJson('/healthz', { signal })).head;
    const answer = await getJson('/v1/events', { params: { ...query, from }, signal, costly: true });
    for (const event of answer.events) {
      if (limit && limit(event)) return from;
      show(event, false);
    }
    from = answer.next;
    if (answer.events.length < query.limit && from > head) return from;
    if (read % PAGES_AT_ONCE === 0) {
      const goOn = await new Promise((resolve) => {
        fill(more, h('button', { type: 'button', text: `Load more (from position ${from})`, onclick: () => resolve(true) }));
        signal.addEventListener('abort', () => resolve(false), { once: true });
      });
      fill(more);
      if (!goOn) return from;
    }
  }
}

// A predicate saying an event lies past `asOf` (a position or an instant), or null for the head.
function asOfLimit(asOf) {
  if (!asOf) return null;
  if (/^\d+$/.test(asOf)) return (event) => event.position > Number(asOf);
  const until = micros(asOf);
  return (event) => micros(event.recorded_at) > until;
}

function eventRow(event, withStream, fresh) {
  const via = event.via;
  return h('tr', { class: fresh ? 'fresh' : null, dataset: { position: event.position, type: event.type } },
    h('td', { class: 'num', text: event.position }),
    h('td', {}, instant(event.recorded_at)),
    h('td', {}, h('span', { class: `event-type ${event.type === 'CommandRejected' ? 'rejected' : ''}`, text: event.type })),
    h('td', {}, h('code', { text: event.actor })),
    h('td', { class: 'via' }, via ? [h('code', { text: via.principal }), via.token ? h('span', { class: 'muted', text: ` token ${via.token}` }) : null]
      : h('span', { class: 'muted', title: 'recorded before D4', text: '—' })),
    withStream ? h('td', {}, h('code', { text: event.stream })) : null,
    h('td', { class: 'data' }, dataFields(event.data)));
}

// An event's data as "field value" pairs; personal fields show what the API gave (G3).
function dataFields(data) {
  if (!data || typeof data !== 'object') return personal(data);
  return Object.entries(data).map(([field, value]) => h('span', { class: 'field' },
    h('span', { class: 'key', text: field }), ' ',
    value === 'redacted' || value === 'forgotten' ? personal(value)
      : h('span', { text: typeof value === 'object' && value !== null ? JSON.stringify(value) : String(value) })));
}
