#!/usr/bin/env python3
"""Verifies an `orgledger export --format jsonl` file with the Python standard library alone.

Each event's hash must be SHA-256(prev_hash || envelope bytes), and each prev_hash the hash of the
event before it (the first one's is given in the file). Exit 0 and the last position and hash when
the chain holds; exit 1 naming the first position that does not.
"""
import base64, hashlib, json, sys

previous = None
last = None
for line in open(sys.argv[1], encoding="utf-8"):
    event = json.loads(line)
    prev_hash = bytes.fromhex(event["prev_hash"])
    digest = hashlib.sha256(prev_hash + base64.b64decode(event["envelope"])).hexdigest()
    if (previous is not None and prev_hash != previous) or digest != event["hash"]:
        sys.exit(f"broken at position {event['position']}")
    previous, last = bytes.fromhex(event["hash"]), event
print(f"ok: {last['position']} {last['hash']}" if last else "ok: empty")
