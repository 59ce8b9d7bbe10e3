// RFC 6962 Merkle tree hashing in the browser, with WebCrypto's SHA-256 (API.md, "The Merkle tree
// and signed checkpoints"): the console checks a proof itself rather than trusting the server's
// word. Leaf i is the event at position i + 1:
//   leaf hash  = SHA-256(0x00 ‖ the event's stored envelope bytes)
//   inner node = SHA-256(0x01 ‖ left ‖ right)

// WebCrypto exists only in a secure context: HTTPS, or http://127.0.0.1 / localhost.
export function webCryptoAvailable() {
  return Boolean(globalThis.crypto?.subtle);
}

export function hexToBytes(hex) {
  if (!/^([0-9a-f]{2})*$/i.test(hex)) throw new Error(`not hex: ${hex}`);
  const bytes = new Uint8Array(hex.length / 2);
  for (let i = 0; i < bytes.length; i++) bytes[i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return bytes;
}

export function bytesToHex(bytes) {
  return Array.from(bytes, (byte) => byte.toString(16).padStart(2, '0')).join('');
}

export function base64ToBytes(text) {
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

export async function sha256(...parts) {
  const length = parts.reduce((sum, part) => sum + part.length, 0);
  const joined = new Uint8Array(length);
  let offset = 0;
  for (const part of parts) {
    joined.set(part, offset);
    offset += part.length;
  }
  return new Uint8Array(await crypto.subtle.digest('SHA-256', joined));
}

export const leafHash = (envelope) => sha256(Uint8Array.of(0x00), envelope);
export const nodeHash = (left, right) => sha256(Uint8Array.of(0x01), left, right);

// The root that an inclusion path gives for `leaf` (a leaf hash) at `leafIndex` in a tree of
// `treeSize` leaves: RFC 6962 §2.1.1's PATH, checked as RFC 9162 §2.1.3.2 spells it out. Returns
// {root} (bytes), or {problem} when the path cannot belong to such a tree (too short or too long).
export async function rootFromInclusionPath(leafIndex, treeSize, leaf, path) {
  if (!(leafIndex < treeSize)) return { problem: `leaf ${leafIndex} is not in a tree of ${treeSize}` };
  // fn: the node's index on its level; sn: the last index on that level.
  let fn = BigInt(leafIndex);
  let sn = BigInt(treeSize) - 1n;
  let root = leaf;
  for (const sibling of path) {
    if (sn === 0n) return { problem: 'the path is longer than the tree is high' };
    if ((fn & 1n) === 1n || fn === sn) {
      // A right child, or the last node of its level (whose sibling is the left one).
      root = await nodeHash(sibling, root);
      if ((fn & 1n) === 0n) {
        // The last node of its level with no right sibling: it moves up unchanged.
        while ((fn & 1n) === 0n && fn !== 0n) {
          fn >>= 1n;
          sn >>= 1n;
        }
      }
    } else {
      root = await nodeHash(root, sibling);
    }
    fn >>= 1n;
    sn >>= 1n;
  }
  if (sn !== 0n) return { problem: 'the path is shorter than the tree is high' };
  return { root };
}

export function equalBytes(a, b) {
  return a.length === b.length && a.every((byte, i) => byte === b[i]);
}
