"""The canonical bytes of ledger entries, built straight from database rows, for verification.

``ledger verify`` reads every entry of every chain. Turning each row into the dict of
``LedgerEntry.chained_fields`` and encoding it with ``json.dumps`` cost about 30 times the
SHA-256 it feeds (benchmarks/ledger). The canonical encoding is fixed — sorted keys, no
whitespace, UTF-8 — and the keys are always the same 23, so the JSON text is one f-string
with the keys in sorted order: integers are their decimal text, NULL is ``null``, the
strings (chain, kinds, reason, the two instants as ISO text) go in as they are unless one
holds a character JSON escapes (then through the C escaper ``json.dumps`` uses), and
``details`` is re-encoded by ``json.dumps`` once per distinct stored text. A per-shape ``%``
template and a ``type()`` per column cost about three hashes a row; a type gate (one sum of
the integer columns, which raises for anything but numbers) costs a fraction of one.

The fast text is only trusted when it reproduces the stored hash. A row whose Python types
are not the ones a writer leaves (SQLite will store anything in any column, even the text
'null' where a NULL was) gets no fast text and is encoded by the reference path, and a row
whose fast text does not hash to the stored value is encoded again by the reference path,
which alone decides that it was altered — so every verdict is the reference encoder's
(``tests/ledger/test_ledger_canonical_rows.py`` proves the two encodings equal over
randomized entries and edge values, on SQLite and PostgreSQL).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Callable, Iterator
from json.encoder import encode_basestring
from typing import Any

from django.db import connection
from django.utils.dateparse import parse_datetime

from ketaclinic.apps.audit.hashchain import canonical_bytes
from ketaclinic.apps.ledger.models import LedgerEntry
from ketaclinic.apps.ledger.models.entries import CHAINED_FIELDS

__all__ = ["ROW_FIELDS", "CanonicalRows"]

#: The columns read for each entry: what its hash covers, then its two hashes.
ROW_FIELDS = (*CHAINED_FIELDS, "prev_hash", "hash")
_DATES = frozenset({"occurred_at", "recorded_at"})
_INDEX = {name: i for i, name in enumerate(ROW_FIELDS)}
_DETAILS_CACHE_SIZE = 4096


def _make_json_encoder() -> Callable[[Any], str]:
    """``canonical_bytes``'s encoding of one value, without building an encoder per call."""
    options = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    make = getattr(json.encoder, "c_make_encoder", None)
    if make is None:  # pragma: no cover - CPython always has the C accelerator
        return options.encode
    encoder = make(None, options.default, encode_basestring, None, ":", ",", True, False, True)
    return lambda value: "".join(encoder(value, 0))


