"""Where people find the public enquiry form: ``/join/`` lists the sites, and each site has a
printable poster with the form's address and a QR code for the front desk.

The address in the QR code is ``KETACLINIC_PUBLIC_URL`` + the form's path, never the host a
member of staff happened to use (an internal name would not work on a patient's phone).
"""

from __future__ import annotations

import segno
from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.safestring import mark_safe

from ketaclinic.apps.accounts.models import Site
from ketaclinic.apps.accounts.scoping import require_permission, sites_for


def public_form_url(site: Site) -> str:
    return settings.KETACLINIC_PUBLIC_URL + reverse("join:form", args=[site.slug])


def join_index_url() -> str:
    return settings.KETACLINIC_PUBLIC_URL + reverse("join:index")


@login_not_required  # public: sites' names, addresses and phones, which clinics publish anyway
def join_index(request: HttpRequest) -> HttpResponse:
    """Public: every site, each linking to its enquiry form. Nothing about patients or staff
    is read here (``tests/enquiries/test_join_poster_and_intake_schedule.py``)."""
    sites = Site.objects.order_by("name").only("name", "slug", "address", "phone")
    return render(request, "enquiries/public_index.html", {"sites": sites})


@require_permission("enquiries.view_enquiry")
def poster(request: HttpRequest, site_slug: str) -> HttpResponse:
    """A page to print and pin up: the site's form address and a QR code that opens it."""
    site = get_object_or_404(sites_for(request.user, "enquiries.view_enquiry"), slug=site_slug)
    url = public_form_url(site)
    qr = segno.make(url, error="m")
    svg = qr.svg_inline(scale=8, title=f"QR code for {url}", dark="#000", light="#fff")
    return render(
        request,
        "enquiries/poster.html",
        {"site": site, "url": url, "qr_svg": mark_safe(svg)},  # noqa: S308  # nosec B308 B703 - segno's own SVG of our URL
    )
