"""Form numbers are read in one place (core.params): whole_number for counts, where 0 is
a real answer, and row_id for keys, where 0 matches no row (review item 13)."""

from __future__ import annotations

import pytest

from core.params import row_id, whole_number


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("0", 0),
        (" 42 ", 42),
        ("9" * 18, int("9" * 18)),
        ("²", None),
        ("-1", None),
        ("1.5", None),
        ("", None),
        (None, None),
        ("1" * 19, None),
        ("1" * 5000, None),
    ],
)
def test_whole_number_reads_plain_ascii_digits_only(raw: object, expected: int | None) -> None:
    assert whole_number(raw) == expected


@pytest.mark.parametrize(("raw", "expected"), [("17", 17), ("²", 0), ("", 0), (None, 0)])
def test_row_id_is_zero_for_anything_but_a_whole_number(raw: object, expected: int) -> None:
    assert row_id(raw) == expected