class CanonicalRows:
    """Rows of one database's ``ledger_ledgerentry``, read in chunks, and their canonical text.

    One instance per verification run: it holds the re-encoded ``details`` texts.
    """

    def __init__(self, chunk_size: int = 5000) -> None:
        self.chunk_size = chunk_size
        self.sqlite = connection.vendor == "sqlite"
        self._details: dict[str, str] = {"{}": "{}"}
        self._json = _make_json_encoder()
        meta = LedgerEntry._meta
        quote = connection.ops.quote_name
        columns = {field.attname: quote(str(field.column)) for field in meta.concrete_fields}

        def column(name: str) -> str:
            # SQLite: the stored text, not Django's per-row datetime parser (decltype converter)
            return f"{columns[name]} || ''" if self.sqlite and name in _DATES else columns[name]

        position = columns["position"]
        self._sql = (
            f"SELECT {', '.join(column(name) for name in ROW_FIELDS)} "  # noqa: S608  # nosec B608 - names from the model
            f"FROM {quote(meta.db_table)} WHERE {columns['chain']} = %s "
            f"AND {position} > %s ORDER BY {position} LIMIT %s"
        )

    # --- reading ------------------------------------------------------------------------

    def rows(self, chain: str, after: int = 0) -> Iterator[tuple[Any, ...]]:
        """Each entry of ``chain`` past position ``after``, in order, as a ``ROW_FIELDS``
        tuple (``chunks``, one row at a time)."""
        for batch in self.chunks(chain, after):
            yield from batch

    def chunks(self, chain: str, after: int = 0) -> Iterator[list[tuple[Any, ...]]]:
        """The entries of ``chain`` past position ``after``, in order, ``chunk_size`` rows a
        query (keyset on the ``(chain, position)`` index), so memory stays flat at any ledger
        size on either database; a list per query, which the full run's loop walks without
        resuming a generator for every row."""
        position = _INDEX["position"]
        while True:
            with connection.cursor() as cursor:
                cursor.execute(self._sql, [chain, after, self.chunk_size])
                batch = cursor.fetchall()
            yield batch
            if len(batch) < self.chunk_size:
                return
            after = batch[-1][position]
            if not isinstance(after, int):  # a tampered position: let the checks name it
                return

    # --- encoding -----------------------------------------------------------------------

    def reference_fields(self, row: tuple[Any, ...]) -> dict[str, Any]:
        """What ``LedgerEntry.chained_fields`` gave when the entry was written, from its row."""
        values = list(row[: len(CHAINED_FIELDS)])
        for name in _DATES:
            value = values[_INDEX[name]]
            if isinstance(value, str):  # SQLite's text, parsed as Django's converter would
                value = parse_datetime(value)
            if not isinstance(value, dt.datetime):
                raise ValueError(f"{name}: {value!r} is not a date and time")
            values[_INDEX[name]] = value.astimezone(dt.UTC).isoformat()
        values[_INDEX["estimated"]] = bool(values[_INDEX["estimated"]])
        details = values[_INDEX["details"]]
        if isinstance(details, str):
            values[_INDEX["details"]] = json.loads(details)
        return dict(zip(CHAINED_FIELDS, values, strict=True))

    def reference_text(self, row: tuple[Any, ...]) -> str:
        """The reference encoding (``hashchain.canonical_bytes``) of the row, as text."""
        return canonical_bytes(self.reference_fields(row)).decode()

    def text(self, row: tuple[Any, ...]) -> str:
        """The canonical JSON text of the row's hashed fields: the fast text, or the reference
        encoder's for a row holding a value of a type no writer leaves."""
        fast = self.fast_text(row)
        return self.reference_text(row) if fast is None else fast

    def fast_text(self, row: tuple[Any, ...]) -> str | None:
        """The canonical JSON text by one f-string in sorted key order, or None when a column
        holds a type no writer leaves there (SQLite keeps whatever it is given).

        Why it is the reference's text whenever it is not None: every string goes through the
        C escaper ``json.dumps`` uses, ``details`` through ``json.dumps`` itself, an integer is
        its decimal text as in JSON, NULL is ``null``; what is not an integer where one
        belongs (text, bytes, NULL in a NOT NULL column) fails the sum below with a TypeError,
        a non-string fails the escaper or ``replace``; a float (which SQLite keeps only when it
        is not integral) prints as JSON prints it, or as ``inf``/``nan``, which no JSON holds.
        """
        (
            chain, position, site_id, container_id, kind, effect_kind, quantity, delta,
            balance_after, book_quantity, estimated, occurred_at, recorded_at, user_id,
            witness_id, second_witness_id, patient_id, session_id, corrects_id,
            related_entry_id, inventory_id, reason, details, _prev_hash, _hash,
        ) = row  # fmt: skip
        try:
            # the type gate: a sum of every integer column, NULL counting as 0 where allowed
            _ = (
                position + site_id + container_id + quantity + delta + balance_after + user_id
                + (book_quantity or 0) + (witness_id or 0) + (second_witness_id or 0)
                + (patient_id or 0) + (session_id or 0) + (corrects_id or 0)
                + (related_entry_id or 0) + (inventory_id or 0)
            )  # fmt: skip
            if self.sqlite:  # the stored text of a UTC instant: "2024-03-05 00:30:00[.ffffff]"
                occurred = occurred_at.replace(" ", "T", 1) + "+00:00"
                recorded = recorded_at.replace(" ", "T", 1) + "+00:00"
            else:
                occurred = occurred_at.astimezone(dt.UTC).isoformat()
                recorded = recorded_at.astimezone(dt.UTC).isoformat()
            # the strings as JSON string bodies: as they are when none holds a character
            # JSON escapes (one check over all of them; a non-string fails the sum)
            plain = chain + kind + effect_kind + reason + occurred + recorded
            if not plain.isprintable() or '"' in plain or "\\" in plain:
                chain, kind, effect_kind, reason, occurred, recorded = (
                    encode_basestring(text)[1:-1]
                    for text in (chain, kind, effect_kind, reason, occurred, recorded)
                )
            canonical_details = self._details.get(details) or self._details_text(details)
            return (
                f'{{"balance_after":{balance_after},'
                f'"book_quantity":{"null" if book_quantity is None else book_quantity},'
                f'"chain":"{chain}","container_id":{container_id},'
                f'"corrects_id":{"null" if corrects_id is None else corrects_id},'
                f'"delta":{delta},"details":{canonical_details},'
                f'"effect_kind":"{effect_kind}",'
                f'"estimated":{"true" if estimated else "false"},'
                f'"inventory_id":{"null" if inventory_id is None else inventory_id},'
                f'"kind":"{kind}","occurred_at":"{occurred}",'
                f'"patient_id":{"null" if patient_id is None else patient_id},'
                f'"position":{position},"quantity":{quantity},"reason":"{reason}",'
                f'"recorded_at":"{recorded}",'
                f'"related_entry_id":{"null" if related_entry_id is None else related_entry_id},'
                f'"second_witness_id":{"null" if second_witness_id is None else second_witness_id},'
                f'"session_id":{"null" if session_id is None else session_id},'
                f'"site_id":{site_id},"user_id":{user_id},'
                f'"witness_id":{"null" if witness_id is None else witness_id}}}'
            )
        except (TypeError, AttributeError, ValueError):  # ValueError: details not JSON
            return None

    def hash_matches(self, prev_hash: str, row: tuple[Any, ...], own_hash: str) -> bool:
        """Whether ``own_hash`` is SHA-256 of ``prev_hash``, a newline and the row's
        canonical bytes — decided by the reference encoder whenever the fast text disagrees."""
        fast = self.fast_text(row)
        digest = hashlib.sha256
        if fast is not None and digest(f"{prev_hash}\n{fast}".encode()).hexdigest() == own_hash:
            return True
        reference = self.reference_text(row)
        if reference == fast:
            return False
        return hashlib.sha256(f"{prev_hash}\n{reference}".encode()).hexdigest() == own_hash

    def _details_text(self, details: str) -> str:
        """``details`` (JSON text as stored, any spacing or key order) re-encoded canonically;
        remembered, as many entries share it. Raises TypeError for a value that is not text."""
        if type(details) is not str:
            raise TypeError(f"details: {type(details).__name__}, not text")
        text = self._details.get(details)
        if text is None:
            if len(self._details) >= _DETAILS_CACHE_SIZE:
                self._details.clear()
                self._details["{}"] = "{}"
            text = self._details[details] = self._json(json.loads(details))
        return text
