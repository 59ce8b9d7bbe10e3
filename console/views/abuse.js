// Abuse SLA board: every report (open ones by default) with each stage's due time and status
// (A2, A4). The server counts the deadlines in business time (A7: Europe/Zurich, the holiday
// calendar); the board shows them as given and never computes one itself.
import { getJson } from '../api.js';
import { duration, errorBox, every, fill, h, instant, personal, section, table, zurichTime } from '../dom.js';
import { asOfField, viewForm } from '../form.js';
import { millis } from '../time.js';

export const title = 'Abuse SLA';

const STAGES = [
  ['acknowledgment', 'Acknowledgment'],
  ['assessment', 'Assessment'],
  ['investigation', 'Investigation'],
  ['corrective_actions', 'Corrective actions'],
];

export function render(main, params, signal) {
  const status = params.get('status') || 'open';
  const asOf = params.get('as_of') || '';
  const at = params.get('at') || '';
  const form = viewForm('abuse', params, [
    { name: 'status', label: 'Reports', value: status,
      options: [['open', 'open'], ['breached', 'breached'], ['at_risk', 'at risk'], ['all', 'all']] },
    asOfField('as_of', 'As of', asOf),
    { name: 'at', label: 'Deadlines at', value: at, asOf: true, placeholder: 'the as-of instant, else now',
      clearLabel: 'now' },
  ]);
  const body = h('div', { class: 'view-body' }, h('p', { class: 'loading', text: 'Loading…' }));
  fill(main, h('h1', { text: title }), form.element, body);
  // Every report as of a past point folds every report's stream: costly then (issue 11).
  getJson('/v1/abuse-reports', { params: { status: status === 'all' ? '' : status, as_of: asOf, at }, signal, costly: Boolean(asOf) })
    .then((answer) => draw(body, answer, !asOf && !at, signal))
    .catch((error) => {
      if (!signal.aborted) fill(body, errorBox(error));
    });
}

function draw(body, answer, live, signal) {
  const reports = answer.reports;
  const count = (wanted) => reports.filter((r) => Object.values(r.stages).some((s) => s.status === wanted)).length;
  const relative = [];
  fill(body,
    h('div', { class: 'tiles' },
      tile('reports', reports.length, ''),
      tile('breached', count('breached'), 'breached'),
      tile('at risk', count('at_risk'), 'at_risk'),
      h('div', { class: 'muted tile-note', text: `as of position ${answer.as_of_position}` +
        (answer.at ? ` · deadlines at ${answer.at}` : '') })),
    section('Reports', table([
      ['Report', (r) => h('code', { text: r.report })],
      ['Category', (r) => r.category],
      ['Received', (r) => instant(r.received_at)],
      ['Reporter', (r) => personal(r.reporter)],
      ['Target', (r) => r.target || h('span', { class: 'muted', text: '—' })],
      ...STAGES.map(([stage, label]) => [label, (r) => stageCell(r.stages[stage], live, relative)]),
    ], reports, { empty: 'No reports.', rowClass: (r) => {
      const statuses = Object.values(r.stages).map((s) => s.status);
      return statuses.includes('breached') ? 'report breached' : statuses.includes('at_risk') ? 'report at_risk' : 'report';
    } })));
  // At the head, "due in …" counts down on this browser's clock (a calendar difference only: the
  // status itself is the server's, A4).
  if (live) {
    every(1000, signal, () => {
      const now = Date.now();
      for (const cell of relative) {
        const left = millis(cell.dataset.due) - now;
        cell.textContent = left >= 0 ? `due in ${duration(left)}` : `due ${duration(left)} ago`;
      }
    });
  }
}

function tile(label, value, status) {
  return h('div', { class: `tile ${status}` }, h('div', { class: 'tile-value', text: value }), h('div', { text: label }));
}

function stageCell(stage, live, relative) {
  if (!stage) return h('span', { class: 'muted', text: '—' });
  const cell = h('div', { class: `stage stage-${stage.status}`, dataset: { status: stage.status } },
    h('span', { class: `status status-${stage.status}`, text: stage.status.replace('_', ' ') }),
    h('div', { class: 'due', title: 'due' }, instant(stage.due)),
    h('div', { class: 'muted small', text: zurichTime(stage.due) }));
  if (stage.done_at) cell.append(h('div', { class: 'small' }, 'done ', instant(stage.done_at)));
  else if (live && stage.status !== 'not_applicable') {
    const countdown = h('div', { class: 'small relative', dataset: { due: stage.due } });
    relative.push(countdown);
    cell.append(countdown);
  }
  return cell;
}
