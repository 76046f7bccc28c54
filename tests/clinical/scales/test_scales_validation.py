"""Input rules shared by every instrument: one strict shape, every refusal names the item."""

from __future__ import annotations

import pytest

from ketaclinic.clinical.exceptions import InputError, InvalidValue, MissingItem, UnknownCode
from ketaclinic.clinical.scales import FlagLevel, score


def test_a_string_is_not_a_list_of_answers() -> None:
    with pytest.raises(InvalidValue) as caught:
        score("phq9", "000000000")  # type: ignore[arg-type]
    assert caught.value.field == "answers"


def test_a_number_is_not_a_list_of_answers() -> None:
    with pytest.raises(InvalidValue) as caught:
        score("phq9", 5)  # type: ignore[arg-type]
    assert caught.value.field == "answers"


def test_a_tuple_of_answers_is_accepted() -> None:
    assert score("gad7", (0, 0, 0, 0, 0, 0, 1)).total == 1


def test_none_for_a_required_item_in_a_mapping_is_a_missing_answer() -> None:
    answers = {f"item{n}": 0 for n in range(1, 8)} | {"item4": None}
    with pytest.raises(MissingItem) as caught:
        score("gad7", answers)
    assert str(caught.value) == "item4: missing answer"


def test_an_unknown_key_names_the_key_and_the_valid_range() -> None:
    with pytest.raises(UnknownCode) as caught:
        score("moaas", {"score": 5})
    assert caught.value.field == "score"
    assert "item1" in caught.value.message


def test_bool_answers_are_refused_even_though_python_treats_them_as_numbers() -> None:
    with pytest.raises(InvalidValue) as caught:
        score("pain_nrs", [True])
    assert caught.value.field == "item1"


def test_every_refusal_is_an_input_error_the_web_layer_can_show() -> None:
    for answers in ([], [11], ["7"], [7.0], [None]):
        with pytest.raises(InputError):
            score("pain_nrs", answers)


def test_a_positive_item_nine_is_an_alert_the_web_layer_must_raise() -> None:
    result = score("phq9", [0, 0, 0, 0, 0, 0, 0, 0, 2])
    assert result.has_alert
    assert result.flags[0].level is FlagLevel.ALERT


def test_a_warning_alone_is_not_an_alert() -> None:
    result = score("madrs", [0, 0, 0, 0, 0, 0, 0, 0, 0, 1])
    assert result.flags
    assert not result.has_alert


def test_the_result_keeps_only_the_answers_given() -> None:
    result = score("cssrs_screen", [0, 0, None, None, None, 0])
    assert dict(result.answers) == {"item1": 0, "item2": 0, "item6": 0}
