// Access history: who could reach a product, when, and why (GET /v1/access-history), drawn as a
// Gantt chart by hand in SVG — one lane per user and reason — with the exact intervals below it.
import { getJson, segment } from '../api.js';
import { errorBox, fill, h, instant, section, svg, table } from '../dom.js';
import { asOfField, viewForm } from '../form.js';
import { rememberOrg } from '../recent.js';
import { millis } from '../time.js';

export const title = 'Access history';

const KINDS = {
  role: 'role', team: 'team', direct_grant: 'direct grant', support_grant: 'support grant', partner: 'partner',
};

export function render(main, params, signal) {
  const org = params.get('org') || '';
  const product = params.get('product') || '';
  const from = params.get('from') || '';
  const to = params.get('to') || '';
  const axis = params.get('axis') === 'position' ? 'position' : 'time';
  const form = viewForm('access', params, [
    { name: 'org', label: 'Organization', value: org, required: true, placeholder: 'acme' },
    { name: 'product', label: 'Product', value: product, required: true, suggestions: true, placeholder: 'p-mail' },
    { name: 'from', label: 'From', value: from, placeholder: 'the beginning, or a position or instant', asOf: true,
      clearLabel: 'beginning' },
    asOfField('to', 'As of', to),
    { name: 'axis', label: 'Axis', value: axis, options: [['time', 'time'], ['position', 'log position']] },
  ]);
  const body = h('div', { class: 'view-body' });
  fill(main, h('h1', { text: title }), form.element, body);
  if (org) {
    getJson(`/v1/orgs/${segment(org)}`, { signal })
      .then((details) => form.suggest('product', details.products.map((p) => p.product)))
      .catch(() => {});  // only suggestions: the question below reports its own errors
  }
  if (!org || !product) {
    body.append(h('p', { class: 'hint', text: 'Name an organization and one of its products.' }));
    return;
  }
  rememberOrg(org);
  body.append(h('p', { class: 'loading', text: 'Loading…' }));
  getJson('/v1/access-history', { params: { org, product, from, to }, signal }).then((history) => {
    const end = { position: history.as_of_position + 1, time: endTime(to) };
    fill(body,
      h('div', { class: 'summary muted', text:
        `${history.intervals.length} intervals of ${new Set(history.intervals.map((i) => i.user)).size} users on ${product} in ${org}, as of position ${history.as_of_position}` }),
      section('Who could reach it', legend(), gantt(history.intervals, axis, end)),
      section('Intervals', table([
        ['User', (i) => h('code', { text: i.user })],
        ['Why', (i) => h('span', { class: `via-kind kind-${i.via.kind}` }, reason(i.via))],
        ['From', (i) => [instant(i.from), h('span', { class: 'muted', text: ` #${i.from_position}` })]],
        ['To', (i) => (i.to ? [instant(i.to), h('span', { class: 'muted', text: ` #${i.to_position}` })]
          : h('span', { class: 'open', text: 'still open' }))],
      ], history.intervals, { empty: 'Nobody could reach it.', rowClass: () => 'interval' })));
  }).catch((error) => {
    if (!signal.aborted) fill(body, errorBox(error));
  });
}

// The chart's right edge on the time axis: the as-of instant, else now.
function endTime(to) {
  if (to && !/^\d+$/.test(to)) return millis(to);
  return Date.now();
}

// "role administrator", "team web", "grant g1", "partner resell", "direct grant".
function reason(via) {
  const detail = via.role || via.team || via.grant || via.partner_org || '';
  return `${KINDS[via.kind] || via.kind}${detail ? ` ${detail.replace('_', ' ')}` : ''}`;
}

function legend() {
  return h('div', { class: 'legend' }, Object.entries(KINDS).map(([kind, label]) =>
    h('span', { class: 'legend-item' }, h('span', { class: `swatch kind-${kind}` }), label)));
}

