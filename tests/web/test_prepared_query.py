"""Queries compiled once: the same rows and instances as the ORM, and nothing else."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.models import Permission
from django.contrib.sessions.models import Session
from django.db import connection
from django.http import Http404
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from ketaclinic.apps.accounts.models import SiteRole
from ketaclinic.apps.accounts.roles import Role
from ketaclinic.apps.accounts.scoping import (
    ACCESS_ROWS,
    SiteAccessBackend,
    _access_rows,
    get_for_user_or_404,
)
from ketaclinic.apps.accounts.sessions import SessionStore
from ketaclinic.apps.audit.choices import Action
from ketaclinic.apps.audit.models import AuditEvent
from ketaclinic.apps.audit.recorder import record_event
from ketaclinic.apps.patients.models import Patient
from ketaclinic.apps.web.prepared_query import CONSTANT, PreparedQuery

pytestmark = pytest.mark.django_db


def test_the_access_rows_are_the_orms_rows_for_every_way_access_is_held(clinic):
    from django.contrib.auth.models import Group

    user = clinic.nurse
    SiteRole.objects.create(
        user=user, site=clinic.site_b, group=Group.objects.get(name=Role.FRONT_DESK)
    )
    user.user_permissions.add(Permission.objects.get(codename="view_auditevent"))
    expected = sorted(_access_rows(user.pk), key=repr)
    assert sorted(ACCESS_ROWS.rows(user.pk), key=repr) == expected
    assert {site for site, _perm in expected} >= {None, clinic.site_a.pk, clinic.site_b.pk}


def test_a_query_is_built_and_compiled_once_per_database(clinic):
    built = []

    def build(pk):
        built.append(pk)
        return Patient.objects.filter(pk=pk).values_list("mrn")

    prepared = PreparedQuery(build)
    assert prepared.rows(clinic.alice.pk) == [(clinic.alice.mrn,)]
    assert prepared.rows(clinic.bob.pk) == [(clinic.bob.mrn,)]
    assert len(built) == 1


def test_a_query_that_does_not_pass_its_value_as_a_parameter_is_refused(clinic):
    prepared = PreparedQuery(lambda pk: Patient.objects.filter(mrn="A-1").values_list("mrn"))
    with pytest.raises(ValueError, match="parameter"):
        prepared.rows(clinic.alice.pk)


def test_instances_equal_the_orms_with_converted_values_and_their_related_rows(clinic):
    prepared = PreparedQuery(lambda pk: Patient.objects.select_related("site").filter(pk=pk))
    (found,) = prepared.instances(clinic.alice.pk)
    expected = Patient.objects.get(pk=clinic.alice.pk)
    for field in Patient._meta.concrete_fields:
        assert getattr(found, field.attname) == getattr(expected, field.attname), field.name
    assert isinstance(found.date_of_birth, dt.date)
    assert not found._state.adding
    with CaptureQueriesContext(connection) as queries:
        assert found.site.name == "Riverside"
    assert not queries.captured_queries


def test_rows_are_converted_as_values_list_converts_them(clinic):
    record_event(None, Action.VIEW, object_type="test", patient=clinic.alice)
    prepared = PreparedQuery(
        lambda: AuditEvent.objects.values_list("occurred_at", "detail"), sentinel=CONSTANT
    )
    assert [tuple(row) for row in prepared.rows()] == list(
        AuditEvent.objects.values_list("occurred_at", "detail")
    )
    assert timezone.is_aware(prepared.rows()[0][0])


def test_a_session_past_its_expiry_is_no_session(db):
    store = SessionStore()
    store["who"] = "someone"
    store.create()
    assert SessionStore(store.session_key).load() == {"who": "someone"}
    Session.objects.filter(session_key=store.session_key).update(
        expire_date=dt.datetime(2000, 1, 1, tzinfo=dt.UTC)  # long past
    )
    expired = SessionStore(store.session_key)
    assert expired.load() == {}
    assert expired.session_key is None


def test_the_backend_reads_the_user_and_refuses_an_inactive_one(clinic):
    backend = SiteAccessBackend()
    assert backend.get_user(clinic.nurse.pk) == clinic.nurse
    assert backend.get_user("not a number") is None
    assert backend.get_user(987_654_321) is None
    clinic.nurse.is_active = False
    clinic.nurse.save()
    assert backend.get_user(clinic.nurse.pk) is None


@pytest.mark.parametrize("key", ["abc", "", None, 2**63, -(2**63) - 1, "1.5", 987_654_321])
def test_a_malformed_missing_or_out_of_range_key_is_a_404(clinic, key):
    with pytest.raises(Http404):
        get_for_user_or_404(Patient, clinic.nurse, "patients.view_patient", pk=key)


def test_the_row_is_found_only_at_a_site_where_the_permission_is_held(clinic):
    perm = "patients.view_patient"
    assert get_for_user_or_404(Patient, clinic.nurse, perm, pk=str(clinic.alice.pk)) == clinic.alice
    with pytest.raises(Http404):
        get_for_user_or_404(Patient, clinic.nurse_b, perm, pk=clinic.alice.pk)
    with pytest.raises(Http404):  # works at site A, but does not hold the permission
        get_for_user_or_404(Patient, clinic.no_role, perm, pk=clinic.alice.pk)
    # The queryset form (a narrower set of rows) still takes the ORM's way, with the same rule.
    narrowed = Patient.objects.filter(family_name="nobody")
    with pytest.raises(Http404):
        get_for_user_or_404(narrowed, clinic.nurse, perm, pk=clinic.alice.pk)
