"""The canonical bytes of ledger entries, built straight from database rows, for verification.

``ledger verify`` reads every entry of every chain. Turning each row into the dict of
``LedgerEntry.chained_fields`` and encoding it with ``json.dumps`` cost about 30 times the
SHA-256 it feeds (benchmarks/ledger). The canonical encoding is fixed — sorted keys, no
whitespace, UTF-8 — and the keys are always the same 23, so the JSON text can be built with
one precompiled ``%`` template instead: integers are their decimal text, strings go through
the same C escaper ``json.dumps`` uses, datetimes are their ISO text, and ``details`` is
re-encoded only when it is not already ``{}`` (and remembered, since many entries share it).

The fast text is only trusted when it reproduces the stored hash. A row whose Python types
are not the ones a writer leaves (SQLite will store anything in any column) is encoded by
the reference path, and a row whose fast text does not hash to the stored value is encoded
again by the reference path, which alone decides that it was altered — so every verdict is
the reference encoder's (``tests/ledger/test_ledger_canonical_rows.py`` proves the two
encodings equal over randomized entries, on SQLite and PostgreSQL).
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
_STRINGS = frozenset({"chain", "kind", "effect_kind", "reason"})
_DATES = frozenset({"occurred_at", "recorded_at"})
_INDEX = {name: i for i, name in enumerate(ROW_FIELDS)}
_NULLABLE = frozenset(
    field.attname
    for field in LedgerEntry._meta.concrete_fields
    if field.null and field.attname in CHAINED_FIELDS
)
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

    One instance per verification run: it holds the templates compiled for the row shapes
    met so far (which nullable columns are NULL) and the re-encoded ``details`` texts.
    """

    def __init__(self, chunk_size: int = 5000) -> None:
        self.chunk_size = chunk_size
        self.sqlite = connection.vendor == "sqlite"
        self._templates: dict[tuple[type, ...], str | None] = {}
        self._details: dict[str, str] = {}
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
        order = sorted(range(len(CHAINED_FIELDS)), key=lambda i: CHAINED_FIELDS[i])
        self._order = order

    # --- reading ------------------------------------------------------------------------

    def rows(self, chain: str, after: int = 0) -> Iterator[tuple[Any, ...]]:
        """Each entry of ``chain`` past position ``after``, in order, as a ``ROW_FIELDS``
        tuple; read ``chunk_size`` rows a query (keyset on the ``(chain, position)`` index),
        so memory stays flat at any ledger size on either database."""
        position = _INDEX["position"]
        while True:
            with connection.cursor() as cursor:
                cursor.execute(self._sql, [chain, after, self.chunk_size])
                batch = cursor.fetchall()
            yield from batch
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
        """The canonical JSON text of the row's hashed fields, by the precompiled template."""
        shape = tuple(map(type, row))  # the two hashes too: cheaper than slicing them off
        template = self._templates.get(shape, "")
        if template == "":
            template = self._templates[shape] = self._compile(shape)
        if template is None:
            return self.reference_text(row)
        (
            chain, position, site_id, container_id, kind, effect_kind, quantity, delta,
            balance_after, book_quantity, estimated, occurred_at, recorded_at, user_id,
            witness_id, second_witness_id, patient_id, session_id, corrects_id,
            related_entry_id, inventory_id, reason, details, _prev_hash, _hash,
        ) = row  # fmt: skip
        if self.sqlite:
            occurred_at = occurred_at.replace(" ", "T", 1) + "+00:00"
            recorded_at = recorded_at.replace(" ", "T", 1) + "+00:00"
        else:
            occurred_at = occurred_at.astimezone(dt.UTC).isoformat()
            recorded_at = recorded_at.astimezone(dt.UTC).isoformat()
        canonical_details = self._details.get(details) or self._details_text(details)
        # in sorted key order, as the template expects
        return template % (
            balance_after, book_quantity, encode_basestring(chain), container_id,
            corrects_id, delta, canonical_details, encode_basestring(effect_kind),
            "true" if estimated else "false", inventory_id, encode_basestring(kind),
            encode_basestring(occurred_at), patient_id, position, quantity,
            encode_basestring(reason), encode_basestring(recorded_at), related_entry_id,
            second_witness_id, session_id, site_id, user_id, witness_id,
        )  # fmt: skip

    def hash_matches(self, prev_hash: str, row: tuple[Any, ...], own_hash: str) -> bool:
        """Whether ``own_hash`` is SHA-256 of ``prev_hash``, a newline and the row's
        canonical bytes — decided by the reference encoder whenever the fast text disagrees."""
        fast = self.text(row)
        if hashlib.sha256(f"{prev_hash}\n{fast}".encode()).hexdigest() == own_hash:
            return True
        reference = self.reference_text(row)
        if reference == fast:
            return False
        return hashlib.sha256(f"{prev_hash}\n{reference}".encode()).hexdigest() == own_hash

    def _details_text(self, details: str) -> str:
        if details == "{}":
            return details
        text = self._details.get(details)
        if text is None:
            if len(self._details) >= _DETAILS_CACHE_SIZE:
                self._details.clear()
            text = self._details[details] = self._json(json.loads(details))
        return text

    def _compile(self, shape: tuple[type, ...]) -> str | None:
        """The ``%`` template for rows of this shape, or None for the reference path when a
        column holds a type no writer leaves there."""
        dates = str if self.sqlite else dt.datetime
        slots = []
        for i in self._order:
            name, kind = CHAINED_FIELDS[i], shape[i]
            if name in _STRINGS or name == "details":
                expected: tuple[type, ...] = (str,)
            elif name in _DATES:
                expected = (dates,)
            elif name == "estimated":
                expected = (bool, int)
            else:
                expected = (int, type(None)) if name in _NULLABLE else (int,)
            if kind not in expected:
                return None
            slot = "%.0snull" if kind is type(None) else "%s"
            slots.append(f"{encode_basestring(name)}:{slot}")
        return "{" + ",".join(slots) + "}"
