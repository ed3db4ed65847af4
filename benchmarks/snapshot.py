"""What a writer's snapshot costs (issue 13): the time to open a store for writing with and without
it, in the same run, and the disk the snapshot takes of its own (hard links shared with the store
cost nothing).

    python benchmarks/snapshot.py STORE [--runs 5]

Opens ``STORE`` (a copy is not made: the snapshot is removed at once, and nothing is written).
"""

from __future__ import annotations

import argparse
import gc
import os
import statistics
import time
from pathlib import Path

import pyoxigraph as ox

from kg.store.snapshot import make_snapshot, remove_snapshot


def _own_and_linked(folder: Path) -> tuple[int, int]:
    own = linked = 0
    for entry in folder.rglob("*"):
        if entry.is_file():
            info = entry.lstat()
            if info.st_nlink == 1:
                own += info.st_size
            else:
                linked += info.st_size
    return own, linked


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("store", type=Path)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    size = sum(p.stat().st_size for p in args.store.rglob("*") if p.is_file())
    plain, snap, removal, own, linked = [], [], [], 0, 0
    for _ in range(args.runs):
        for with_snapshot in (False, True):
            start = time.perf_counter()
            raw = ox.Store(str(args.store))
            opened = time.perf_counter()
            if with_snapshot:
                made = make_snapshot(raw, args.store)
                assert made is not None
                snap.append(time.perf_counter() - start)
                own, linked = _own_and_linked(made)
                start = time.perf_counter()
                remove_snapshot(args.store)
                removal.append(time.perf_counter() - start)
            else:
                plain.append(opened - start)
            del raw
            gc.collect()
    base, with_it = statistics.median(plain), statistics.median(snap)
    print(f"store {args.store}: {size / 1e6:,.1f} MB on disk, pid {os.getpid()}, {args.runs} runs (medians)")
    print(f"open for writing: {base * 1000:,.1f} ms; with the snapshot: {with_it * 1000:,.1f} ms "
          f"({with_it / base:.2f}x); snapshot {1000 * (with_it - base):,.1f} ms, removal {1000 * statistics.median(removal):,.1f} ms")
    print(f"snapshot on disk: {own / 1e6:,.2f} MB of its own, {linked / 1e6:,.1f} MB hard-linked to the store's tables")


if __name__ == "__main__":
    main()
