"""Baseline for bench/parse.ts: Python's standard-library email package on the same files.

What the original integration is built on: email.message_from_bytes with the default policy,
then every part walked and its payload decoded. Times itself (warm-up first) and prints one
JSON line: {"files", "bytes", "iterations", "seconds", "mb_s"} for the best pass.
Usage: python3 bench/parse_baseline.py DIR [ITERATIONS]
"""
import email
import email.policy
import json
import os
import sys
import time


def parse_one(raw):
    msg = email.message_from_bytes(raw, policy=email.policy.default)
    for h in ("subject", "from", "to", "cc", "date"):
        msg.get(h)
    for part in msg.walk():
        if part.is_multipart():
            continue
        try:
            if part.get_content_maintype() == "text":
                part.get_content()
            else:
                part.get_payload(decode=True)
        except Exception:
            part.get_payload(decode=True)


def main():
    folder = sys.argv[1]
    iterations = int(sys.argv[2]) if len(sys.argv) > 2 else 5
    names = sorted(n for n in os.listdir(folder) if n.endswith(".eml"))
    blobs = []
    for n in names:
        with open(os.path.join(folder, n), "rb") as f:
            blobs.append(f.read())
    total = sum(len(b) for b in blobs)
    for raw in blobs:  # warm-up
        parse_one(raw)
    # Best of N passes, as timeit does: the machine is shared, the minimum is the least disturbed.
    best = float("inf")
    for _ in range(iterations):
        start = time.perf_counter()
        for raw in blobs:
            parse_one(raw)
        best = min(best, time.perf_counter() - start)
    print(json.dumps({
        "files": len(blobs),
        "bytes": total,
        "iterations": iterations,
        "seconds": best,
        "mb_s": total / best / 1e6,
    }))


if __name__ == "__main__":
    main()
