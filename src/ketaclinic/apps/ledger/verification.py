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

import hashlib
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from django.db import connection

from ketaclinic.apps.audit.hashchain import GENESIS_HASH, ChainReport
from ketaclinic.apps.audit.models import ChainHead
from ketaclinic.apps.ledger.canonical_rows import ROW_FIELDS, CanonicalRows
from ketaclinic.apps.ledger.choices import EntryKind
from ketaclinic.apps.ledger.models import Container, LedgerEntry, VerifiedCheckpoint, chain_name
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


class _Book(NamedTuple):
    """What the balance check needs of a container (a tuple: a ledger has a container per
    few entries, and model instances for each cost as much as hashing their entries)."""

    pk: int
    site_id: int
    lot_id: int
    product_id: int
    on_hand: int
    label: str


def _books() -> dict[int, _Book]:
    """Every container, read with a plain cursor: the queryset's per-row machinery cost
    as much as hashing the entries (a container per five or six entries)."""
    fields = ("id", "site_id", "lot_id", "product_id", "on_hand", "label")
    meta, quote = Container._meta, connection.ops.quote_name
    column = {field.attname: str(field.column) for field in meta.concrete_fields}
    columns = ", ".join(quote(column[name]) for name in fields)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {columns} FROM {quote(meta.db_table)}")  # noqa: S608  # nosec B608 - names from the model
        return {row[0]: _Book(*row) for row in cursor.fetchall()}


class _BalanceWalk:
    """The running balance of every container of one site's chain, entry by entry."""

    def __init__(self, chain: str, report: LedgerReport, books: dict[int, _Book]) -> None:
        self.chain = chain
        self.report = report
        self.books = books
        self.site_id = int(chain.split(":", 1)[1])
        self.running: dict[int, int] = defaultdict(int)
        self.by_kind: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))

    def step(
        self, position: int, site_id: int, container_id: int, kind: str, delta: int, after: int
    ) -> None:
        """One entry: its container's running balance moves by ``delta`` and must then be
        ``after`` (``balance_after``), never below zero, on a container of this site."""
        report, running = self.report, self.running
        report.entries_checked += 1
        container = self.books.get(container_id)
        if container is None or container.site_id != self.site_id or site_id != self.site_id:
            report.problems.append(
                f"{self.chain} #{position}: entry is for a container of another site"
            )
            return
        balance = running[container_id] + delta
        running[container_id] = balance
        if delta and kind in _BALANCE_KINDS:
            self.by_kind[container_id][kind] += delta
        if balance < 0:
            report.problems.append(
                f"{self.chain} #{position}: container {container.label} goes below zero ({balance})"
            )
        if balance != after:
            report.problems.append(
                f"{self.chain} #{position}: container {container.label} balance after is "
                f"recorded as {after} but the entries before it add up to {balance}"
            )
            running[container_id] = after

    def finish(self) -> None:
        report, site_id = self.report, self.site_id
        # what the entries give at each level: the sum of its containers' totals.on_hand (a
        # sum of ints, as on_hand is linear in the totals; adding whole BalanceTotals per
        # container and level cost more than hashing the entries)
        levels: dict[tuple[str, int], int] = defaultdict(int)
        on_hand: dict[tuple[str, int], int] = defaultdict(int)
        for container in self.books.values():
            if container.site_id != site_id:
                continue
            report.containers_checked += 1
            entries_give = BalanceTotals.on_hand_from_signed(self.by_kind[container.pk])
            if entries_give != container.on_hand:
                report.problems.append(
                    f"{self.chain}: container {container.label} holds {container.on_hand} on "
                    f"the book but its entries add up to {entries_give}"
                )
            for at in (("lot", container.lot_id), ("product", container.product_id)):
                levels[at] += entries_give
                on_hand[at] += container.on_hand
            levels["site", site_id] += entries_give
            on_hand["site", site_id] += container.on_hand
        for (level, key), entries_give in levels.items():
            if entries_give != on_hand[level, key]:
                report.problems.append(
                    f"{self.chain}: the ledger equation fails for {level} {key}: entries give "
                    f"{entries_give}, containers hold {on_hand[level, key]}"
                )


# Where each value sits in a ``CanonicalRows`` row.
_POSITION, _SITE, _CONTAINER = (
    ROW_FIELDS.index(name) for name in ("position", "site_id", "container_id")
)
_EFFECT, _DELTA, _AFTER = (
    ROW_FIELDS.index(name) for name in ("effect_kind", "delta", "balance_after")
)
_PREV, _HASH = ROW_FIELDS.index("prev_hash"), ROW_FIELDS.index("hash")


