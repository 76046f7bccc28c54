"""Type-check the Django side of src/ against a baseline that may only shrink.

The clinical core is checked with ``mypy --strict`` and must have no errors. The apps came to
types late, so their remaining errors are listed in ``mypy-baseline.txt``: an error not in
the list fails ``make lint``; fixing one is free, and ``--update`` writes the smaller list (it
refuses to write a list with an error that was not there before; only the first list, when
there is none, is written as found). Lines are compared without
their line numbers, so an edit above an old error does not turn it into a new one.

    python tools/mypy_baseline.py            # check
    python tools/mypy_baseline.py --update   # shrink the baseline after fixing errors
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BASELINE = ROOT / "mypy-baseline.txt"
TARGETS = ["src/ketaclinic"]
_LINE_NUMBER = re.compile(r"^([^:]+):\d+(?::\d+)?: ")


def normalise(line: str) -> str | None:
    """``path: error: message [code]`` without its line number; None for notes and summaries."""
    if ": error: " not in line:
        return None
    return _LINE_NUMBER.sub(r"\1: ", line.strip())


def run_mypy() -> Counter[str]:
    command = [sys.executable, "-m", "mypy", "--no-error-summary", "--hide-error-context"]
    # django-stubs imports the settings and models: this checkout's, not an installed copy.
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    result = subprocess.run(  # noqa: S603 - fixed arguments, our own interpreter
        [*command, *TARGETS], cwd=ROOT, env=env, capture_output=True, text=True, check=False
    )
    if result.returncode not in (0, 1):
        sys.stderr.write(result.stdout + result.stderr)
        raise SystemExit(f"mypy crashed (exit {result.returncode})")
    return Counter(key for line in result.stdout.splitlines() if (key := normalise(line)))


def read_baseline() -> Counter[str]:
    if not BASELINE.exists():
        return Counter()
    lines = BASELINE.read_text(encoding="utf-8").splitlines()
    return Counter(line for line in lines if line and not line.startswith("#"))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--update", action="store_true", help="write the (smaller) baseline")
    args = parser.parse_args(argv)
    current, baseline = run_mypy(), read_baseline()
    new = current - baseline
    fixed = baseline - current
    if new and not (args.update and not BASELINE.exists()):
        print(f"mypy: {sum(new.values())} error(s) not in {BASELINE.name}:", file=sys.stderr)
        for line in sorted(new.elements()):
            print(f"  {line}", file=sys.stderr)
        if args.update:
            print("the baseline may only shrink: fix these, do not add them", file=sys.stderr)
        return 1
    total = sum(current.values())
    if args.update:
        header = "# mypy errors in src/ left to fix (tools/mypy_baseline.py); may only shrink\n"
        body = "".join(f"{line}\n" for line in sorted(current.elements()))
        BASELINE.write_text(header + body, encoding="utf-8")
        print(f"mypy baseline: {total} error(s) written to {BASELINE.name}")
    elif fixed:
        print(
            f"mypy: {total} error(s), all in the baseline; {sum(fixed.values())} fixed: "
            "run `python tools/mypy_baseline.py --update` to shrink it"
        )
    else:
        print(f"mypy: {total} error(s), all in the baseline")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
