"""``ledger verify``'s fast canonical bytes are the reference encoder's, byte for byte.

``CanonicalRows`` builds each entry's canonical JSON from its database row with a
type-gated f-string; the writer hashed ``canonical_bytes(entry.chained_fields())``. These
tests write randomized entries through the real writer (``append_entry``) and compare the two
encodings of every row read back, on whichever database the suite runs on; then they check
that a row the fast text cannot encode, or whose fast text does not reproduce the hash, gets
the reference encoder's verdict.
"""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.db import DatabaseError, connection, transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ketaclinic.apps.audit.hashchain import canonical_bytes, chain_hash
from ketaclinic.apps.ledger.appending import append_entry
from ketaclinic.apps.ledger.canonical_rows import ROW_FIELDS, CanonicalRows
from ketaclinic.apps.ledger.choices import EntryKind
from ketaclinic.apps.ledger.models import Container, LedgerEntry
from ketaclinic.apps.ledger.verification import verify_ledger

# What a database column can hold: no NUL (PostgreSQL text), no lone surrogates (UTF-8).
TEXT = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"))
JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**53), 2**53) | TEXT,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(TEXT, inner, max_size=3),
    max_leaves=8,
)
MOMENTS = st.datetimes(
    min_value=dt.datetime(1990, 1, 1),
    max_value=dt.datetime(2090, 12, 31),
    timezones=st.just(dt.UTC),
)
INTS = st.integers(0, 2**31 - 1)


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    reason=TEXT,
    details=st.dictionaries(TEXT, JSON_VALUES, max_size=4),
    occurred_at=MOMENTS,
    estimated=st.booleans(),
    quantity=INTS,
    with_witness=st.booleans(),
)
def test_fast_bytes_equal_the_writers_bytes_for_randomized_entries(
    clinic, receive, reason, details, occurred_at, estimated, quantity, with_witness
):
    (vial,) = receive("k10") if not Container.objects.exists() else Container.objects.all()[:1]
    entry = append_entry(
        Container.objects.get(pk=vial.pk),
        kind=EntryKind.COUNT,
        delta=0,
        quantity=quantity,
        book_quantity=quantity // 2,
        user=clinic.nurse,
        witness=clinic.prescriber if with_witness else None,
        reason=reason,
        details=details,
        estimated=estimated,
        occurred_at=occurred_at,
    )
    written = canonical_bytes(entry.chained_fields())
    rows = CanonicalRows(chunk_size=7)
    row = next(rows.rows(entry.chain, after=entry.position - 1))

    assert rows.fast_text(row) is not None  # the fast path itself, not its fallback
    assert rows.text(row).encode() == written
    assert rows.reference_text(row).encode() == written
    assert rows.hash_matches(entry.prev_hash, row, entry.hash)
    assert chain_hash(entry.prev_hash, entry.chained_fields()) == row[ROW_FIELDS.index("hash")]


def test_every_row_of_a_real_ledger_encodes_as_written_across_chunks(clinic, receive):
    from ketaclinic.apps.ledger.operations import record_administration

    (vial,) = receive("k10")
    for _ in range(5):
        record_administration(
            container=vial,
            patient=clinic.alice,
            volume_drawn_ml="1.5",
            volume_given_ml="1",
            user=clinic.nurse,
        )
    rows = CanonicalRows(chunk_size=2)  # three chunks and a short one
    chain = f"ledger:{clinic.site_a.pk}"
    read = list(rows.rows(chain))
    entries = list(LedgerEntry.objects.filter(chain=chain).order_by("position"))

    assert [row[ROW_FIELDS.index("position")] for row in read] == [1, 2, 3, 4, 5, 6]
    for row, entry in zip(read, entries, strict=True):
        assert rows.text(row).encode() == canonical_bytes(entry.chained_fields())