// The chart: rows grouped by user, one lane per distinct reason, bars from `from` to `to` (or to
// the right edge, faded, while still open). On the time axis a bar is at least a few pixels wide,
// so an interval of a moment still shows; the position axis spreads commands evenly.
function gantt(intervals, axis, end) {
  if (!intervals.length) return h('p', { class: 'empty', text: 'Nobody could reach it in this window.' });
  const lanes = new Map();  // user + reason → intervals
  for (const interval of [...intervals].sort((a, b) => a.user.localeCompare(b.user) || a.from_position - b.from_position)) {
    const key = `${interval.user}\u0000${reason(interval.via)}`;
    if (!lanes.has(key)) lanes.set(key, { user: interval.user, why: reason(interval.via), kind: interval.via.kind, items: [] });
    lanes.get(key).items.push(interval);
  }
  const start = (i) => (axis === 'time' ? millis(i.from) : i.from_position);
  const stop = (i) => (axis === 'time' ? (i.to ? millis(i.to) : end.time) : (i.to_position ?? end.position));
  const low = Math.min(...intervals.map(start));
  const high = Math.max(end[axis], ...intervals.map(stop));
  const span = Math.max(high - low, 1);

  const labelWidth = 260;
  const width = 1100;
  const plot = width - labelWidth - 20;
  const laneHeight = 28;
  const top = 30;
  const height = top + lanes.size * laneHeight + 10;
  const x = (value) => labelWidth + ((value - low) / span) * plot;
  const chart = svg('svg', { class: 'gantt', viewBox: `0 0 ${width} ${height}`, role: 'img',
    'aria-label': 'access intervals by user and reason' });

  for (const tick of ticks(low, high, axis)) {
    chart.append(svg('line', { class: 'grid', x1: x(tick.value), x2: x(tick.value), y1: top - 6, y2: height - 6 }),
      svg('text', { class: 'tick', x: x(tick.value), y: top - 12, 'text-anchor': 'middle' }, tick.label));
  }
  let row = 0;
  let previousUser = null;
  for (const lane of lanes.values()) {
    const y = top + row * laneHeight;
    if (lane.user !== previousUser) {
      if (previousUser !== null) chart.append(svg('line', { class: 'separator', x1: 0, x2: width, y1: y, y2: y }));
      chart.append(svg('text', { class: 'user', x: 8, y: y + 18 }, lane.user));
      previousUser = lane.user;
    }
    chart.append(svg('text', { class: 'why', x: labelWidth - 8, y: y + 18, 'text-anchor': 'end' }, lane.why));
    for (const interval of lane.items) {
      const left = x(start(interval));
      const barWidth = Math.max(x(stop(interval)) - left, 4);
      const open = !interval.to;
      chart.append(svg('rect', {
        class: `bar kind-${lane.kind}${open ? ' open' : ''}`, x: left, y: y + 5, width: barWidth, height: laneHeight - 10, rx: 3,
        dataset: { user: interval.user, kind: interval.via.kind },
      }, svg('title', {}, `${interval.user}: ${lane.why}\nfrom ${interval.from} (#${interval.from_position})\n` +
        (open ? 'still open' : `to ${interval.to} (#${interval.to_position})`))));
    }
    row++;
  }
  return h('div', { class: 'chart' }, chart);
}

// About six evenly spaced ticks, labelled as times or positions.
function ticks(low, high, axis) {
  const out = [];
  const count = 6;
  for (let i = 0; i <= count; i++) {
    const value = low + ((high - low) * i) / count;
    out.push({ value, label: axis === 'time' ? timeLabel(value, high - low) : `#${Math.round(value)}` });
  }
  return out;
}

function timeLabel(ms, span) {
  const iso = new Date(ms).toISOString();
  if (span < 60e3) return iso.slice(11, 23);  // seconds and milliseconds
  if (span < 2 * 86400e3) return iso.slice(11, 19);
  return iso.slice(0, 10);
}
