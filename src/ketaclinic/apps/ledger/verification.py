"""``ketaclinic ledger verify``: every site's chain, and every balance, recomputed from entries.

Two independent checks. The chain: each entry's hash covers its content and the previous
entry's hash, so an altered, deleted or reordered entry is found and named (the audit
trail's ``hashchain``). The balances: walking each chain in order, every container's running
balance must match what each entry says it was after (``balance_after``), never go below
zero, and end at the container's book balance; the ledger equation (received + transferred
in − administered − wasted − destroyed − transferred out − lost = on hand) must hold for
every container, lot, product and site.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from ketaclinic.apps.audit.hashchain import GENESIS_HASH, ChainLink, ChainReport, verify_links
from ketaclinic.apps.audit.models import ChainHead
from ketaclinic.apps.ledger.choices import EntryKind
from ketaclinic.apps.ledger.models import Container, LedgerEntry, chain_name
from ketaclinic.clinical.controlled_substances import BalanceTotals

__all__ = ["LedgerReport", "verify_ledger"]

_BALANCE_KINDS = {k for k in EntryKind.values if k not in (EntryKind.COUNT, EntryKind.CORRECTION)}


@dataclass
class LedgerReport:
    """What verification found; ``problem`` is the first one, named."""

    chains: list[ChainReport] = field(default_factory=list)
    containers_checked: int = 0
    entries_checked: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def problem(self) -> str:
        return self.problems[0] if self.problems else ""

    def as_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "problem": self.problem,
            "problems": self.problems[:50],
            "chains": [chain.as_dict() for chain in self.chains],
            "containers_checked": self.containers_checked,
            "entries_checked": self.entries_checked,
        }

    def summary(self) -> str:
        lines = [chain.summary() for chain in self.chains]
        if self.ok:
            lines.append(
                f"balances: OK — {self.containers_checked} container(s), "
                f"{self.entries_checked} entr(ies), the ledger equation holds"
            )
        else:
            lines.append(f"PROBLEM: {self.problem}")
        return "\n".join(lines)


def _entries(chain: str) -> Iterator[LedgerEntry]:
    return LedgerEntry.objects.filter(chain=chain).order_by("position").iterator(chunk_size=2000)


def _verify_chain(chain: str, report: LedgerReport) -> None:
    head = ChainHead.objects.filter(name=chain).first()
    links = (
        ChainLink(e.position, e.prev_hash, e.hash, e.chained_fields()) for e in _entries(chain)
    )
    result = verify_links(
        chain, links, head.position if head else 0, head.last_hash if head else GENESIS_HASH
    )
    report.chains.append(result)
    if not result.ok:
        report.problems.append(result.summary())


def _verify_balances(chain: str, report: LedgerReport, books: dict[int, Container]) -> None:
    running: dict[int, int] = defaultdict(int)
    by_kind: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    site_id = int(chain.split(":", 1)[1])
    for entry in _entries(chain):
        report.entries_checked += 1
        where = f"{chain} #{entry.position}"
        container = books.get(entry.container_id)
        if container is None or container.site_id != site_id or entry.site_id != site_id:
            report.problems.append(f"{where}: entry is for a container of another site")
            continue
        running[entry.container_id] += entry.delta
        if entry.delta and entry.effect_kind in _BALANCE_KINDS:
            by_kind[entry.container_id][entry.effect_kind] += entry.delta
        if running[entry.container_id] < 0:
            report.problems.append(
                f"{where}: container {container.label} goes below zero "
                f"({running[entry.container_id]})"
            )
        if running[entry.container_id] != entry.balance_after:
            report.problems.append(
                f"{where}: container {container.label} balance after is recorded as "
                f"{entry.balance_after} but the entries before it add up to "
                f"{running[entry.container_id]}"
            )
            running[entry.container_id] = entry.balance_after
    levels: dict[str, BalanceTotals] = {}
    on_hand: dict[str, int] = defaultdict(int)
    for container in books.values():
        if container.site_id != site_id:
            continue
        report.containers_checked += 1
        totals = BalanceTotals.from_signed(by_kind[container.pk])
        if totals.on_hand != container.on_hand:
            report.problems.append(
                f"{chain}: container {container.label} holds {container.on_hand} on the book "
                f"but its entries add up to {totals.on_hand}"
            )
        for level in (
            f"lot {container.lot_id}",
            f"product {container.product_id}",
            f"site {site_id}",
        ):
            levels[level] = levels.get(level, BalanceTotals()) + totals
            on_hand[level] += container.on_hand
    for level, totals in levels.items():
        if totals.on_hand != on_hand[level]:
            report.problems.append(
                f"{chain}: the ledger equation fails for {level}: entries give "
                f"{totals.on_hand}, containers hold {on_hand[level]}"
            )


def verify_ledger() -> LedgerReport:
    """Check every site's chain and every balance; the report names the first problem."""
    report = LedgerReport()
    chains = set(
        ChainHead.objects.filter(name__startswith="ledger:").values_list("name", flat=True)
    )
    chains |= set(LedgerEntry.objects.values_list("chain", flat=True).distinct())
    books = {
        c.pk: c
        for c in Container.objects.only("id", "site_id", "lot_id", "product_id", "on_hand", "label")
    }
    for site_id in {c.site_id for c in books.values()}:
        chains.add(chain_name(site_id))
    for chain in sorted(chains):
        _verify_chain(chain, report)
        _verify_balances(chain, report, books)
    return report
