#!/usr/bin/env python3
"""Verifies an `orgledger export --format jsonl` file offline, for auditors.

    verify_export.py events.jsonl [--checkpoint FILE --public-key KEY]

The hash chain: each event's hash must be SHA-256(prev_hash || envelope bytes), and each prev_hash
the hash of the event before it (the first one's is given in the file).

With a checkpoint (`orgledger checkpoint`, or GET /v1/tree/checkpoint, a C2SP signed note) and
the log's verifier key (GET /v1/tree/public-key's "verifier_key"): the export, from position 1,
must give the checkpoint's RFC 6962 Merkle root over its first <size> events (leaf hash
SHA-256(0x00 || envelope), node SHA-256(0x01 || left || right)), and the checkpoint's Ed25519
signature must verify. The signature is checked with python3-cryptography, or with the `openssl`
command when that module is missing.

Exit 0 when everything holds; 1 naming what does not; 2 for unusable input.

What this proves is about the events' stored bytes (`envelope`): the other fields of a line are
their reading by orgledger, and are not checked against those bytes here.
"""
import argparse, base64, binascii, hashlib, json, os, re, subprocess, sys, tempfile

EM_DASH_PREFIX = "\u2014 "


def fail(message, code=1):
    print(message, file=sys.stderr)
    sys.exit(code)


class TreeRoot:
    """RFC 6962's MTH over leaves added in order, keeping only the tree's right edge."""

    def __init__(self):
        self.edge = []  # per level, a left node waiting for its sibling (or None)
        self.size = 0

    def add(self, leaf_hash):
        node, level, index = leaf_hash, 0, self.size
        while index & 1:
            node = hashlib.sha256(b"\x01" + self.edge[level] + node).digest()
            self.edge[level] = None
            index >>= 1
            level += 1
        if level == len(self.edge):
            self.edge.append(None)
        self.edge[level] = node
        self.size += 1

    def root(self):
        # The perfect subtrees of the size's binary decomposition, folded from the smallest.
        root = None
        for node in self.edge:
            if node is not None:
                root = node if root is None else hashlib.sha256(b"\x01" + node + root).digest()
        return root


def parse_checkpoint(text):
    body, separator, signatures = text.partition("\n\n")
    lines = body.split("\n")
    if not separator or len(lines) < 3 or not signatures.endswith("\n"):
        fail("the checkpoint is not a signed note (body, empty line, signature lines)", 2)
    if not re.fullmatch(r"0|[1-9][0-9]*", lines[1]) or int(lines[1]) >= 2**64:
        fail("the checkpoint's tree size is not a decimal number", 2)
    size = int(lines[1])
    try:
        root = base64.b64decode(lines[2], validate=True)
    except binascii.Error:
        fail("the checkpoint's root hash is not base64", 2)
    if len(root) != 32:
        fail("the checkpoint's root hash is not 32 bytes", 2)
    parsed = []
    for line in signatures[:-1].split("\n"):
        if not line.startswith(EM_DASH_PREFIX):
            fail("a signature line does not start with an em dash", 2)
        name, _, blob = line[len(EM_DASH_PREFIX):].partition(" ")
        try:
            parsed.append((name, base64.b64decode(blob, validate=True)))
        except binascii.Error:
            fail("a signature is not base64", 2)
    return (body + "\n").encode(), lines[0], size, root, parsed


def parse_verifier_key(text):
    name, _, rest = text.partition("+")
    key_id_hex, _, key_b64 = rest.partition("+")
    try:
        typed = base64.b64decode(key_b64, validate=True)
    except binascii.Error:
        typed = b""
    if not name or len(typed) != 33 or typed[0] != 1:
        fail("--public-key is not an Ed25519 verifier key <name>+<key id>+<key>", 2)
    key = typed[1:]
    key_id = hashlib.sha256(name.encode() + b"\n\x01" + key).digest()[:4]
    if key_id.hex() != key_id_hex:
        fail("--public-key: its key id does not match its name and key", 2)
    return name, key_id, key


def ed25519_verifies(key, message, signature):
    try:
        from cryptography.exceptions import InvalidSignature
        from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
    except ImportError:
        return openssl_verifies(key, message, signature)
    try:
        Ed25519PublicKey.from_public_bytes(key).verify(signature, message)
        return True
    except InvalidSignature:
        return False


def openssl_verifies(key, message, signature):
    # SubjectPublicKeyInfo of an Ed25519 key (RFC 8410): a fixed prefix, then the 32 bytes.
    der = bytes.fromhex("302a300506032b6570032100") + key
    with tempfile.TemporaryDirectory() as scratch:
        paths = {name: os.path.join(scratch, name) for name in ("key.der", "message", "signature")}
        for name, data in (("key.der", der), ("message", message), ("signature", signature)):
            with open(paths[name], "wb") as out:
                out.write(data)
        done = subprocess.run(["openssl", "pkeyutl", "-verify", "-pubin", "-keyform", "DER", "-inkey", paths["key.der"],
                               "-rawin", "-in", paths["message"], "-sigfile", paths["signature"]], capture_output=True)
        return done.returncode == 0


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("export")
    parser.add_argument("--checkpoint")
    parser.add_argument("--public-key")
    args = parser.parse_args()
    if bool(args.checkpoint) != bool(args.public_key):
        fail("--checkpoint and --public-key go together", 2)
    checkpoint = None
    if args.checkpoint:
        with open(args.checkpoint, encoding="utf-8") as note:
            checkpoint = parse_checkpoint(note.read())

    tree, root_at_size, previous, last = TreeRoot(), None, None, None
    for number, line in enumerate(open(args.export, encoding="utf-8"), start=1):
        try:
            event = json.loads(line)
            envelope = base64.b64decode(event["envelope"], validate=True)
            prev_hash = bytes.fromhex(event["prev_hash"])
            bytes.fromhex(event["hash"])
            int(event["position"])
        except (ValueError, KeyError, TypeError, binascii.Error) as error:
            fail(f"line {number} is not an exported event: {error!r}", 2)
        digest = hashlib.sha256(prev_hash + envelope).hexdigest()
        if (previous is not None and prev_hash != previous) or digest != event["hash"]:
            fail(f"broken at position {event['position']}")
        if checkpoint:
            if tree.size == 0 and event["position"] != 1:
                fail("a checkpoint is checked against an export from position 1 (--from 1)", 2)
            tree.add(hashlib.sha256(b"\x00" + envelope).digest())
            if tree.size == checkpoint[2]:
                root_at_size = tree.root()
        previous, last = bytes.fromhex(event["hash"]), event
    print(f"ok: {last['position']} {last['hash']}" if last else "ok: empty")

    if checkpoint:
        body, origin, size, root, signatures = checkpoint
        name, key_id, key = parse_verifier_key(args.public_key)
        ours = [blob for signer, blob in signatures if signer == name and blob[:4] == key_id]
        if not ours:
            fail(f"the checkpoint carries no signature by {name}")
        if not ed25519_verifies(key, body, ours[0][4:]):
            fail("the checkpoint's signature does not verify")
        if root_at_size is None:
            fail(f"the export holds {tree.size} events; the checkpoint covers {size}")
        if root_at_size != root:
            fail(f"the export's tree of size {size} has root {root_at_size.hex()}, not the checkpoint's {root.hex()}")
        print(f"checkpoint ok: {origin} size {size} root {root.hex()}, signature verified")


if __name__ == "__main__":
    main()
