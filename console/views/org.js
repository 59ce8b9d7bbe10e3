// Organization: members with their roles and logins, teams, products, partner relations,
// renewals and the active support grants with a live countdown to their expiry (S2) — as of any
// position or instant (D3).
import { getJson, segment } from '../api.js';
import { chips, duration, errorBox, every, fill, h, instant, personal, section, table } from '../dom.js';
import { asOfField, viewForm } from '../form.js';
import { rememberOrg, rememberedOrgs } from '../recent.js';
import { millis } from '../time.js';

export const title = 'Organization';

const ROLE_ORDER = ['legal_representative', 'administrator', 'collaborator', 'external'];

export function render(main, params, signal) {
  const org = params.get('org') || '';
  const asOf = params.get('as_of') || '';
  const form = viewForm('org', params, [
    { name: 'org', label: 'Organization', value: org, required: true, suggestions: true, placeholder: 'acme' },
    asOfField('as_of', 'As of', asOf),
  ]);
  form.suggest('org', rememberedOrgs());
  const body = h('div', { class: 'view-body' });
  fill(main, h('h1', { text: title }), form.element, body);
  if (!org) {
    body.append(h('p', { class: 'hint', text: 'Name an organization to see its members, teams, products, partners, renewals and support grants.' }));
    return;
  }
  load(body, org, asOf, signal);
}

async function load(body, org, asOf, signal) {
  body.append(h('p', { class: 'loading', text: 'Loading…' }));
  const path = `/v1/orgs/${segment(org)}`;
  const query = { as_of: asOf };
  // C5 and a global as_of fold the whole state: the partners' question is costly then.
  const [details, partners, renewals, grants] = await Promise.allSettled([
    getJson(path, { params: query, signal }),
    getJson(`${path}/partners`, { params: query, signal, costly: Boolean(asOf) }),
    getJson(`${path}/renewals`, { params: query, signal }),
    getJson(`${path}/support-grants`, { params: { ...query, status: 'active' }, signal }),
  ]);
  if (signal.aborted) return;
  if (details.status === 'rejected') {
    fill(body, errorBox(details.reason));
    return;
  }
  rememberOrg(org);
  const d = details.value;
  const logins = new Map();
  fill(body,
    h('div', { class: 'summary' },
      h('div', {}, h('span', { class: 'big', text: d.name }), ' ', h('code', { text: d.org })),
      h('div', { class: 'muted' }, `as of position ${d.as_of_position} · created at position ${d.created_position} · `,
        `${count(d.members.length, 'member')} · ${count(d.products.length, 'product')} · ${count(d.teams.length, 'team')}`)),
    section('Members', membersTable(d, logins)),
    section('Teams', table([
      ['Team', (t) => h('code', { text: t.team })],
      ['Name', (t) => t.name],
      ['Leader', (t) => t.leader || h('span', { class: 'muted', text: '—' })],
      ['Members', (t) => chips(t.members)],
      ['Products', (t) => chips(t.products)],
      ['Since', (t) => `#${t.since_position}`],
    ], d.teams, { empty: 'No teams.' })),
    section('Products', table([
      ['Product', (p) => h('code', { text: p.product })],
      ['Kind', (p) => p.kind],
      ['Name', (p) => p.name],
      ['Expires', (p) => instant(p.expires_at)],
      ['Since', (p) => `#${p.since_position}`],
    ], d.products, { empty: 'No products.' })),
    section('Partners', settled(partners, (value) => partnersTable(org, value.relations))),
    section('Renewals', settled(renewals, (value) => renewalsTable(value.products))),
    section('Active support grants', settled(grants, (value) => grantsTable(value.grants, signal))));
  loadLogins(d.members.map((member) => member.user), asOf, logins, signal);
}

const count = (n, noun) => `${n} ${noun}${n === 1 ? '' : 's'}`;

// One part of the page failed: its error in its place, the rest shown.
function settled(result, draw) {
  return result.status === 'fulfilled' ? draw(result.value) : errorBox(result.reason);
}

