"""Run every benchmark module in this folder (or those named): python -m benchmarks [NAME ...]."""

from __future__ import annotations

import importlib
import pkgutil
import sys

import benchmarks


def main(argv: list[str]) -> int:
    names = argv or sorted(m.name for m in pkgutil.iter_modules(benchmarks.__path__)
                           if not m.name.startswith("_"))
    failed = []
    for name in names:
        module = importlib.import_module(f"benchmarks.{name}")
        if getattr(module, "TOOL", False):  # a data tool kept beside the benchmarks
            if argv:
                print(f"benchmarks.{name} is a tool, not a benchmark: python -m "
                      f"benchmarks.{name} --help", flush=True)
            continue
        print(f"\n=== benchmarks.{name}", flush=True)
        if module.main([]):  # a benchmark returns non-zero when it misses its target
            failed.append(name)
    if failed:
        print(f"\nmissed their targets: {', '.join(failed)}", flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