def _verify_chain(
    chain: str, report: LedgerReport, books: dict[int, _Book], rows: CanonicalRows
) -> None:
    """The hash chain and the balances in one read of the chain: each row feeds both.

    The same checks, in the same order, as ``hashchain.verify_links`` over
    ``chained_fields``: a missing position, a broken link, altered content (the hash over
    the canonical bytes, built by ``CanonicalRows``), then the chain head. A broken chain
    stops the hash walk; the balances still see every entry.
    """
    head = ChainHead.objects.filter(name=chain).first()
    head_position, head_hash = (head.position, head.last_hash) if head else (0, GENESIS_HASH)
    walk = _BalanceWalk(chain, report, books)
    # the loop below is the whole cost of a full run, so it reads its names from locals;
    # an entry that is anything but in order goes to ``walk.step``, which names the problem
    step, running, by_kind, site = walk.step, walk.running, walk.by_kind, walk.site_id
    book_of, fast_text, hash_matches, sha256 = (
        books.get,
        rows.fast_text,
        rows.hash_matches,
        hashlib.sha256,
    )
    first_problem = len(report.problems)
    result = ChainReport(chain=chain)
    expected, previous, in_order = 1, GENESIS_HASH, 0
    for batch in rows.chunks(chain):
        for row in batch:
            position, container_id, effect_kind, delta = (
                row[_POSITION],
                row[_CONTAINER],
                row[_EFFECT],
                row[_DELTA],
            )
            book = book_of(container_id)
            if (
                book is not None
                and book.site_id == site == row[_SITE]
                and 0 <= (balance := running[container_id] + delta) == row[_AFTER]
            ):
                running[container_id] = balance
                in_order += 1
                if delta and effect_kind in _BALANCE_KINDS:
                    by_kind[container_id][effect_kind] += delta
            else:
                step(position, row[_SITE], container_id, effect_kind, delta, row[_AFTER])
            if not result.ok:
                continue
            own_hash = row[_HASH]
            if position != expected:
                result.fail(expected, f"record {expected} is missing (next present is {position})")
            elif row[_PREV] != previous:
                result.fail(position, "link to the previous record is broken")
            elif (
                (fast := fast_text(row)) is None
                or sha256(f"{previous}\n{fast}".encode()).hexdigest() != own_hash
            ) and not hash_matches(previous, row, own_hash):
                result.fail(position, "record content was altered after it was written")
            else:
                previous, expected = own_hash, expected + 1
    report.entries_checked += in_order
    if result.ok:
        result.checked = expected - 1
        if result.checked != head_position:
            result.fail(
                result.checked + 1,
                f"chain head records {head_position} record(s) but {result.checked} are present",
            )
        elif previous != head_hash:
            result.fail(result.checked, "last record does not match the chain head")
    else:
        result.checked = expected - 1
    walk.finish()
    report.chains.append(result)
    if not result.ok:
        report.problems.insert(first_problem, result.summary())


def _entry_chains() -> set[str]:
    """Every chain that has entries, including one whose head row was deleted — one index
    probe per chain (``chain > the last one found``, on the ``(chain, position)`` index)
    rather than a DISTINCT over every entry, which cost as much as hashing them."""
    chains: set[str] = set()
    entries = LedgerEntry.objects.order_by("chain").values_list("chain", flat=True)
    found = entries.first()
    while found is not None:
        chains.add(found)
        found = entries.filter(chain__gt=found).first()
    return chains


def verify_ledger() -> LedgerReport:
    """Check every site's chain and every balance; the report names the first problem."""
    report = LedgerReport()
    chains = set(
        ChainHead.objects.filter(name__startswith="ledger:").values_list("name", flat=True)
    )
    chains |= _entry_chains()
    books = _books()
    for site_id in {c.site_id for c in books.values()}:
        chains.add(chain_name(site_id))
    rows = CanonicalRows()
    for chain in sorted(chains):
        _verify_chain(chain, report, books, rows)
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
    chain: str,
    checkpoint: VerifiedCheckpoint,
    report: LedgerReport,
    books: dict[int, _Book],
    rows: CanonicalRows,
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
    for row in rows.rows(chain, after=checkpoint.position):
        position, container_id = row[_POSITION], row[_CONTAINER]
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
        walk.step(position, row[_SITE], container_id, row[_EFFECT], row[_DELTA], row[_AFTER])
        if not result.ok:
            continue
        if position != expected:
            result.fail(expected, f"record {expected} is missing (next present is {position})")
        elif row[_PREV] != previous:
            result.fail(expected, "link to the previous record is broken")
        elif not rows.hash_matches(previous, row, row[_HASH]):
            result.fail(expected, "record content was altered after it was written")
        else:
            result.checked += 1
            previous, expected = row[_HASH], expected + 1
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
    books = _books()
    rows = CanonicalRows()
    for chain in sorted(chains):
        if chain in checkpoints:
            _verify_chain_since(chain, checkpoints[chain], report, books, rows)
        else:
            _verify_chain(chain, report, books, rows)
    if report.ok:
        _store_checkpoints(report)
    return report
