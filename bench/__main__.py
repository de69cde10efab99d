"""`make bench`: every performance figure of the dashboard in one table, and bench/results.json.

Each section runs in its own process, so each can configure Django and its database freely.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
POSTGRES_URL = os.environ.get("BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/test")

SECTIONS = [
    ("table partial (50 rows)", "bench.tables", "run()"),
    ("production serving", "bench.serving", "run()"),
    ("customer search, SQLite", "bench.search", "run(None)"),
    ("customer search, PostgreSQL", "bench.search", f"run({POSTGRES_URL!r})"),
    ("read model, SQLite", "bench.read_model", "run(None)"),
    ("read model, PostgreSQL", "bench.read_model", f"run({POSTGRES_URL!r})"),
]


def run_section(module: str, call: str) -> dict:
    code = f"import json, {module} as m; print('BENCH ' + json.dumps(m.{call}))"
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=1800
    )
    for line in result.stdout.splitlines():
        if line.startswith("BENCH "):
            return json.loads(line[len("BENCH ") :])
    return {"error": (result.stderr.strip().splitlines() or ["no output"])[-1]}


def main() -> int:
    results = {}
    for title, module, call in SECTIONS:
        print(f"running: {title} ...", flush=True)
        results[title] = run_section(module, call)
    width = max(len(key) for figures in results.values() for key in figures) + 2
    print()
    for title, figures in results.items():
        print(title)
        for key, value in figures.items():
            print(f"  {key:{width}} {value}")
    (ROOT / "bench" / "results.json").write_text(json.dumps(results, indent=2) + "\n")
    print("\nwritten to bench/results.json")
    return 1 if any("error" in figures for figures in results.values()) else 0


if __name__ == "__main__":
    sys.exit(main())
