"""``/hooks/sms/<site>/``: the SMS provider's inbound webhook (PUBLIC: no login).

Why it cannot leak or be forged: it answers only a POST signed with the site's secret
(``sms.signature_valid``: HMAC-SHA256 over timestamp and body, 5-minute window), says nothing
about who was found beyond a count, and changes only the texting consent of patients at that
site whose number sent the text. A bad or missing signature is 403 before anything is read.
"""

from __future__ import annotations

import json

from django.contrib.auth.decorators import login_not_required
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from ketaclinic.apps.accounts.models import Site
from ketaclinic.apps.reminders.sms import handle_inbound, signature_valid, sms_channel_of
from ketaclinic.apps.web import clock


@login_not_required
@csrf_exempt  # a provider's server-to-server call; the HMAC signature is the check
@require_POST
def inbound_sms(request: HttpRequest, site_slug: str) -> HttpResponse:
    site = Site.objects.filter(slug=site_slug).first()
    channel = sms_channel_of(site) if site else None
    if channel is None:
        raise Http404("No SMS channel here")
    now = clock.now()
    if not signature_valid(
        channel.secret(),
        request.headers.get("X-Ketaclinic-Timestamp", ""),
        request.headers.get("X-Ketaclinic-Signature", ""),
        request.body,
        now,
    ):
        return JsonResponse({"detail": "bad signature"}, status=403)
    try:
        payload = json.loads(request.body)
        phone, text = str(payload["from"]), str(payload["body"])
    except (ValueError, KeyError, TypeError):
        return JsonResponse({"errors": [{"field": "body", "message": "from and body"}]}, status=422)
    result = handle_inbound(site, phone, text, now=now, request=request)
    return JsonResponse(result)
