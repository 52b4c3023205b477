#!/usr/bin/env python3
"""Verifies an ltops audit log or evidence file without ltops: the DPO's own check.

    python3 scripts/verify-audit.py evidence.jsonl

Exit 0 and the head when intact; exit 1 naming the first broken seq otherwise.
"""
import hashlib
import json
import sys

prev, expected, head = "0" * 64, 1, None
for line in open(sys.argv[1], encoding="utf-8"):
    if not line.strip():
        continue
    e = json.loads(line)
    if "ltops_export" in e:  # the trailer of an evidence file
        head = e["ltops_export"]["head"]
        break
    h = e.pop("hash")
    enc = json.dumps(e, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    if hashlib.sha256(enc).hexdigest() != h:
        sys.exit(f"seq {e['seq']}: modified")
    if e["seq"] != expected:
        sys.exit(f"seq {expected}: missing or out of order")
    if e["prev_hash"] != prev:
        sys.exit(f"seq {e['seq']}: does not link to its predecessor")
    prev, expected = h, expected + 1
if head is not None and (head["seq"], head["hash"]) != (expected - 1, prev):
    sys.exit(f"the chain ends at seq {expected - 1}, the export says {head['seq']}")
print(f"intact: {expected - 1} events, head {expected - 1}:{prev}")
