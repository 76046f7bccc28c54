"""The typed accessors for choice fields (``apps/web/form_fields.py``): the field itself, or a
``TypeError`` naming the form and field when it is not the kind the caller fills."""

from __future__ import annotations

import pytest
from django import forms
from django.contrib.auth.models import Group

from ketaclinic.apps.web.form_fields import choice_field, model_choice_field


class Sample(forms.Form):
    colour = forms.ChoiceField(choices=[("r", "red")])
    group = forms.ModelChoiceField(queryset=Group.objects.none())
    note = forms.CharField()


def test_the_accessors_return_the_form_s_own_field_so_setting_choices_sticks():
    form = Sample()
    choice_field(form, "colour").choices = [("b", "blue")]
    assert list(form.fields["colour"].choices) == [("b", "blue")]
    assert model_choice_field(form, "group") is form.fields["group"]
    assert choice_field(form, "group") is form.fields["group"]  # a model choice is a choice


@pytest.mark.parametrize(
    ("accessor", "name"),
    [(choice_field, "note"), (model_choice_field, "note"), (model_choice_field, "colour")],
)
def test_a_field_of_another_kind_is_a_type_error_naming_it(accessor, name):
    with pytest.raises(TypeError, match=f"Sample.{name} is a"):
        accessor(Sample(), name)
