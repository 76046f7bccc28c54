"""One scoping mechanism (issue 14): only ``accounts/scoping.py`` filters rows by site.

Walks every module under ``src/ketaclinic`` with ``ast`` and fails on a keyword argument or a
``**{...}`` key that filters by a set of sites (``site_id__in``, ``site__in``, ``sites__in``,
``patient__site_id__in``, ...) anywhere else, and on the per-app scoping modules that the one
mechanism replaced. A view that needs "this user's rows" asks ``restrict`` or
``get_for_user_or_404``; a job that is no one user's view asks ``at_sites``.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

SOURCE = Path(__file__).resolve().parents[2] / "src" / "ketaclinic"
KERNEL = SOURCE / "apps" / "accounts" / "scoping.py"
SITE_FILTER = re.compile(r"(^|__)(site|sites|site_id)__in$")
REPLACED_MODULES = (
    "apps/accounts/access.py",
    "apps/charting/access.py",
    "apps/enquiries/scoping.py",
    "apps/iop/scoping.py",
    "apps/kap/access.py",
    "apps/ledger/scoping.py",
    "apps/treatment/scoping.py",
)


def _modules() -> list[Path]:
    return sorted(p for p in SOURCE.rglob("*.py") if "migrations" not in p.parts)


def site_filters_in(tree: ast.AST) -> list[tuple[int, str]]:
    """(line, lookup) for each site-set filter written as a keyword or a dict key."""
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.keyword) and node.arg and SITE_FILTER.search(node.arg):
            found.append((node.value.lineno, node.arg))
        if isinstance(node, ast.Dict):
            for key in node.keys:
                is_text = isinstance(key, ast.Constant) and isinstance(key.value, str)
                if is_text and SITE_FILTER.search(key.value):
                    found.append((key.lineno, key.value))
    return found


def test_the_walker_finds_each_way_of_writing_a_site_filter():
    code = (
        "Patient.objects.filter(site_id__in=ids)\n"
        "Session.objects.filter(patient__site__in=sites)\n"
        "User.objects.filter(sites__in=ids)\n"
        "queryset.filter(**{'course__site_id__in': ids})\n"
        "queryset.filter(site=site, site_name__in=names)\n"
    )
    assert [lookup for _line, lookup in site_filters_in(ast.parse(code))] == [
        "site_id__in",
        "patient__site__in",
        "sites__in",
        "course__site_id__in",
    ]


def test_no_module_but_accounts_scoping_filters_by_site():
    offenders = [
        f"{path.relative_to(SOURCE)}:{line}: {lookup}"
        for path in _modules()
        if path != KERNEL
        for line, lookup in site_filters_in(ast.parse(path.read_text(), str(path)))
    ]
    assert offenders == [], "ask accounts.scoping (restrict / at_sites) instead:\n" + "\n".join(
        offenders
    )


def test_the_per_app_scoping_modules_are_gone():
    assert [m for m in REPLACED_MODULES if (SOURCE / m).exists()] == []


def test_nothing_imports_a_replaced_module():
    dotted = {"ketaclinic." + m.removesuffix(".py").replace("/", ".") for m in REPLACED_MODULES}
    importing = []
    for path in _modules():
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.ImportFrom) and node.module in dotted:
                importing.append(f"{path.relative_to(SOURCE)}: {node.module}")
    assert importing == []
