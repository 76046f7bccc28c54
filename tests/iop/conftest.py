"""IOP fixtures: the clinic's personas, a group led by Theo with Alice on the roster and a
session held yesterday (Monday 9 March 2026), with the clock fixed on Tuesday."""

from __future__ import annotations

import pytest
from tests.iop.factories import enrol, make_group, make_session


@pytest.fixture
def group(clinic, fixed_clock):
    return make_group(clinic)


@pytest.fixture
def enrolment(clinic, group):
    return enrol(group, clinic.alice, clinic.front_desk)


@pytest.fixture
def session(group, enrolment):
    return make_session(group)


@pytest.fixture
def as_persona(client, clinic):
    def login(persona):
        user = clinic.persona(persona)
        if user is not None:
            client.force_login(user)
        return client

    return login
