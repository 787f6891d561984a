"""Cron expression validation for an external source's crawl frequency."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rabbit.domain.errors import ValidationError
from rabbit.domain.policies.cron import is_valid_cron, validate_cron


@pytest.mark.parametrize(
    "expression",
    [
        "0 0 * * *",
        "*/15 * * * *",
        "0 9-17/2 * * MON-FRI",
        "30 6 1,15 jan-mar,dec sun",
        "0 0 * * 7",
        "5,10-20,*/7 0-23 1-31 1-12 0-6",
        "@daily",
        "  0   0 * * *  ",
    ],
)
def test_valid_expressions_are_accepted(expression: str) -> None:
    assert is_valid_cron(expression)


@pytest.mark.parametrize(
    "expression",
    [
        "",
        "* * * *",
        "* * * * * *",
        "60 * * * *",
        "* 24 * * *",
        "* * 0 * *",
        "* * 32 * *",
        "* * * 13 *",
        "* * * * 8",
        "5-1 * * * *",
        "*/0 * * * *",
        "5/10 * * * *",
        "* * * FOO *",
        "* * * * MON-",
        "1,,2 * * * *",
        "-1 * * * *",
        "* * * MON *",
        "@sometimes",
    ],
)
def test_invalid_expressions_name_the_callers_field(expression: str) -> None:
    with pytest.raises(ValidationError) as error:
        validate_cron(expression, field="external_source.crawl_frequency")
    assert error.value.field == "external_source.crawl_frequency"


def test_default_field_is_crawl_frequency() -> None:
    with pytest.raises(ValidationError) as error:
        validate_cron("nonsense")
    assert error.value.field == "crawl_frequency"


@settings(max_examples=200, deadline=None)
@given(
    minute=st.integers(0, 59),
    hour=st.integers(0, 23),
    dom=st.integers(1, 31),
    month=st.integers(1, 12),
    dow=st.integers(0, 7),
    step=st.integers(1, 30),
)
def test_in_range_values_are_accepted_and_out_of_range_refused(
    minute: int, hour: int, dom: int, month: int, dow: int, step: int
) -> None:
    assert is_valid_cron(f"{minute} {hour}/{step} {dom} {month} {dow}") is False
    assert is_valid_cron(f"{minute} 0-{hour}/{step} {dom} {month} {dow}")
    assert not is_valid_cron(f"{minute + 60} {hour} {dom} {month} {dow}")
    assert not is_valid_cron(f"{minute} {hour} {dom} {month + 12} {dow}")
