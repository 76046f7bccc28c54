"""Hash chains for append-only records (the controlled-substance ledger's per-site chains).

The audit trail uses a keyed chain instead (``keyedchain``), which reuses ``canonical_bytes``
and ``ChainReport`` from here.

Each record stores the SHA-256 of its own canonical content together with the hash of the
record before it. Altering a record changes its hash; deleting one breaks the link of the
next; truncating the tail disagrees with the chain head kept beside the records. Pure
Python, so the same functions check any chain.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

GENESIS_HASH = "0" * 64


def canonical_bytes(fields: Mapping[str, Any]) -> bytes:
    """A deterministic encoding: sorted keys, no whitespace, UTF-8."""
    return json.dumps(fields, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def chain_hash(prev_hash: str, fields: Mapping[str, Any]) -> str:
    return hashlib.sha256(prev_hash.encode() + b"\n" + canonical_bytes(fields)).hexdigest()


@dataclass(frozen=True)
class ChainLink:
    position: int
    prev_hash: str
    hash: str
    fields: Mapping[str, Any]


@dataclass
class ChainReport:
    """What a verification found; ``problem`` names the first broken or missing record."""

    chain: str
    checked: int = 0
    ok: bool = True
    problem_position: int | None = None
    problem: str = ""
    notes: list[str] = field(default_factory=list)

    def fail(self, position: int, problem: str) -> ChainReport:
        self.ok = False
        self.problem_position = position
        self.problem = problem
        return self

    def as_dict(self) -> dict[str, Any]:
        return {
            "chain": self.chain,
            "ok": self.ok,
            "checked": self.checked,
            "problem_position": self.problem_position,
            "problem": self.problem,
        }

    def summary(self) -> str:
        if self.ok:
            return f"{self.chain}: OK — {self.checked} record(s), chain intact"
        return f"{self.chain}: BROKEN at position {self.problem_position}: {self.problem}"


def verify_links(
    chain: str, links: Iterable[ChainLink], head_position: int, head_hash: str
) -> ChainReport:
    """Walk the chain in order; stop at the first altered, missing or reordered record."""
    report = ChainReport(chain=chain)
    expected_position = 1
    previous = GENESIS_HASH
    for link in links:
        if link.position != expected_position:
            return report.fail(
                expected_position,
                f"record {expected_position} is missing (next present is {link.position})",
            )
        if link.prev_hash != previous:
            return report.fail(link.position, "link to the previous record is broken")
        if chain_hash(link.prev_hash, link.fields) != link.hash:
            return report.fail(link.position, "record content was altered after it was written")
        previous = link.hash
        expected_position += 1
        report.checked += 1
    if report.checked != head_position:
        return report.fail(
            report.checked + 1,
            f"chain head records {head_position} record(s) but {report.checked} are present",
        )
    if previous != head_hash:
        return report.fail(report.checked, "last record does not match the chain head")
    return report