# Values at the edges of what the canonical text must carry: every character JSON escapes,
# characters it leaves as they are, instants with and without microseconds, the largest
# quantity, details in any key order.
EDGE_REASONS = [
    "", 'said "no"', "back\\slash", "tab\there", "line\nbreak", "\r\x01\x1f", "\x7f delete",
    "é ü 中文", "emoji 🧪", "\u2028\u2029 separators", "\xa0no-break", "'single'", "{}", "null",
    "0", "a" * 300,
]  # fmt: skip
EDGE_DETAILS = [
    {},
    {"b": 1, "a": [1, {"z": None, "y": True}]},
    {"é": '"quoted"', "\\": "\n"},
    {"n": 2**53, "f": -0.5, "s": ""},
]
EDGE_MOMENTS = [
    dt.datetime(2026, 3, 1, 14, 0, tzinfo=dt.UTC),
    dt.datetime(2026, 3, 1, 14, 0, 0, 1, tzinfo=dt.UTC),
    dt.datetime(2026, 2, 28, 23, 59, 59, 999999, tzinfo=dt.UTC),
    dt.datetime(1990, 1, 1, 0, 0, tzinfo=dt.UTC),
    dt.datetime(
        2026, 3, 1, 19, 30, 15, 250000, tzinfo=dt.timezone(dt.timedelta(hours=5, minutes=30))
    ),
]


def test_fast_bytes_equal_the_writers_bytes_over_edge_values_and_real_doses(clinic, receive):
    """Every combination of the edge values above, and doses (negative deltas, a patient),
    read back in chunks: the fast text — not its fallback — is the writer's bytes."""
    from ketaclinic.apps.ledger.operations import record_administration

    vial, spare = receive("k10", n=2)
    for i, reason in enumerate(EDGE_REASONS):
        append_entry(
            Container.objects.get(pk=vial.pk),
            kind=EntryKind.COUNT,
            delta=0,
            quantity=(0, 2**31 - 1, 20000)[i % 3],
            book_quantity=(20000, 0, 2**31 - 1, 7)[i % 4],
            user=clinic.nurse,
            witness=clinic.prescriber if i % 2 else None,
            reason=reason,
            details=EDGE_DETAILS[i % len(EDGE_DETAILS)],
            estimated=bool(i % 3),
            occurred_at=EDGE_MOMENTS[i % len(EDGE_MOMENTS)],
        )
    for volume in ("0.1", "1.5", "3"):
        record_administration(
            container=spare,
            patient=clinic.alice,
            volume_drawn_ml=volume,
            volume_given_ml=volume,
            user=clinic.nurse,
        )
    chain = f"ledger:{clinic.site_a.pk}"
    rows = CanonicalRows(chunk_size=5)
    read = list(rows.rows(chain))
    entries = list(LedgerEntry.objects.filter(chain=chain).order_by("position"))

    assert len(read) == len(entries) == 2 + len(EDGE_REASONS) + 3
    for row, entry in zip(read, entries, strict=True):
        written = canonical_bytes(entry.chained_fields())
        assert rows.fast_text(row) is not None, entry.position
        assert rows.fast_text(row).encode() == written, entry.position
        assert rows.reference_text(row).encode() == written, entry.position
    assert verify_ledger().ok


def _tamper(statement: str, params: list) -> None:
    with connection.cursor() as cursor:
        cursor.execute(statement, params)


def _first_row_after(clinic, receive, assignment: str) -> tuple[CanonicalRows, tuple]:
    """Receive a vial, change its entry (position 1) by ``assignment``, read it back."""
    receive("k10")
    chain = f"ledger:{clinic.site_a.pk}"
    _tamper(
        f"UPDATE ledger_ledgerentry SET {assignment} WHERE chain = %s AND position = 1",  # noqa: S608
        [chain],
    )
    rows = CanonicalRows()
    return rows, next(rows.rows(chain))


