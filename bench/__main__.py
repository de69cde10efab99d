"""`make bench`: every performance figure of the dashboard in one table, and bench/results.json.

Each section runs in its own process, so each can configure Django and its database freely.
Beside each section's figures: the machine's speed hint measured around it (bench/speed.py),
and every time figure normalised to a machine where the hint is 15 µs.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from bench.speed import REFERENCE_US, normalised, speed_hint_us

ROOT = Path(__file__).resolve().parent.parent
POSTGRES_URL = os.environ.get("BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/test")

SECTIONS = [
    ("table partial (50 rows)", "bench.tables", "run()"),
    ("production serving", "bench.serving", "run()"),
    ("customer search, SQLite", "bench.search", "run(None)"),
    ("customer search, PostgreSQL", "bench.search", f"run({POSTGRES_URL!r})"),
    ("read model, SQLite", "bench.read_model", "run(None)"),
    ("read model, PostgreSQL", "bench.read_model", f"run({POSTGRES_URL!r})"),
    ("freshness drill, webhooks", "bench.freshness", "run()"),
    ("batches on workers, SQLite", "bench.batches", "run(None)"),
    ("batches on workers, PostgreSQL", "bench.batches", f"run({POSTGRES_URL!r})"),
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


def normalised_figure(key: str, value: object, hint_us: float) -> float | None:
    """A figure as it would be on the reference machine: our own time scales with the machine,
    a rate inversely. Wall times that mostly wait on a simulated upstream are left as they are."""
    if not isinstance(value, int | float) or isinstance(value, bool):
        return None
    is_time = "_ms_" in key or key.endswith(("(ms)", "(s)", "_ms"))
    if is_time and "upstream" not in key:
        return round(normalised(value, hint_us), 2)
    if "per_second" in key:
        return round(value * hint_us / REFERENCE_US, 1)
    return None


def with_speed_hint(figures: dict, hint_us: float) -> dict:
    """The figures, the hint, and each machine-bound figure as on the reference machine."""
    if "error" in figures:
        return figures
    extra = {}
    for key, value in figures.items():
        figure = normalised_figure(key, value, hint_us)
        if figure is not None:
            extra[f"{key} @{REFERENCE_US:g}us"] = figure
    return {**figures, **extra, "speed_hint_us": round(hint_us, 2)}


def main() -> int:
    results = {}
    wanted = sys.argv[1:]  # `python -m bench table serving`: only sections whose title has a word
    for title, module, call in SECTIONS:
        if wanted and not any(word in title for word in wanted):
            continue
        print(f"running: {title} ...", flush=True)
        before = speed_hint_us()
        figures = run_section(module, call)
        hint = (before + speed_hint_us()) / 2
        results[title] = with_speed_hint(figures, hint)
    width = max(len(key) for figures in results.values() for key in figures) + 2
    print()
    print(
        f"speed hint: best of five timeit runs of sum(range(1000)), in µs; "
        f"'@{REFERENCE_US:g}us' figures are normalised to a {REFERENCE_US:g} µs machine "
        "(times that mostly wait on the simulated upstream are not)"
    )
    for title, figures in results.items():
        print(title)
        for key, value in figures.items():
            print(f"  {key:{width}} {value}")
    (ROOT / "bench" / "results.json").write_text(json.dumps(results, indent=2) + "\n")
    print("\nwritten to bench/results.json")
    return 1 if any("error" in figures for figures in results.values()) else 0


if __name__ == "__main__":
    sys.exit(main())
