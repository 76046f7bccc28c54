"""The README says only what is true: its command table is the CLI's, its links lead somewhere."""

from __future__ import annotations

import re
from pathlib import Path

from ketaclinic.cli import build_parser

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def _section(heading: str) -> str:
    start = README.index(f"## {heading}\n")
    end = README.find("\n## ", start + 1)
    return README[start : end if end != -1 else len(README)]


def _readme_commands() -> set[str]:
    """The first word of every command named in the first column of the command table."""
    names = set()
    for row in _section("The `ketaclinic` command").splitlines():
        cells = row.split(" | ")
        if not row.startswith("| `"):
            continue
        for command in re.findall(r"`([^`]+)`", cells[0]):
            words = command.removeprefix("ketaclinic ").split()
            names.add(words[0])
    return names


def _cli_commands() -> set[str]:
    parser = build_parser()
    (subcommands,) = (a for a in parser._actions if a.dest == "command")
    return set(subcommands.choices)


def test_the_readme_command_table_lists_exactly_the_commands_of_ketaclinic_help():
    documented, real = _readme_commands(), _cli_commands()
    assert documented - real == set(), "the README names commands the CLI does not have"
    assert real - documented == set(), "commands missing from the README's table"


def test_every_docs_link_in_the_readme_exists():
    links = re.findall(r"\]\(((?:docs|benchmarks)/[^)#\s]+)(?:#([^)\s]+))?\)", README)
    assert links, "the README links no docs"
    for path, anchor in links:
        target = ROOT / path
        assert target.exists(), f"README links {path}, which does not exist"
        if anchor and target.suffix == ".md":
            headings = re.findall(r"^#+ (.+)$", target.read_text(encoding="utf-8"), re.M)
            slugs = {re.sub(r"[^\w\- ]", "", h).strip().lower().replace(" ", "-") for h in headings}
            assert anchor in slugs, f"README links {path}#{anchor}, a heading it does not have"


def test_every_docs_page_is_linked_from_the_readme():
    linked = set(re.findall(r"\]\((docs/[^)#\s]+\.md)", README))
    pages = {f"docs/{p.name}" for p in (ROOT / "docs").glob("*.md")}
    assert pages - linked == set()
