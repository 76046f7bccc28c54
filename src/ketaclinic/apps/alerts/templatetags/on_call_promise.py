"""``{% load on_call_promise %}{% contact_promise site %}``: what a patient is told about being
contacted after an urgent answer — taken from the site's on-call policy, never hard-coded."""

from __future__ import annotations

from typing import Any

from django import template

from ketaclinic.apps.alerts.on_call import contact_promise as promise_for_site

register = template.Library()


@register.simple_tag
def contact_promise(site: Any) -> str:
    return promise_for_site(site)
