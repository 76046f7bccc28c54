"""A real script calls the running server's API with a token (issue 17's "done when").

The script is a separate Python process using only the standard library (``urllib``), as an
engineer's or researcher's would be; it talks HTTP to a live server, with no session cookie.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from ketaclinic.apps.accounts.api_tokens import issue_token, revoke_token
from ketaclinic.apps.audit.models import AuditEvent

pytestmark = pytest.mark.django_db(transaction=True)

SCRIPT = """
import json, sys, urllib.error, urllib.request

base, token = sys.argv[1], sys.argv[2]
request = urllib.request.Request(
    base + "/api/v1/patients?page_size=10",
    headers={"Authorization": "Bearer " + token, "Accept": "application/json"},
)
try:
    with urllib.request.urlopen(request, timeout=30) as response:
        print(json.dumps({"status": response.status, "body": json.load(response)}))
except urllib.error.HTTPError as refused:
    print(json.dumps({"status": refused.code, "body": json.load(refused)}))
"""


def run_script(base_url: str, token: str) -> dict:
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT, base_url, token],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return json.loads(done.stdout)


def test_a_script_lists_patients_with_a_token_until_it_is_revoked(live_server, clinic):
    token, text = issue_token(
        clinic.nurse,
        name="Nightly patient list",
        permissions=["patients.view_patient"],
        site_ids=[clinic.site_a.pk],
    )
    answer = run_script(live_server.url, text)
    assert answer["status"] == 200
    body = answer["body"]
    assert [p["mrn"] for p in body["items"]] == [clinic.alice.mrn]
    assert (body["page"], body["page_size"], body["has_next"]) == (1, 10, False)
    use = AuditEvent.objects.get(object_type="api_token", action="login")
    assert (use.actor_id, use.detail["prefix"]) == (clinic.nurse.pk, token.prefix)

    revoke_token(token, by=clinic.director)
    refused = run_script(live_server.url, text)
    assert refused["status"] == 401
    assert refused["body"] == {
        "errors": [
            {"field": "", "message": "This API token was revoked.", "code": "not_authenticated"}
        ]
    }
