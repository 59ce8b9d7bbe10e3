// Signed checkpoints (API.md; C2SP tlog-checkpoint in a C2SP signed note):
//   body      := origin "\n" tree-size "\n" base64(root hash) "\n"
//   note      := body "\n" signature-line+
//   signature := "— " origin " " base64(key id[4] ‖ Ed25519 signature[64]) "\n"
// key id := the first 4 bytes of SHA-256(origin ‖ "\n" ‖ 0x01 ‖ the 32-byte public key).
import { base64ToBytes, bytesToHex, equalBytes, sha256 } from './merkle.js';

// {origin, size, rootHex, body (the signed bytes), signatures: [{name, keyId, signature}]}, or
// throws when the text is not a checkpoint.
export function parseCheckpoint(text) {
  const split = text.indexOf('\n\n');
  if (split < 0) throw new Error('no blank line between the body and its signatures');
  const bodyText = text.slice(0, split + 1);
  const lines = bodyText.split('\n');
  if (lines.length !== 4 || !/^\d+$/.test(lines[1])) throw new Error('the body is not origin, size and root');
  const root = base64ToBytes(lines[2]);
  if (root.length !== 32) throw new Error('the root hash is not 32 bytes');
  const signatures = [];
  for (const line of text.slice(split + 2).split('\n')) {
    if (!line) continue;
    const match = /^\u2014 (\S+) (\S+)$/.exec(line);
    if (!match) throw new Error(`not a signature line: ${line}`);
    const bytes = base64ToBytes(match[2]);
    if (bytes.length !== 68) continue;  // not an Ed25519 signature: someone else's, ignored
    signatures.push({ name: match[1], keyId: bytes.slice(0, 4), signature: bytes.slice(4) });
  }
  return { origin: lines[0], size: Number(lines[1]), rootHex: bytesToHex(root),
    body: new TextEncoder().encode(bodyText), signatures };
}

// The origin and 32-byte public key of a verifier key "<origin>+<8 hex key id>+<base64(0x01 ‖ key)>".
export function parseVerifierKey(text) {
  const parts = text.trim().split('+');
  if (parts.length < 3) throw new Error('a verifier key is origin+keyid+key');
  const encoded = base64ToBytes(parts.at(-1));
  if (encoded.length !== 33 || encoded[0] !== 0x01) throw new Error('the key is not an Ed25519 key (0x01 ‖ 32 bytes)');
  return { origin: parts.slice(0, -2).join('+'), publicKey: encoded.slice(1) };
}

// Whether the checkpoint carries a valid Ed25519 signature by `publicKey` under its own origin:
// {ok: true} or {ok: false, reason}. Browsers without WebCrypto Ed25519 say so (ok: null).
export async function verifyCheckpoint(checkpoint, origin, publicKey) {
  if (checkpoint.origin !== origin) return { ok: false, reason: `the checkpoint's origin is ${checkpoint.origin}, the key's ${origin}` };
  const keyId = (await sha256(new TextEncoder().encode(`${origin}\n`), Uint8Array.of(0x01), publicKey)).slice(0, 4);
  const mine = checkpoint.signatures.filter((s) => s.name === origin && equalBytes(s.keyId, keyId));
  if (!mine.length) return { ok: false, reason: 'no signature by this key' };
  let key;
  try {
    key = await crypto.subtle.importKey('raw', publicKey, { name: 'Ed25519' }, false, ['verify']);
  } catch (error) {
    return { ok: null, reason: `this browser cannot check Ed25519 signatures (${error.message})` };
  }
  for (const { signature } of mine) {
    if (await crypto.subtle.verify({ name: 'Ed25519' }, key, signature, checkpoint.body)) return { ok: true };
  }
  return { ok: false, reason: 'the signature does not verify' };
}
