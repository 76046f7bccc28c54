"""Showing ledger quantities: mL with up to three decimals, or units; mg without zeros."""

from __future__ import annotations

from decimal import Decimal

from django import template

register = template.Library()


@register.filter
def quantity(product, amount) -> str:
    """``{{ product|quantity:entry.quantity }}`` → "2.5 mL" or "3 units"."""
    if amount in (None, ""):
        return ""
    return product.quantity_text(int(amount))


@register.filter
def signed_quantity(product, amount) -> str:
    """A change with its sign: "+20 mL", "−3.2 mL"."""
    amount = int(amount)
    sign = "+" if amount > 0 else ("−" if amount < 0 else "±")
    return f"{sign}{product.quantity_text(abs(amount))}"


@register.filter
def normalize(value) -> str:
    if not isinstance(value, Decimal):
        return str(value)
    return f"{value.normalize():f}"
