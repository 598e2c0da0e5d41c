#!/usr/bin/env python3
"""Compares codegen_dirs compiled with different layout planners: prints each one's predicted
cycles, then how many distinct layout.html files and distinct predicted times there are.

    compare_planners.py DIR...   (each DIR's basename names its planner)
"""
import hashlib
import json
import os
import sys


def main(dirs):
    layouts, times = set(), set()
    for d in dirs:
        with open(os.path.join(d, "report.json")) as f:
            cycles = json.load(f)["predicted_cycles"]
        with open(os.path.join(d, "layout.html"), "rb") as f:
            layouts.add(hashlib.sha256(f.read()).hexdigest())
        times.add(cycles)
        print(f"planner {os.path.basename(os.path.normpath(d))}: {cycles} cycles")
    print(f"distinct layout.html: {len(layouts)} of {len(dirs)}")
    print(f"distinct predicted times: {len(times)} of {len(dirs)}")


if __name__ == "__main__":
    main(sys.argv[1:])
