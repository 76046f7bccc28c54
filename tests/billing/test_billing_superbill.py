"""Superbills and the claims file, from the chart, with codes, units and fees worked by hand.

Fees (tests/billing/factories.FEES): 99213 $110, J0013 $15 per mg, 90834 $130, G2083
$1,290, 96365 $180, 96366 $60, J3490 $95.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import shutil
import subprocess  # nosec B404 - pdftotext on a file the test wrote
from decimal import Decimal

import pytest
from django.urls import reverse
from tests.billing.factories import authorize, given, make_course, session, set_fees

from ketaclinic.apps.audit.models import AuditEvent
from ketaclinic.apps.billing.choices import PayerKind
from ketaclinic.apps.billing.superbills import CLAIM_COLUMNS, bill
from ketaclinic.apps.treatment.choices import SessionKind, SessionStatus
from ketaclinic.apps.treatment.models import Session

pytestmark = pytest.mark.django_db
UTC = dt.UTC
PERIOD = {"start": "2026-03-01", "end": "2026-03-10"}


def self_pay_week(clinic):
    """Alice pays herself: esketamine 56 mg (Tue 3 Mar) and 84 mg (Fri 6 Mar), and a
    50-minute integration session (Mon 9 Mar)."""
    set_fees(clinic.site_a)
    clinic.prescriber.npi = "1234567893"
    clinic.prescriber.save(update_fields=["npi"])
    course = make_course(clinic)
    given(clinic, course, 1, dt.datetime(2026, 3, 3, 14, 0, tzinfo=UTC), dose_mg="56")
    given(clinic, course, 2, dt.datetime(2026, 3, 6, 14, 0, tzinfo=UTC), dose_mg="84")
    session(
        course,
        3,
        dt.datetime(2026, 3, 9, 18, 0, tzinfo=UTC),
        kind=SessionKind.INTEGRATION,
        status=SessionStatus.CHECKED_IN,
        minutes=50,
    )
    session(course, 4, dt.datetime(2026, 3, 7, 14, 0, tzinfo=UTC), status=SessionStatus.NO_SHOW)
    return course


def test_a_self_pay_esketamine_week_is_coded_and_priced_by_hand(clinic):
    course = self_pay_week(clinic)
    result = bill(Session.objects.filter(course=course))
    assert [
        (str(line.served_on), line.code.code, line.code.units, line.charge) for line in result.lines
    ] == [
        ("2026-03-03", "99213", 1, Decimal("110.00")),
        ("2026-03-03", "J0013", 56, Decimal("840.00")),  # 56 x $15
        ("2026-03-06", "99213", 1, Decimal("110.00")),
        ("2026-03-06", "J0013", 84, Decimal("1260.00")),  # 84 x $15
        ("2026-03-09", "90834", 1, Decimal("130.00")),  # 50 min: 38-52
    ]
    assert result.total == Decimal("2450.00")  # 110 + 840 + 110 + 1260 + 130
    assert {line.payer_kind for line in result.lines} == {PayerKind.SELF_PAY}
    assert result.diagnoses == [
        ("F33.2", "Major depressive disorder, recurrent severe without psychotic features")
    ]
    assert {line.provider_npi for line in result.lines} == {"1234567893"}
    assert {line.place_of_service for line in result.lines} == {"11"}


def test_medicare_bundles_an_84_mg_session_as_g2083(clinic):
    set_fees(clinic.site_a)
    course = make_course(clinic)
    authorize(course, payer_kind=PayerKind.MEDICARE, number="MCR-1")
    given(clinic, course, 1, dt.datetime(2026, 3, 3, 14, 0, tzinfo=UTC), dose_mg="84")
    (line,) = bill(Session.objects.filter(course=course)).lines
    assert (line.code.code, line.code.units, line.charge) == ("G2083", 1, Decimal("1290.00"))
    assert (line.authorization_number, line.member_number) == ("MCR-1", "W123456789")


def test_a_100_minute_infusion_is_a_first_hour_one_additional_hour_and_the_drug(clinic):
    set_fees(clinic.site_a)
    course = make_course(clinic, route="iv")
    given(clinic, course, 1, dt.datetime(2026, 3, 3, 14, 0, tzinfo=UTC), drug_minutes=100)
    lines = bill(Session.objects.filter(course=course)).lines
    # 100 - 60 = 40 > 30 minutes into the second hour: one 96366.
    assert [(line.code.code, line.code.units) for line in lines] == [
        ("96365", 1),
        ("96366", 1),
        ("J3490", 1),
    ]
    assert sum(line.charge for line in lines) == Decimal("335.00")  # 180 + 60 + 95


def test_the_clinic_s_own_code_and_a_missing_fee_show_as_such(clinic):
    from ketaclinic.apps.billing.models import CodeMapping

    course = make_course(clinic)
    CodeMapping.objects.create(site=clinic.site_a, service="office_visit_established", code="99214")
    given(clinic, course, 1, dt.datetime(2026, 3, 3, 14, 0, tzinfo=UTC), dose_mg="56")
    result = bill(Session.objects.filter(course=course))
    assert [line.code.code for line in result.lines] == ["99214", "J0013"]
    assert len(result.unpriced) == 2  # no fee schedule at all
    assert result.total == Decimal("0")


def test_an_infusion_without_its_running_time_is_listed_as_not_coded(clinic):
    course = make_course(clinic, route="iv")
    given(clinic, course, 1, dt.datetime(2026, 3, 3, 14, 0, tzinfo=UTC), drug_minutes=None)
    result = bill(Session.objects.filter(course=course))
    assert result.lines == []
    assert "running time" in result.unbillable[0].reason


def test_the_superbill_page_says_no_claims_are_sent(client, clinic):
    self_pay_week(clinic)
    client.force_login(clinic.front_desk)
    response = client.get(reverse("billing:superbill", args=[clinic.alice.pk]), PERIOD)
    text = response.content.decode()
    assert response.status_code == 200
    assert "No claims are sent electronically" in text
    assert "$2450.00" in text


def test_a_self_pay_patient_gets_a_superbill_pdf_and_the_export_is_audited(client, clinic):
    self_pay_week(clinic)
    client.force_login(clinic.front_desk)
    last = AuditEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0
    response = client.get(reverse("billing:superbill-pdf", args=[clinic.alice.pk]), PERIOD)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    event = AuditEvent.objects.get(id__gt=last, object_type="superbill")
    assert (event.action, event.patient_id) == ("export", clinic.alice.pk)
    if shutil.which("pdftotext"):
        text = subprocess.run(  # nosec B603 B607
            ["pdftotext", "-layout", "-", "-"],
            input=response.content,
            capture_output=True,
            check=True,
        ).stdout.decode()
        for shown in ("J0013", "99213", "90834", "F33.2", "1234567893", "2450.00"):
            assert shown in text
        assert "No claim has been sent" in text


@pytest.mark.parametrize(
    ("persona", "status"), [("nurse", 403), ("therapist", 403), ("nurse_b", 403)]
)
def test_who_may_not_print_a_superbill(client, clinic, persona, status):
    client.force_login(getattr(clinic, persona))
    assert client.get(reverse("billing:superbill", args=[clinic.alice.pk])).status_code == status


def test_another_site_s_front_desk_cannot_find_the_patient(client, clinic):
    from tests.personas import make_user

    other_desk = make_user("fred", "front_desk", [clinic.site_b])
    client.force_login(other_desk)
    assert client.get(reverse("billing:superbill", args=[clinic.alice.pk])).status_code == 404


def test_the_claims_file_uses_cms_1500_names_and_is_safe_in_a_spreadsheet(client, clinic):
    self_pay_week(clinic)
    clinic.alice.family_name = '=HYPERLINK("http://evil/","x")'
    clinic.alice.save(update_fields=["family_name"])
    client.force_login(clinic.director)
    response = client.get(reverse("billing:claims-csv"), PERIOD)
    assert response.status_code == 200
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert list(rows[0]) == list(CLAIM_COLUMNS)
    assert [(r["24D_procedure_code"], r["24G_days_or_units"], r["24F_charges"]) for r in rows] == [
        ("99213", "1", "110.00"),
        ("J0013", "56", "840.00"),
        ("99213", "1", "110.00"),
        ("J0013", "84", "1260.00"),
        ("90834", "1", "130.00"),
    ]
    first = rows[0]
    assert first["21_icd_indicator"] == "0"
    assert first["21A_diagnosis"] == "F33.2"
    assert first["24B_place_of_service"] == "11"
    assert first["33a_billing_provider_npi"] == "1679576722"
    assert first["2_patient_name"].startswith("'=HYPERLINK")


def test_only_those_who_export_claims_get_the_file(client, clinic):
    client.force_login(clinic.prescriber)
    assert client.get(reverse("billing:claims-csv")).status_code == 403


def test_a_year_and_more_is_refused_by_name(client, clinic):
    client.force_login(clinic.director)
    response = client.get(
        reverse("billing:claims-csv"), {"start": "2024-01-01", "end": "2026-03-01"}
    )
    assert response.status_code == 422
    assert b"end" in response.content


def test_the_api_gives_a_session_s_codes_and_refuses_another_site(client, clinic):
    course = self_pay_week(clinic)
    first = course.sessions.get(number=1)
    client.force_login(clinic.front_desk)
    body = client.get(f"/api/v1/billing/sessions/{first.pk}/codes").json()
    assert [(line["code"], line["units"], line["charge"]) for line in body["lines"]] == [
        ("99213", 1, "110.00"),
        ("J0013", 56, "840.00"),
    ]
    client.force_login(clinic.nurse_b)
    assert client.get(f"/api/v1/billing/sessions/{first.pk}/codes").status_code in (403, 404)
