"""Roles with many pages see the Clinic pages at the top and the rest grouped by task."""

from __future__ import annotations

from django.urls import reverse


def menu(client, user):
    client.force_login(user)
    context = client.get(
        reverse("alerts:on-call") if user.has_perm("alerts.manage_on_call") else "/"
    ).context
    return (
        [item["label"] for item in context["nav_top"]],
        {
            g["label"]: ([i["label"] for i in g["items"]], g["current"])
            for g in context["nav_groups"]
        },
    )


def test_the_director_sees_clinic_pages_and_three_groups(client, clinic):
    top, groups = menu(client, clinic.director)
    assert top == ["Today", "Patients", "Schedule", "Sessions", "Waitlist", "Alerts"]
    assert list(groups) == ["Programs", "Records", "Admin"]
    assert groups["Records"][0][:2] == ["Ledger", "Outcomes"]
    assert groups["Admin"] == (["Staff", "On call"], True)  # the page open is in this group


def test_a_role_with_few_pages_keeps_one_flat_menu(client, clinic):
    top, groups = menu(client, clinic.front_desk)
    assert groups == {}
    assert "Waitlist" in top


def test_the_menu_is_one_button_and_an_external_script_no_inline_code(client, clinic):
    client.force_login(clinic.director)
    html = client.get("/").content.decode()
    assert 'class="nav-toggle" aria-expanded="false" aria-controls="site-menu"' in html
    assert "/static/web/navigation.js" in html
    assert "<script>" not in html
    assert " style=" not in html
    # the brand link's name contains its visible text (axe: label-content-name-mismatch)
    assert 'Ketaclinic<span class="visually-hidden"> home</span></a>' in html
