"""Navigation by role: each person sees the pages their permissions open."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest
from django.urls import get_script_prefix, get_urlconf, reverse

from ketaclinic.apps.accounts.choices import MfaState
from ketaclinic.apps.accounts.mfa import SESSION_KEY as MFA_SESSION_KEY

# Menu groups by task. A role with more than FLAT_MENU_LIMIT items sees the Clinic items
# at the top level and the rest under Programs, Records and Admin.
FLAT_MENU_LIMIT = 9
GROUP_OF = {
    "homeprogram": "Programs",
    "kap": "Programs",
    "iop": "Programs",
    "reminders": "Programs",
    "ledger": "Records",
    "outcomes": "Records",
    "pk": "Records",
    "audit": "Records",
    "billing": "Records",
    "accounts": "Admin",
    "on-call": "Admin",
    "admin": "Admin",
}
GROUP_ORDER = ("Programs", "Records", "Admin")

_PATHS: dict[tuple[str, object, str], str] = {}


def _path(name: str) -> str:
    """``reverse(name)`` for a URL without arguments, worked out once per prefix and URLconf:
    the menu reversed a dozen fixed URLs on every page."""
    key = (get_script_prefix(), get_urlconf() or settings.ROOT_URLCONF, name)
    path = _PATHS.get(key)
    if path is None:
        path = _PATHS[key] = reverse(name)
    return path


def navigation(request: HttpRequest) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": [], "nav_top": [], "nav_groups": []}
    if request.session.get(MFA_SESSION_KEY) in (MfaState.ENROL, MfaState.VERIFY):
        # nothing opens before the code
        return {"nav_items": [], "nav_top": [], "nav_groups": [], "mfa_pending": True}
    items = [("Today", _path("home"), "home")]
    if user.has_perm("patients.view_patient"):
        items.append(("Patients", _path("patients:list"), "patients"))
    if user.has_perm("treatment.view_session"):
        items.append(("Schedule", _path("treatment:schedule"), "treatment"))
    if user.has_perm("charting.view_session_chart") or user.has_perm("charting.check_in_session"):
        items.append(("Sessions", _path("charting:list"), "charting"))
    if user.has_perm("enquiries.view_enquiry"):
        items.append(("Waitlist", _path("enquiries:list"), "enquiries"))
    if user.has_perm("alerts.view_alert"):
        items.append(("Alerts", _path("alerts:list"), "alerts"))
    if user.has_perm("homeprogram.view_homeprescription"):
        items.append(("Home program", _path("homeprogram:list"), "homeprogram"))
    if user.has_perm("kap.view_kapprogram"):
        items.append(("KAP", _path("kap:caseload"), "kap"))
    if user.has_perm("iop.view_iopgroup"):
        items.append(("IOP", _path("iop:list"), "iop"))
    if user.has_perm("reminders.view_reminder"):
        items.append(("Reminders", _path("reminders:list"), "reminders"))
    if user.has_perm("ledger.view_ledgerentry"):
        items.append(("Ledger", _path("ledger:dashboard"), "ledger"))
    if user.has_perm("outcomes.view_cohort"):
        items.append(("Outcomes", _path("outcomes:dashboard"), "outcomes"))
    if user.has_perm("pk.use_simulator"):
        items.append(("PK", _path("pk:compare"), "pk"))
    if user.has_perm("billing.view_lapsing_authorizations"):
        items.append(("Billing", _path("billing:lapsing"), "billing"))
    if user.has_perm("audit.view_auditevent"):
        items.append(("Audit", _path("audit:list"), "audit"))
    if user.has_perm("accounts.manage_staff"):
        items.append(("Staff", _path("accounts:staff-list"), "accounts"))
    if user.has_perm("alerts.manage_on_call"):
        items.append(("On call", _path("alerts:on-call"), "on-call"))
    if user.is_staff:
        items.append(("Settings", _path("admin:index"), "admin"))
    match = request.resolver_match
    url_name = (match.url_name if match else "") or ""
    current = (match.namespace if match else "") or url_name
    if current == "accounts" and not url_name.startswith("staff"):
        current = ""  # log-in, password and two-factor pages are not "Staff"
    if url_name.startswith("on-call"):
        current = "on-call"
    entries = [
        {"label": label, "url": url, "current": key == current, "key": key}
        for label, url, key in items
    ]
    grouped = len(entries) > FLAT_MENU_LIMIT
    top = [e for e in entries if not grouped or e["key"] not in GROUP_OF]
    groups = []
    if grouped:
        for name in GROUP_ORDER:
            members = [e for e in entries if GROUP_OF.get(e["key"]) == name]
            if members:
                groups.append(
                    {
                        "label": name,
                        "items": members,
                        "current": any(e["current"] for e in members),
                    }
                )
    return {
        "nav_items": entries,
        "nav_top": top,
        "nav_groups": groups,
        "idle": idle_context(request),
    }


def idle_context(request: HttpRequest) -> dict:
    """What ``accounts/idle.js`` needs: the idle limit, where to ask, and whether drafts wait."""
    from ketaclinic.apps.accounts.drafts import DRAFTS_SESSION_KEY

    return {
        "seconds": settings.SESSION_IDLE_MINUTES * 60,
        "session_url": _path("accounts:session"),
        "drafts_url": _path("accounts:drafts") if request.session.get(DRAFTS_SESSION_KEY) else "",
    }
