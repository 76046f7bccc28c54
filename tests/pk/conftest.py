from __future__ import annotations

import pytest


@pytest.fixture
def as_persona(client, clinic):
    def login(persona: str):
        user = clinic.persona(persona)
        if user is not None:
            client.force_login(user)
        return client

    return login
