"""The README says only what is true: its command table is the CLI's, its links lead somewhere.

The command table is compared with ``ketaclinic --help`` down to the last subcommand
(``accounts token revoke``, ``audit app-role-sql``). Every relative link and every path named
in backticks under ``docs/`` or ``benchmarks/`` — in the README, the docs pages and the
benchmarks' READMEs — must exist, anchors included, and every docs page and benchmark README
must be reachable from the README.
"""

from __future__ import annotations

import argparse
import re
from pathlib import Path

import pytest

from ketaclinic.cli import build_parser

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def _section(heading: str) -> str:
    start = README.index(f"## {heading}\n")
    end = README.find("\n## ", start + 1)
    return README[start : end if end != -1 else len(README)]


def _subcommands(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return dict(action.choices)
    return {}


def _cli_commands(parser: argparse.ArgumentParser, path: tuple[str, ...] = ()) -> set[str]:
    """Every runnable command: a path of subcommands ending where no further one is chosen."""
    children = _subcommands(parser)
    if not children:
        return {" ".join(path)}
    return {c for name, sub in children.items() for c in _cli_commands(sub, (*path, name))}


def _expand(parser: argparse.ArgumentParser, words: list[str], path: tuple[str, ...]) -> set[str]:
    """The commands one cell names (``verify|balances`` is two); an option or a value ends it."""
    children = _subcommands(parser)
    if not children or not words:
        return {" ".join(path)}
    found: set[str] = set()
    for name in words[0].split("|"):
        if name in children:
            found |= _expand(children[name], words[1:], (*path, name))
        else:
            found.add(" ".join((*path, name)))  # not a command: the comparison reports it
    return found


def _readme_commands() -> set[str]:
    """Every command the first column of the command table names, expanded."""
    names: set[str] = set()
    parser = build_parser()
    for row in _section("The `ketaclinic` command").splitlines():
        if not row.startswith("| `"):
            continue
        first_cell = row.split(" | ")[0]
        for command in re.findall(r"`([^`]+)`", first_cell):
            words = command.removeprefix("ketaclinic ").replace("\\|", "|").split()
            names |= _expand(parser, words, ())
    return names


def test_the_table_expansion_reads_alternatives_and_stops_at_options():
    parser = build_parser()
    assert _expand(parser, ["ledger", "verify|balances", "--json"], ()) == {
        "ledger verify",
        "ledger balances",
    }
    assert _expand(parser, ["accounts", "token", "create"], ()) == {"accounts token create"}
    assert _expand(parser, ["audit", "no-such"], ()) == {"audit no-such"}


def test_the_readme_command_table_lists_exactly_the_commands_of_ketaclinic_help():
    documented, real = _readme_commands(), _cli_commands(build_parser())
    assert "accounts token revoke" in real
    assert documented - real == set(), "the README names commands the CLI does not have"
    assert real - documented == set(), "commands missing from the README's table"


DOCUMENTS = sorted(
    [
        ROOT / "README.md",
        *(ROOT / "docs").glob("*.md"),
        *(ROOT / "benchmarks").rglob("README.md"),
    ]
)
LINK = re.compile(r"\]\(<?([^)\s>]+)>?\)")
NAMED_PATH = re.compile(r"`((?:docs|benchmarks)/[^`\s]+)`")


def _slugs(page: Path) -> set[str]:
    """GitHub's anchors for the page's headings (code blocks left out)."""
    text = re.sub(r"^```.*?^```", "", page.read_text(encoding="utf-8"), flags=re.M | re.S)
    headings = re.findall(r"^#+ (.+)$", text, re.M)
    return {re.sub(r"[^\w\- ]", "", h).strip().lower().replace(" ", "-") for h in headings}


def _local_links(document: Path) -> list[str]:
    text = document.read_text(encoding="utf-8")
    links = [link for link in LINK.findall(text) if not re.match(r"^[a-z][a-z0-9+.-]*:", link)]
    return links + [path for path in NAMED_PATH.findall(text) if "<" not in path]


@pytest.mark.parametrize("document", DOCUMENTS, ids=lambda d: str(d.relative_to(ROOT)))
def test_every_local_link_leads_to_a_file_and_heading_that_exist(document):
    broken = []
    for link in _local_links(document):
        path, _, anchor = link.partition("#")
        base = ROOT if NAMED_PATH.fullmatch(f"`{link}`") else document.parent
        target = (base / path) if path else document
        if "*" in path:  # a pattern naming a set of files (``docs/images/day-*.png``)
            if not any(base.glob(path)):
                broken.append(f"{link}: matches no file")
        elif not target.exists():
            broken.append(f"{link}: no such file")
        elif anchor and target.suffix == ".md" and anchor not in _slugs(target):
            broken.append(f"{link}: no such heading")
    assert broken == [], f"{document.relative_to(ROOT)} links nowhere: {broken}"


def test_every_docs_page_and_benchmark_readme_is_linked_from_the_readme():
    linked = {link.partition("#")[0] for link in LINK.findall(README)}
    pages = {
        str(p.relative_to(ROOT))
        for p in [*(ROOT / "docs").glob("*.md"), *(ROOT / "benchmarks").rglob("README.md")]
    }
    assert len(pages) > 25
    assert pages - linked == set(), "pages no link in the README leads to"
