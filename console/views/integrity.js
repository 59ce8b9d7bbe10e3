// Integrity: the hash chain's verify result (GET /v1/verify), the latest signed checkpoint, and an
// inclusion proof for any event, checked here in the browser: the event's stored bytes are hashed
// into its leaf (WebCrypto SHA-256), the path is folded up to a root, and that root is compared
// with the proof's and with the signed checkpoint's of the same tree size.
import { getJson, getText } from '../api.js';
import { errorBox, fill, h, instant, section } from '../dom.js';
import { viewForm } from '../form.js';
import { parseCheckpoint, parseVerifierKey, verifyCheckpoint } from '../checkpoint.js';
import { base64ToBytes, bytesToHex, equalBytes, hexToBytes, leafHash, rootFromInclusionPath, webCryptoAvailable } from '../merkle.js';

export const title = 'Integrity';

const VERIFY_KEY = 'orgledger.last-verify';

export function render(main, params, signal) {
  const position = params.get('position') || '';
  const verifierKey = params.get('verifier_key') || '';
  const form = viewForm('integrity', params, [
    { name: 'position', label: 'Prove event at position', value: position, placeholder: '7' },
    { name: 'verifier_key', label: 'Verifier key (optional)', value: verifierKey, wide: true,
      placeholder: "the log's key, as you hold it: origin+keyid+key" },
  ], { submitLabel: 'Prove' });
  const verifyPanel = h('div', {});
  const checkpointPanel = h('div', {}, h('p', { class: 'loading', text: 'Loading…' }));
  const proofPanel = h('div', {});
  fill(main, h('h1', { text: title }), form.element,
    h('div', { class: 'view-body' },
      section('Inclusion proof', proofPanel),
      section('Latest signed checkpoint', checkpointPanel),
      section('Hash chain', verifyPanel)));

  if (!webCryptoAvailable()) {
    fill(proofPanel, h('div', { class: 'error', text: 'WebCrypto is not available here: open the console over HTTPS or on 127.0.0.1.' }));
  }
  drawVerify(verifyPanel, signal);
  const checkpoint = loadCheckpoint(checkpointPanel, verifierKey, signal);
  if (!position) {
    fill(proofPanel, h('p', { class: 'hint', text: 'Give an event position to check that the log holds it.' }));
  } else if (webCryptoAvailable()) {
    prove(proofPanel, position, checkpoint, signal);
  }
}

// GET /v1/verify reads the whole log: run on demand, and the last result of this tab is kept.
function drawVerify(panel, signal) {
  const saved = JSON.parse(sessionStorage.getItem(VERIFY_KEY) || 'null');
  const run = h('button', { type: 'button', text: 'Run verify' });
  const result = h('div', {});
  fill(panel, result, run);
  const show = (entry) => {
    const r = entry.result;
    fill(result,
      h('div', { class: `verdict ${r.ok ? 'ok' : 'failed'}`, id: 'verify-result', text: r.ok ? 'verified' : 'FAILED' }),
      h('dl', { class: 'facts' },
        h('dt', { text: 'Events checked' }), h('dd', { text: r.checked }),
        h('dt', { text: 'Head' }), h('dd', {}, `#${r.head.position} `, h('code', { class: 'hash', text: r.head.hash })),
        r.tree_leaves_checked !== undefined ? [h('dt', { text: 'Merkle leaves checked' }), h('dd', { text: r.tree_leaves_checked })] : null,
        r.first_bad_position ? [h('dt', { text: 'First bad position' }), h('dd', { text: `#${r.first_bad_position}: ${r.problem || ''}` })] : null,
        r.first_bad_leaf !== undefined ? [h('dt', { text: 'First bad leaf' }), h('dd', { text: `${r.first_bad_leaf}: ${r.tree_problem || ''}` })] : null,
        h('dt', { text: 'Run at' }), h('dd', {}, instant(entry.at))));
  };
  const go = async () => {
    run.disabled = true;
    fill(result, h('p', { class: 'loading', text: 'Verifying the whole chain…' }));
    try {
      const entry = { result: await getJson('/v1/verify', { signal, costly: true }), at: new Date().toISOString() };
      sessionStorage.setItem(VERIFY_KEY, JSON.stringify(entry));
      show(entry);
    } catch (error) {
      if (!signal.aborted) fill(result, errorBox(error));
    } finally {
      run.disabled = false;
    }
  };
  run.addEventListener('click', go);
  if (saved) show(saved);
  else go();
}

