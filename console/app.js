// The console's entry point: asks for the token once per tab, then draws the view the address
// names (route.js) and redraws it whenever the address changes. Leaving a view aborts what it
// started (requests, the live stream, countdowns) through its AbortSignal.
import { onUnauthenticated } from './api.js';
import { errorBox, fill, h } from './dom.js';
import { lastOrg } from './recent.js';
import { current, hashOf } from './route.js';
import { forgetToken, onTokenChange, setToken, token } from './session.js';
import * as abuse from './views/abuse.js';
import * as access from './views/access.js';
import * as integrity from './views/integrity.js';
import * as org from './views/org.js';
import * as timeline from './views/timeline.js';

const views = { org, timeline, access, abuse, integrity };
const main = document.getElementById('main');
const nav = document.getElementById('nav');
const tokenArea = document.getElementById('token-area');
let leaving = null;  // aborts the view on screen
let refusal = null;  // the last 401, shown with the token form

function draw() {
  leaving?.abort();
  leaving = new AbortController();
  const { view, params } = current();
  drawNav(view);
  drawTokenArea();
  if (!token()) {
    fill(main, tokenPrompt());
    return;
  }
  document.title = `${views[view].title} · orgledger`;
  try {
    views[view].render(main, params, leaving.signal);
  } catch (error) {
    fill(main, errorBox(error));
  }
}

// The views' links carry the organization last asked about, so moving between views keeps it.
const ORG_VIEWS = new Set(['org', 'timeline', 'access']);
const navHash = (view) => hashOf(view, ORG_VIEWS.has(view) ? { org: lastOrg() } : {});

function drawNav(active) {
  for (const link of nav.querySelectorAll('a[data-view]')) {
    const view = link.dataset.view;
    link.href = navHash(view);
    link.classList.toggle('active', view === active);
    if (view === active) link.setAttribute('aria-current', 'page');
    else link.removeAttribute('aria-current');
  }
}

function drawTokenArea() {
  if (!token()) {
    fill(tokenArea, h('span', { class: 'muted', text: 'no token' }));
    return;
  }
  fill(tokenArea,
    h('span', { class: 'token-state', title: 'kept in this tab only (sessionStorage), sent in the Authorization header', text: 'token set' }),
    h('button', { type: 'button', class: 'link-button', id: 'forget-token', onclick: forgetToken, text: 'forget' }));
}

// Pasting the token: no <form> submission at all, so it can never end up in a URL or a request
// other than the API's Authorization header.
function tokenPrompt() {
  const input = h('input', { type: 'password', id: 'token-input', autocomplete: 'off', spellcheck: 'false',
    placeholder: 'paste an API token (orgledger token create …)', size: 60 });
  const use = () => {
    if (input.value.trim()) {
      refusal = null;
      setToken(input.value);
    }
  };
  input.addEventListener('keydown', (event) => {
    if (event.key === 'Enter') use();
  });
  setTimeout(() => input.focus());
  return h('div', { class: 'token-prompt panel' },
    h('h1', { text: 'orgledger console' }),
    h('p', {}, 'Paste an API token to begin. It stays in this browser tab only and is sent in the ',
      h('code', { text: 'Authorization' }), ' header — never in an address. What you see depends on its scopes: ',
      h('code', { text: 'read' }), ' for organizations and abuse reports, ', h('code', { text: 'audit' }),
      ' for the timeline, access history and proofs, ', h('code', { text: 'personal_data' }), ' to see logins (G3).'),
    refusal ? errorBox(refusal) : null,
    h('div', { class: 'token-row' }, input, h('button', { type: 'button', class: 'primary', id: 'token-use', onclick: use, text: 'Use token' })),
    h('p', { class: 'muted small' }, 'Create one with ',
      h('code', { text: 'orgledger token create --name auditor --scopes read,audit' }), '.'));
}

// A refused token is dropped: the page asks for another and says why.
onUnauthenticated((error) => {
  refusal = error;
  forgetToken();
});
// A view may name a new organization after the links were drawn: they are brought up to date
// as they are followed (the browser follows the href as it is once the click is handled).
nav.addEventListener('click', (event) => {
  const link = event.target.closest('a[data-view]');
  if (link) link.href = navHash(link.dataset.view);
});
onTokenChange(draw);
window.addEventListener('hashchange', draw);
draw();
