"""Run a command and report its peak RSS (main process, each child, and the whole tree), sampled.

    python bench/rss.py [--interval 0.2] [--timeline FILE] -- COMMAND ARGS...

Prints a JSON line: seconds, exit code, peak RSS of the main process, peak of the largest child,
peak of the sum over the tree (MB). With --timeline, writes "seconds main_mb tree_mb" samples.
"""
from __future__ import annotations

import argparse
import json
import subprocess
import time

import psutil


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--interval", type=float, default=0.2)
    parser.add_argument("--timeline")
    parser.add_argument("command", nargs=argparse.REMAINDER)
    args = parser.parse_args()
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    start = time.perf_counter()
    proc = subprocess.Popen(command)
    ps = psutil.Process(proc.pid)
    peak_main = peak_child = peak_tree = 0
    samples = []
    while proc.poll() is None:
        try:
            main_rss = ps.memory_info().rss
            children = []
            for c in ps.children(recursive=True):
                try:
                    children.append(c.memory_info().rss)
                except psutil.Error:
                    pass
        except psutil.Error:
            break
        peak_main = max(peak_main, main_rss)
        peak_child = max([peak_child, *children])
        tree = main_rss + sum(children)
        peak_tree = max(peak_tree, tree)
        samples.append((round(time.perf_counter() - start, 1), main_rss >> 20, tree >> 20))
        time.sleep(args.interval)
    code = proc.wait()
    if args.timeline:
        with open(args.timeline, "w") as fh:
            fh.writelines(f"{t} {m} {tr}\n" for t, m, tr in samples)
    print(json.dumps({"seconds": round(time.perf_counter() - start, 1), "exit": code,
                      "peak_main_mb": peak_main >> 20, "peak_child_mb": peak_child >> 20,
                      "peak_tree_mb": peak_tree >> 20}))


if __name__ == "__main__":
    main()
