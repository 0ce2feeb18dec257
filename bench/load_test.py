#!/usr/bin/env python3
"""A bounded load test of the desk: `watchdesk serve` in its own process on 127.0.0.1, requests
from this process. Reports requests/s, latency p50/p95 and errors (any non-200 is an error).

Usage: python bench/load_test.py [--db DB] [--requests 2000] [--concurrency 8] [--max-seconds 120]
Without --db it ingests the bundled sample into a temporary store. Only loopback is ever used.
"""
from __future__ import annotations

import argparse
import socket
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
WATCHDESK = Path(sys.executable).with_name("watchdesk")
PATHS = ["/", "/search?q=fighters", "/api/search?q=foreign+fighters", "/article/1", "/api/articles",
         "/api/entities?limit=20", "/api/graph", "/claims", "/api/claims", "/network", "/stories"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--db")
    ap.add_argument("--requests", type=int, default=2000)
    ap.add_argument("--concurrency", type=int, default=8)
    ap.add_argument("--max-seconds", type=float, default=120)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        db = args.db or str(Path(tmp) / "load.db")
        if not args.db:
            subprocess.run([str(WATCHDESK), "ingest", str(ROOT / "src/watchdesk/data/sample"), "--db", db, "-q"],
                           check=True, capture_output=True)
        port = free_port()
        server = subprocess.Popen([str(WATCHDESK), "serve", "--db", db, "--host", "127.0.0.1", "--port", str(port)],
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        base = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline:
                try:
                    if httpx.get(base + "/", timeout=2).status_code == 200:
                        break
                except httpx.HTTPError:
                    time.sleep(0.3)
            latencies: list[float] = []
            errors: list[str] = []
            stop_at = time.monotonic() + args.max_seconds

            def one(i: int) -> None:
                if time.monotonic() > stop_at:
                    return
                path = PATHS[i % len(PATHS)]
                t0 = time.perf_counter()
                try:
                    r = client.get(base + path)
                    if r.status_code != 200:
                        errors.append(f"{path}: {r.status_code}")
                except httpx.HTTPError as exc:
                    errors.append(f"{path}: {exc!r}")
                latencies.append(time.perf_counter() - t0)

            with httpx.Client(timeout=30) as client, ThreadPoolExecutor(args.concurrency) as pool:
                started = time.perf_counter()
                list(pool.map(one, range(args.requests)))
                elapsed = time.perf_counter() - started
        finally:
            server.terminate()
            server.wait(timeout=30)
    latencies.sort()
    n = len(latencies)
    pct = lambda q: latencies[min(n - 1, int(q * n))] * 1000  # noqa: E731
    print(f"requests {n} in {elapsed:.1f}s, concurrency {args.concurrency}: {n / elapsed:.0f} req/s, "
          f"p50 {pct(0.50):.1f} ms, p95 {pct(0.95):.1f} ms, errors {len(errors)}")
    for e in errors[:10]:
        print("  error", e)
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
