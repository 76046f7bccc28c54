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

import datetime as dt
import json
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from django.db import connection

from ketaclinic.apps.audit.hashchain import (
    GENESIS_HASH,
    ChainLink,
    ChainReport,
    chain_hash,
    verify_links,
)
from ketaclinic.apps.audit.models import ChainHead
from ketaclinic.apps.ledger.choices import EntryKind
from ketaclinic.apps.ledger.models import Container, LedgerEntry, VerifiedCheckpoint, chain_name
from ketaclinic.apps.ledger.models.entries import CHAINED_FIELDS
from ketaclinic.clinical.controlled_substances import BalanceTotals

__all__ = ["LedgerReport", "verify_ledger", "verify_ledger_since_checkpoint"]

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


def _rows(chain: str, after: int = 0) -> Iterator[tuple[dict[str, Any], str, str]]:
    """Each entry of a chain once, in order (those past position ``after``), as the fields
    its hash covers.

    Read with a plain cursor rather than the ORM: a nightly verification reads every row, and
    Django's per-value converters cost more than the hashing (see benchmarks/ledger). The
    values are turned into exactly what ``LedgerEntry.chained_fields`` gives.
    """
    meta = LedgerEntry._meta
    quote = connection.ops.quote_name
    columns = ", ".join(
        quote(meta.get_field(name).column) for name in (*CHAINED_FIELDS, "prev_hash", "hash")
    )
    position = quote(meta.get_field("position").column)
    sql = (
        f"SELECT {columns} FROM {quote(meta.db_table)} "  # noqa: S608  # nosec B608 - names from the model
        f"WHERE {quote(meta.get_field('chain').column)} = %s "
        f"AND {position} > %s ORDER BY {position}"
    )
    as_iso = _iso_from_sqlite if connection.vendor == "sqlite" else _iso
    occurred, recorded = CHAINED_FIELDS.index("occurred_at"), CHAINED_FIELDS.index("recorded_at")
    estimated, details = CHAINED_FIELDS.index("estimated"), CHAINED_FIELDS.index("details")
    with connection.cursor() as cursor:
        cursor.execute(sql, [chain, after])
        while batch := cursor.fetchmany(5000):
            for row in batch:
                values = list(row)
                values[occurred] = as_iso(values[occurred])
                values[recorded] = as_iso(values[recorded])
                values[estimated] = bool(values[estimated])
                if isinstance(values[details], str):
                    values[details] = json.loads(values[details])
                yield dict(zip(CHAINED_FIELDS, values[:-2], strict=True)), values[-2], values[-1]


def _iso(value: dt.datetime) -> str:
    return value.astimezone(dt.UTC).isoformat()


def _iso_from_sqlite(value: str | dt.datetime) -> str:
    """SQLite keeps aware datetimes as UTC text, ``YYYY-MM-DD HH:MM:SS[.ffffff]``."""
    if isinstance(value, dt.datetime):
        return _iso(value)
    return value.replace(" ", "T", 1) + "+00:00"


class _BalanceWalk:
    """The running balance of every container of one site's chain, entry by entry."""

    def __init__(self, chain: str, report: LedgerReport, books: dict[int, Container]) -> None:
        self.chain = chain
        self.report = report
        self.books = books
        self.site_id = int(chain.split(":", 1)[1])
        self.running: dict[int, int] = defaultdict(int)
        self.by_kind: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))

    def step(self, entry: dict[str, Any]) -> None:
        report, running = self.report, self.running
        report.entries_checked += 1
        where = f"{self.chain} #{entry['position']}"
        container_id = entry["container_id"]
        container = self.books.get(container_id)
        if (
            container is None
            or container.site_id != self.site_id
            or entry["site_id"] != self.site_id
        ):
            report.problems.append(f"{where}: entry is for a container of another site")
            return
        running[container_id] += entry["delta"]
        if entry["delta"] and entry["effect_kind"] in _BALANCE_KINDS:
            self.by_kind[container_id][entry["effect_kind"]] += entry["delta"]
        if running[container_id] < 0:
            report.problems.append(
                f"{where}: container {container.label} goes below zero ({running[container_id]})"
            )
        if running[container_id] != entry["balance_after"]:
            report.problems.append(
                f"{where}: container {container.label} balance after is recorded as "
                f"{entry['balance_after']} but the entries before it add up to "
                f"{running[container_id]}"
            )
            running[container_id] = entry["balance_after"]

    def finish(self) -> None:
        report, site_id = self.report, self.site_id
        levels: dict[str, BalanceTotals] = {}
        on_hand: dict[str, int] = defaultdict(int)
        for container in self.books.values():
            if container.site_id != site_id:
                continue
            report.containers_checked += 1
            totals = BalanceTotals.from_signed(self.by_kind[container.pk])
            if totals.on_hand != container.on_hand:
                report.problems.append(
                    f"{self.chain}: container {container.label} holds {container.on_hand} on "
                    f"the book but its entries add up to {totals.on_hand}"
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
                    f"{self.chain}: the ledger equation fails for {level}: entries give "
                    f"{totals.on_hand}, containers hold {on_hand[level]}"
                )


