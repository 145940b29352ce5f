"""Resident ID numbers: the GB 11643 check digit, birth dates, and what is refused."""

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from registry.validators import id_check_char, validate_id_number

# Published examples of the standard and check digits worked by hand:
# 11010519491231002X: weighted sum 167, 167 mod 11 = 2 -> "X"; 110105198005170017: 192 mod 11 = 5 -> "7".
VALID = ["11010519491231002X", "110105198005170017", "532325198001010012"]


@pytest.mark.parametrize("number", VALID)
def test_it_accepts_real_numbers(number: str) -> None:
    assert id_check_char(number[:17]) == number[17]
    validate_id_number(number)


def test_it_accepts_a_lowercase_x() -> None:
    validate_id_number("11010519491231002x")


def _message(number: str) -> tuple[str, str]:
    with translation.override("zh-hans"), pytest.raises(ValidationError) as raised:
        validate_id_number(number)
    error = raised.value
    return error.code or "", str(error.messages[0])


def test_it_refuses_a_wrong_check_digit_naming_the_right_one() -> None:
    code, message = _message("110105194912310021")
    assert code == "id_check_digit"
    assert message == "身份证号校验码错误：应为 X，而不是 1。"


def test_it_refuses_an_impossible_birth_date() -> None:
    first17 = "11010519990230001"  # 30 February
    code, message = _message(first17 + id_check_char(first17))
    assert code == "id_birth_date"
    assert "19990230" in message and "不是有效日期" in message


def test_it_refuses_a_birth_date_in_the_future() -> None:
    first17 = "11010520990101001"
    code, _message_text = _message(first17 + id_check_char(first17))
    assert code == "id_birth_date"


@pytest.mark.parametrize("number", ["1101051949123100", "11010519491231002Y", "A1010519491231002X", ""])
def test_it_refuses_the_wrong_shape(number: str) -> None:
    code, message = _message(number)
    assert code == "id_shape"
    assert message.startswith("身份证号应为18位")


def test_it_refuses_an_unknown_province() -> None:
    first17 = "99010519491231002"
    code, message = _message(first17 + id_check_char(first17))
    assert code == "id_region"
    assert "99" in message