def _postgresql_refuses(clinic, receive, assignment: str) -> None:
    """PostgreSQL types its columns: the tampering SQLite keeps is refused outright, in a
    savepoint, and the ledger reads back unchanged. (On SQLite the tests below go on to check
    the verifier's type gate, which only SQLite needs.)"""
    receive("k10")
    chain = f"ledger:{clinic.site_a.pk}"
    with pytest.raises(DatabaseError, match=r"type|syntax"), transaction.atomic():
        _tamper(
            f"UPDATE ledger_ledgerentry SET {assignment} WHERE chain = %s AND position = 1",  # noqa: S608
            [chain],
        )
    assert verify_ledger().ok


def test_a_value_of_the_wrong_type_is_left_to_the_reference_encoder_which_catches_it(
    clinic, receive
):
    """SQLite keeps whatever it is given: the text '20000u' where an integer was. The
    template is never used for a row of a shape no writer leaves; the reference encoder
    finds the entry altered."""
    if connection.vendor == "postgresql":
        _postgresql_refuses(clinic, receive, "quantity = quantity || 'u'")
        return
    rows, row = _first_row_after(clinic, receive, "quantity = quantity || 'u'")
    assert isinstance(row[ROW_FIELDS.index("quantity")], str)
    assert rows.text(row) == rows.reference_text(row)  # the reference path, not the fast text
    report = verify_ledger()
    assert not report.ok
    assert "position 1: record content was altered" in report.problem


def test_stored_text_the_reference_reads_as_the_same_moment_gets_the_reference_verdict(
    clinic, receive
):
    """'14:00:00.000000' is the instant the writer hashed as '14:00:00': the fast text differs
    from the hashed bytes, so the reference encoder decides — and finds nothing altered."""
    if connection.vendor == "postgresql":
        _postgresql_refuses(clinic, receive, "occurred_at = occurred_at || '.000000'")
        return
    receive("k10")
    chain = f"ledger:{clinic.site_a.pk}"
    entry = LedgerEntry.objects.get(chain=chain, position=1)
    assert entry.occurred_at.microsecond == 0
    _tamper(
        "UPDATE ledger_ledgerentry SET occurred_at = occurred_at || '.000000' "
        "WHERE chain = %s AND position = 1",
        [chain],
    )
    rows = CanonicalRows()
    row = next(rows.rows(chain))
    assert rows.text(row) != rows.reference_text(row)
    assert rows.hash_matches(entry.prev_hash, row, entry.hash)
    assert verify_ledger().ok


def test_the_text_null_where_a_null_was_is_not_mistaken_for_it(clinic, receive):
    """SQLite keeps the text 'null' in an integer column. Its fast text would read as the
    NULL the writer hashed; the type gate sends it to the reference encoder, which sees a
    string where the writer had nothing, and the entry is named altered."""
    if connection.vendor == "postgresql":
        _postgresql_refuses(clinic, receive, "book_quantity = 'null'")
        return
    rows, row = _first_row_after(clinic, receive, "book_quantity = 'null'")
    assert row[ROW_FIELDS.index("book_quantity")] == "null"
    assert rows.fast_text(row) is None
    report = verify_ledger()
    assert not report.ok
    assert "position 1: record content was altered" in report.problem


def test_bytes_that_spell_the_written_number_are_not_the_number(clinic, receive):
    """A BLOB of the digits the writer hashed is not an integer: no fast text for it."""
    if connection.vendor == "postgresql":
        _postgresql_refuses(clinic, receive, "quantity = CAST(CAST(quantity AS TEXT) AS BYTEA)")
        return
    rows, row = _first_row_after(clinic, receive, "quantity = CAST(CAST(quantity AS TEXT) AS BLOB)")
    assert isinstance(row[ROW_FIELDS.index("quantity")], bytes)
    assert rows.fast_text(row) is None


def test_details_are_reencoded_canonically_whatever_their_stored_spacing():
    rows = CanonicalRows()
    stored = '{"b": [1, {"z": "é", "a": null}], "a": "\\"quoted\\""}'
    assert rows._details_text(stored) == json.dumps(
        json.loads(stored), sort_keys=True, separators=(",", ":"), ensure_ascii=False
    )
    assert rows._details_text("{}") == "{}"