def _verify_chain(chain: str, report: LedgerReport, books: dict[int, Container]) -> None:
    """The hash chain and the balances in one read of the chain: each row feeds both."""
    head = ChainHead.objects.filter(name=chain).first()
    walk = _BalanceWalk(chain, report, books)
    first_problem = len(report.problems)

    def links() -> Iterator[ChainLink]:
        for fields, prev_hash, own_hash in _rows(chain):
            walk.step(fields)
            yield ChainLink(fields["position"], prev_hash, own_hash, fields)

    stream = links()
    result = verify_links(
        chain, stream, head.position if head else 0, head.last_hash if head else GENESIS_HASH
    )
    for _ in stream:  # a broken chain stops the hash walk; the balances still see every entry
        pass
    walk.finish()
    report.chains.append(result)
    if not result.ok:
        report.problems.insert(first_problem, result.summary())


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
        _verify_chain(chain, report, books)
    if report.ok:
        _store_checkpoints(report)
    return report


def _store_checkpoints(report: LedgerReport) -> None:
    """After a clean run, each chain's head is where the next incremental run starts."""
    from ketaclinic.apps.web import clock

    heads = ChainHead.objects.filter(name__in=[c.chain for c in report.chains])
    for head in heads:
        VerifiedCheckpoint.objects.update_or_create(
            chain=head.name,
            defaults={
                "position": head.position,
                "hash": head.last_hash,
                "verified_at": clock.now(),
            },
        )


def _verify_chain_since(
    chain: str, checkpoint: VerifiedCheckpoint, report: LedgerReport, books: dict[int, Container]
) -> None:
    """The entries after the checkpoint: linked to it, each hash recomputed, each container's
    running balance continued from its last entry before the window and ending at the book."""
    result = ChainReport(chain=chain)
    report.chains.append(result)
    first_problem = len(report.problems)
    head = ChainHead.objects.filter(name=chain).first()
    anchor = (
        LedgerEntry.objects.filter(chain=chain, position=checkpoint.position)
        .values_list("hash", flat=True)
        .first()
    )
    if checkpoint.position and anchor != checkpoint.hash:
        result.fail(checkpoint.position, "the checkpointed record no longer matches its hash")
    walk = _BalanceWalk(chain, report, books)
    touched: set[int] = set()
    expected, previous = checkpoint.position + 1, checkpoint.hash
    for fields, prev_hash, own_hash in _rows(chain, after=checkpoint.position):
        container_id = fields["container_id"]
        if container_id not in touched:
            touched.add(container_id)
            walk.running[container_id] = (
                LedgerEntry.objects.filter(
                    container_id=container_id, position__lte=checkpoint.position, chain=chain
                )
                .order_by("-position")
                .values_list("balance_after", flat=True)
                .first()
                or 0
            )
        walk.step(fields)
        if not result.ok:
            continue
        if fields["position"] != expected:
            result.fail(
                expected, f"record {expected} is missing (next present is {fields['position']})"
            )
        elif prev_hash != previous:
            result.fail(expected, "link to the previous record is broken")
        elif chain_hash(prev_hash, fields) != own_hash:
            result.fail(expected, "record content was altered after it was written")
        else:
            result.checked += 1
            previous, expected = own_hash, expected + 1
    if result.ok and head and (expected - 1 != head.position or previous != head.last_hash):
        result.fail(expected - 1, "last record does not match the chain head")
    for container_id in touched:
        container = books.get(container_id)
        if container and walk.running[container_id] != container.on_hand:
            report.problems.append(
                f"{chain}: container {container.label} holds {container.on_hand} on the book "
                f"but its entries add up to {walk.running[container_id]}"
            )
        report.containers_checked += 1
    if not result.ok:
        report.problems.insert(first_problem, result.summary())


def verify_ledger_since_checkpoint() -> LedgerReport:
    """The nightly check: only the entries written since the last clean run (a chain never
    verified is verified in full). The full run (``verify_ledger``) stays the default: it
    alone re-checks entries before the checkpoint and the ledger equation at every level."""
    report = LedgerReport()
    checkpoints = {c.chain: c for c in VerifiedCheckpoint.objects.all()}
    chains = set(
        ChainHead.objects.filter(name__startswith="ledger:").values_list("name", flat=True)
    )
    books = {
        c.pk: c
        for c in Container.objects.only("id", "site_id", "lot_id", "product_id", "on_hand", "label")
    }
    for chain in sorted(chains):
        if chain in checkpoints:
            _verify_chain_since(chain, checkpoints[chain], report, books)
        else:
            _verify_chain(chain, report, books)
    if report.ok:
        _store_checkpoints(report)
    return report