// The checkpoint (public, no token), parsed, with its signature checked against the verifier key
// given in the form, else the server's own (which shows consistency, not trust: say so).
async function loadCheckpoint(panel, verifierKey, signal) {
  try {
    const text = await getText('/v1/tree/checkpoint', { signal });
    const checkpoint = parseCheckpoint(text);
    let key;
    let keySource;
    if (verifierKey) {
      key = parseVerifierKey(verifierKey);
      keySource = 'the verifier key you gave';
    } else {
      const published = await getJson('/v1/tree/public-key', { signal });
      key = { origin: published.origin, publicKey: base64ToBytes(published.public_key), verifierKey: published.verifier_key };
      keySource = "the server's own published key — compare its verifier key with the one you hold";
    }
    const signature = await verifyCheckpoint(checkpoint, key.origin, key.publicKey);
    fill(panel,
      h('dl', { class: 'facts' },
        h('dt', { text: 'Origin' }), h('dd', {}, h('code', { text: checkpoint.origin })),
        h('dt', { text: 'Tree size' }), h('dd', { id: 'checkpoint-size', text: checkpoint.size }),
        h('dt', { text: 'Root hash' }), h('dd', {}, h('code', { class: 'hash', text: checkpoint.rootHex })),
        h('dt', { text: 'Signature' }), h('dd', {},
          h('span', { class: `verdict small ${signature.ok ? 'ok' : signature.ok === null ? 'unknown' : 'failed'}`,
            text: signature.ok ? 'valid' : signature.ok === null ? 'not checked' : 'INVALID' }),
          ` Ed25519, by ${keySource}`, signature.reason ? ` (${signature.reason})` : ''),
        key.verifierKey ? [h('dt', { text: 'Verifier key' }), h('dd', {}, h('code', { class: 'hash', text: key.verifierKey }))] : null),
      h('pre', { class: 'checkpoint', text }));
    return { ...checkpoint, signatureOk: signature.ok };
  } catch (error) {
    if (!signal.aborted) fill(panel, errorBox(error));
    return null;
  }
}

// The proof, checked step by step; each step says what it compared.
async function prove(panel, positionText, checkpointPromise, signal) {
  const steps = h('ol', { class: 'steps' });
  const verdict = h('div', { id: 'proof-result', class: 'verdict pending', text: 'checking…' });
  fill(panel, verdict, steps);
  const step = (ok, text, detail) => {
    steps.append(h('li', { class: ok ? 'ok' : 'failed' }, h('span', { class: 'mark', text: ok ? '✓' : '✗' }), ` ${text}`,
      detail ? h('div', { class: 'detail' }, detail) : null));
    return ok;
  };
  const say = (kind, text, why) => {
    verdict.className = `verdict ${kind}`;
    verdict.textContent = text;
    if (why) verdict.append(h('span', { class: 'why', text: ` — ${why}` }));
  };
  // FAILED is for a proof that does not hold; a question that could not be asked is "not checked".
  const fail = (why) => say('failed', 'FAILED', why);
  const notChecked = (why) => say('unknown', 'not checked', why);
  try {
    if (!/^\d+$/.test(positionText) || Number(positionText) < 1) throw Object.assign(new Error(`a position is a positive integer, not "${positionText}"`), { code: 'invalid_argument' });
    const position = Number(positionText);
    const checkpoint = await checkpointPromise;
    // Against the signed tree when it holds the event; else the head's (newer than the checkpoint,
    // which is at most a second behind).
    const inSigned = checkpoint && position <= checkpoint.size;
    const proof = await getJson('/v1/tree/inclusion', { params: { position, tree_size: inSigned ? checkpoint.size : '' }, signal });
    const page = await getJson('/v1/events', { params: { from: position, limit: 1, envelope: 'true' }, signal, costly: true });
    const event = page.events[0];
    if (!step(event && event.position === position, `the log gives the event at position ${position}`,
      event ? h('span', {}, h('code', { text: event.type }), ` in ${event.stream}, recorded `, instant(event.recorded_at)) : null)) return fail('no such event');
    if (!event.envelope) {
      step(false, 'its stored bytes are withheld from this token (they hold personal data in clear, G4)');
      return notChecked('a token with personal_data can check this event');
    }
    const leaf = await leafHash(base64ToBytes(event.envelope));
    step(bytesToHex(leaf) === proof.leaf_hash, 'SHA-256(0x00 ‖ its stored bytes) is the proof\'s leaf hash',
      h('code', { class: 'hash', text: bytesToHex(leaf) }));
    const folded = await rootFromInclusionPath(proof.leaf_index, proof.tree_size, leaf, proof.path.map(hexToBytes));
    if (folded.problem) {
      step(false, `the path of ${proof.path.length} hashes does not fit a tree of ${proof.tree_size}: ${folded.problem}`);
      return fail(folded.problem);
    }
    const rootOk = equalBytes(folded.root, hexToBytes(proof.root_hash));
    step(rootOk, `the leaf and its path of ${proof.path.length} hashes give the root of the tree of ${proof.tree_size} leaves`,
      h('code', { class: 'hash', text: bytesToHex(folded.root) }));
    if (!rootOk) return fail('the computed root is not the tree\'s root');
    if (checkpoint && checkpoint.size === proof.tree_size) {
      const same = bytesToHex(folded.root) === checkpoint.rootHex;
      step(same, `that root is the signed checkpoint's (tree size ${checkpoint.size}, signature ${checkpoint.signatureOk ? 'valid' : 'not valid'})`);
      if (!same) return fail('the root differs from the signed checkpoint\'s');
    } else {
      steps.append(h('li', { class: 'note' }, `The event is newer than the latest checkpoint${checkpoint ? ` (size ${checkpoint.size})` : ''}: proven against the head's tree of ${proof.tree_size}; no signed root to compare yet.`));
    }
    say('ok', 'verified', `event #${position} is in the log's tree of ${proof.tree_size}`);
  } catch (error) {
    if (signal.aborted) return;
    notChecked(error.status ? `the server answered ${error.status}` : '');
    panel.append(errorBox(error));
  }
}
