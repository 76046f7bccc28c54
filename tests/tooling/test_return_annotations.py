"""Every public function in ``src/ketaclinic`` says what it returns (issue 17, "Types").

mypy reads a missing return annotation as ``Any``: every caller of such a function loses its
checks silently, and the apps' baseline (``tools/mypy_baseline.py``) cannot see the loss.
This walks every module with ``ast`` and fails on a function or method whose name has no
leading underscore (nested ones included: they are handed to others as callbacks) and no
``->``. Migrations are generated code and are left out.
"""

from __future__ import annotations

import ast
from pathlib import Path

SOURCE = Path(__file__).resolve().parents[2] / "src" / "ketaclinic"


def unannotated_public_functions(tree: ast.AST) -> list[tuple[int, str]]:
    """(line, name) of each public function or method without a return annotation."""
    return sorted(
        (node.lineno, node.name)
        for node in ast.walk(tree)
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
        and not node.name.startswith("_")
        and node.returns is None
    )


def test_the_walk_finds_public_functions_without_a_return_type_and_nothing_else() -> None:
    tree = ast.parse(
        "def bare(x): ...\n"
        "def typed(x) -> int: ...\n"
        "def _private(x): ...\n"
        "async def fetch(): ...\n"
        "class Form:\n"
        "    def clean_name(self): ...\n"
        "    def __init__(self): ...\n"
        "def outer() -> None:\n"
        "    def write(data): ...\n"
    )

    found = unannotated_public_functions(tree)

    assert found == [(1, "bare"), (4, "fetch"), (6, "clean_name"), (9, "write")]


def test_every_public_function_in_src_declares_its_return_type() -> None:
    modules = sorted(p for p in SOURCE.rglob("*.py") if "migrations" not in p.parts)
    assert len(modules) > 100  # the walk really reads the package

    missing = [
        f"{path.relative_to(SOURCE)}:{line} {name}"
        for path in modules
        for line, name in unannotated_public_functions(
            ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        )
    ]

    assert missing == [], "public functions without a return annotation:\n" + "\n".join(missing)
