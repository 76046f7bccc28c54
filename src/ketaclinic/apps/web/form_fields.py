"""A form's choice fields by name, typed: for the forms that fill choices in ``__init__``.

django-stubs types ``form.fields`` as ``dict[str, Field]``, so ``self.fields["site"].queryset``
is an error to the type checker although the field is a ``ModelChoiceField``. These return the
field as what it is, checked at run time too: a field renamed or changed to another kind fails
where its choices are set, not later in a template.
"""

from __future__ import annotations

from typing import Any

from django import forms

__all__ = ["choice_field", "model_choice_field"]


def choice_field(form: forms.BaseForm, name: str) -> forms.ChoiceField:
    """``form.fields[name]``, which must be a ``ChoiceField`` (or a kind of one)."""
    field = form.fields[name]
    if not isinstance(field, forms.ChoiceField):
        raise TypeError(f"{type(form).__name__}.{name} is a {type(field).__name__}, not a choice")
    return field


def model_choice_field(form: forms.BaseForm, name: str) -> forms.ModelChoiceField[Any]:
    """``form.fields[name]``, which must be a ``ModelChoiceField`` (single or multiple)."""
    field = form.fields[name]
    if not isinstance(field, forms.ModelChoiceField):
        raise TypeError(f"{type(form).__name__}.{name} is a {type(field).__name__}, not a model")
    return field
