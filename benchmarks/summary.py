"""One table for ``make bench``: every benchmark's targets, measured against its alternative.

Each benchmark prints its own detailed table; besides, for each target of an issue it
measures, it calls :func:`record`, which appends one row to ``var/bench/<benchmark>.json``.
``python -m benchmarks`` clears that folder first and ends with :func:`print_table`, so the
closing table shows exactly what this run measured — ratios against the alternative timed in
the same run, never numbers carried over from an earlier one. Rows live in files (rather
than in memory) so that a benchmark run in its own process, or on its own, still lands in
the table, and so a crashed benchmark leaves the rows it already measured.

The file format is a JSON list of objects with the keys ``benchmark, target, measured,
alternative, ratio, met`` (``met`` is true, false, or null for "no target, measured only").
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any, TextIO

#: ``var/bench`` at the repository root, wherever the benchmark is run from.
BENCH_DIR = Path(__file__).resolve().parents[1] / "var" / "bench"
KEYS = ("benchmark", "target", "measured", "alternative", "ratio", "met")


def bench_dir() -> Path:
    """The folder rows go to; ``KETACLINIC_BENCH_DIR`` overrides it (tests, parallel runs)."""
    override = os.environ.get("KETACLINIC_BENCH_DIR")
    return Path(override) if override else BENCH_DIR


def record(
    benchmark: str,
    target: str,
    measured: str,
    alternative: str,
    ratio: str,
    met: bool | None,
    *,
    gap: str | None = None,
    directory: Path | None = None,
) -> dict[str, Any]:
    """Append one target's result to ``<directory>/<benchmark>.json`` and return the row.

    ``measured``, ``alternative`` and ``ratio`` are display text (with units) because the
    benchmarks know best how to present their own numbers; ``met`` is None when the row is
    measured for information and has no target. ``gap`` names, for an unmet target, where
    the missing time goes (the profile's finding); the closing list prints it.
    """
    if not benchmark or "/" in benchmark or benchmark.startswith("."):
        raise ValueError(f"benchmark: {benchmark!r} is not a plain name")
    if not target:
        raise ValueError("target: must name what is measured")
    if met is not None and not isinstance(met, bool):
        raise ValueError(f"met: {met!r} is not True, False or None")
    row = {
        "benchmark": benchmark,
        "target": target,
        "measured": str(measured),
        "alternative": str(alternative),
        "ratio": str(ratio),
        "met": met,
    }
    if gap:
        row["gap"] = gap
    folder = directory or bench_dir()
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{benchmark}.json"
    rows = _read(path) if path.exists() else []
    rows.append(row)
    temporary = path.with_suffix(".json.tmp")
    temporary.write_text(json.dumps(rows, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    temporary.replace(path)
    return row


def record_rows(
    rows: Iterable[Mapping[str, Any]],
    gap_of: Callable[[Mapping[str, Any]], str | None] | None = None,
) -> None:
    """``record`` each of ``rows`` (dicts with the file's keys); ``gap_of(row)`` names the gap
    of an unmet one."""
    for row in rows:
        record(
            row["benchmark"],
            row["target"],
            row["measured"],
            row["alternative"],
            row["ratio"],
            row["met"],
            gap=gap_of(row) if gap_of is not None and row["met"] is False else None,
        )


def clear(directory: Path | None = None) -> None:
    """Remove the previous run's rows (only ``*.json`` files this module writes)."""
    folder = directory or bench_dir()
    if folder.is_dir():
        for path in folder.glob("*.json"):
            path.unlink()


def _read(path: Path) -> list[dict[str, Any]]:
    try:
        rows = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as error:
        raise ValueError(f"{path}: not valid JSON ({error})") from error
    if not isinstance(rows, list) or not all(isinstance(row, dict) for row in rows):
        raise ValueError(f"{path}: expected a JSON list of row objects")
    for number, row in enumerate(rows, 1):
        missing = [key for key in KEYS if key not in row]
        if missing:
            raise ValueError(f"{path}: row {number} lacks {', '.join(missing)}")
    return rows


def load(directory: Path | None = None) -> list[dict[str, Any]]:
    """Every row of every ``*.json`` in the folder, benchmarks in name order."""
    folder = directory or bench_dir()
    if not folder.is_dir():
        return []
    rows: list[dict[str, Any]] = []
    for path in sorted(folder.glob("*.json")):
        rows.extend(_read(path))
    return rows


def _cell(value: object) -> str:
    return str(value).replace("|", "\\|").replace("\n", " ")


def _met(value: bool | None) -> str:
    return {True: "yes", False: "**no**", None: "-"}[value]


def render(rows: Iterable[Mapping[str, Any]]) -> str:
    """The Markdown table, then the unmet targets with their gaps named."""
    rows = list(rows)
    if not rows:
        return "No benchmark recorded a result (var/bench/ is empty).\n"
    lines = [
        "| benchmark | target | measured | alternative (same run) | ratio | met? |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for row in rows:
        cells = [_cell(row[key]) for key in KEYS[:-1]] + [_met(row["met"])]
        lines.append("| " + " | ".join(cells) + " |")
    met = sum(1 for row in rows if row["met"] is True)
    unmet = [row for row in rows if row["met"] is False]
    lines.append("")
    lines.append(
        f"{met} of {met + len(unmet)} targets met; "
        f"{sum(1 for row in rows if row['met'] is None)} rows measured without a target."
    )
    if unmet:
        lines.append("")
        lines.append("Unmet targets:")
        for row in unmet:
            gap = row.get("gap") or "not named by the benchmark"
            lines.append(
                f"- {row['benchmark']}: {row['target']} — measured {row['measured']}, "
                f"ratio {row['ratio']} (alternative: {row['alternative']}); gap: {gap}"
            )
    return "\n".join(lines) + "\n"


def print_table(directory: Path | None = None, stream: TextIO | None = None) -> int:
    """Print the summary of every recorded row; return how many targets are unmet."""
    rows = load(directory)
    print(render(rows), end="", file=stream or sys.stdout, flush=True)
    return sum(1 for row in rows if row["met"] is False)
