"""Passwords that are long enough but easy to guess are refused (issue 14, item 3)."""

from __future__ import annotations

import pytest
from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError

from ketaclinic.apps.accounts.models import User
from ketaclinic.apps.accounts.password_strength import GuessablePasswordValidator


@pytest.mark.parametrize(
    "password",
    ["aaaaaaaaaaaa", "abcdefghijkl", "qwertyuiopas", "password1234", "Ketamine2026!"],
)
def test_guessable_passwords_are_refused_with_a_stable_code(password):
    with pytest.raises(ValidationError) as refused:
        GuessablePasswordValidator().validate(password)
    assert refused.value.error_list[0].code == "password_too_guessable"


def test_the_persons_own_name_counts_as_a_known_word():
    user = User(username="hmarsh", first_name="Helena", last_name="Marshwood")
    with pytest.raises(ValidationError):
        GuessablePasswordValidator().validate("Marshwood2026!", user)
    GuessablePasswordValidator().validate("Marshwood2026!", User(username="someone"))


@pytest.mark.parametrize(
    "password", ["correct-horse-battery-staple", "plum tractor lighthouse 42", "x9!Qz7#Lm2$Vb"]
)
def test_unrelated_words_or_random_characters_pass(password):
    GuessablePasswordValidator().validate(password)


def test_the_validator_is_one_of_the_projects_validators():
    with pytest.raises(ValidationError) as refused:
        password_validation.validate_password("aaaaaaaaaaaa")
    codes = {error.code for error in refused.value.error_list}
    assert "password_too_guessable" in codes


def test_a_score_outside_zero_to_four_is_a_configuration_error():
    with pytest.raises(ValueError, match="min_score"):
        GuessablePasswordValidator(min_score=5)