function membersTable(d, logins) {
  const members = [...d.members].sort((a, b) =>
    ROLE_ORDER.indexOf(a.role) - ROLE_ORDER.indexOf(b.role) || a.user.localeCompare(b.user));
  return table([
    ['User', (m) => h('code', { text: m.user })],
    ['Login', (m) => {
      const cell = h('span', { class: 'login muted', dataset: { user: m.user }, text: '…' });
      logins.set(m.user, cell);
      return cell;
    }],
    ['Role', (m) => h('span', { class: `role role-${m.role}`, text: m.role.replace('_', ' ') })],
    ['Billing', (m) => (m.billing ? 'yes' : 'no')],
    ['Products', (m) => chips(m.products)],
    ['Teams', (m) => chips(m.teams)],
    ['Contact', (m) => chips(m.contact_prefs)],
  ], members, { empty: 'No members.' });
}

// U1/G3: each member's login through GET /v1/users/{user}, one at a time (a global as_of is a
// costly question). The API decides what this token sees: a login, "redacted" or "forgotten".
async function loadLogins(users, asOf, cells, signal) {
  for (const user of users) {
    if (signal.aborted) return;
    const cell = cells.get(user);
    try {
      const answer = await getJson(`/v1/users/${segment(user)}`, { params: { as_of: asOf }, signal, costly: Boolean(asOf) });
      fill(cell, personal(answer.login));
      cell.classList.remove('muted');
    } catch (error) {
      if (signal.aborted) return;
      fill(cell, h('span', { class: 'muted', title: error.detail || error.message, text: error.code || 'error' }));
    }
  }
}

function partnersTable(org, relations) {
  return table([
    ['Side', (r) => (r.client_org === org ? 'client' : 'partner')],
    ['Partner', (r) => h('code', { text: r.partner_org })],
    ['Client', (r) => h('code', { text: r.client_org })],
    ['Scope', (r) => (r.scope === 'full' ? h('span', { class: 'chip', text: 'full' }) : chips(r.scope))],
    ['Billing', (r) => (r.billing ? 'yes' : 'no')],
    ['Managers', (r) => chips(r.managers)],
    ['State', (r) => h('span', { class: `state state-${r.state}`, text: r.state })],
    ['Since', (r) => `#${r.since_position}`],
    ['Ended', (r) => (r.ended_position ? `#${r.ended_position}` : h('span', { class: 'muted', text: '—' }))],
  ], relations, { empty: 'No partner relations.' });
}

function renewalsTable(products) {
  return table([
    ['Product', (p) => h('code', { text: p.product })],
    ['Expires', (p) => instant(p.expires_at)],
    ['State', (p) => h('span', { class: `state state-${p.state}`, text: p.state })],
    ['Auto-renewal', (p) => (p.auto_renewal.enabled ? `on (${p.auto_renewal.payment_method})` : 'off')],
    ['First payment attempt', (p) => instant(p.auto_renewal.first_attempt_at)],
  ], products, { empty: 'No products.' });
}

// S2: a grant gives nothing from expires_at on; the countdown runs on this browser's clock.
function grantsTable(grants, signal) {
  const countdowns = [];
  const shown = table([
    ['Grant', (g) => h('code', { text: g.grant })],
    ['Scope', (g) => g.scope],
    ['Resource', (g) => g.resource || h('span', { class: 'muted', text: 'all' })],
    ['Ticket', (g) => g.ticket],
    ['Granted by', (g) => g.granted_by],
    ['Recorded', (g) => instant(g.recorded_at)],
    ['Expires', (g) => instant(g.expires_at)],
    ['Expires in', (g) => {
      const cell = h('span', { class: 'countdown', dataset: { expiresAt: g.expires_at } });
      countdowns.push(cell);
      return cell;
    }],
  ], grants, { empty: 'No active support grants.' });
  every(1000, signal, () => {
    const now = Date.now();
    for (const cell of countdowns) {
      const left = millis(cell.dataset.expiresAt) - now;
      cell.textContent = left > 0 ? duration(left) : `expired ${duration(left)} ago`;
      cell.classList.toggle('soon', left > 0 && left < 86400e3);
      cell.classList.toggle('over', left <= 0);
    }
  });
  return shown;
}
