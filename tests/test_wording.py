"""Generated wording: counts, lists and p-values read as English."""

import pytest

from helpers.book.wording import (
    capitalise,
    compared,
    count_of,
    listing,
    number_word,
    p_text,
    plural,
    stars_text,
)


def test_count_of_uses_words_for_the_special_cases():
    assert count_of(0, 3, "test") == "none of the 3 tests"
    assert count_of(1, 8, "estimate") == "one of the 8 estimates"
    assert count_of(2, 2, "reference") == "both references"
    assert count_of(8, 8, "mean") == "all 8 means"
    assert count_of(1, 1, "test") == "the only test"
    assert count_of(5, 40, "number") == "five of the 40 numbers"
    assert count_of(12, 40, "number") == "12 of the 40 numbers"


def test_small_words():
    assert number_word(0) == "zero" and number_word(10) == "ten" and number_word(11) == "11"
    assert plural(1) == "is" and plural(0) == "are" and plural(2, "star", "stars") == "stars"
    assert listing([]) == "" and listing(["a"]) == "a" and listing(["a", "b", "c"]) == "a, b and c"
    assert compared(1, 1) == "equals" and compared(0, 1) == "is below" and compared(2, 1) == "is above"
    assert p_text(0.00001) == "p < 0.001" and p_text(0.9999) == "p > 0.999" and p_text(0.25) == "p = 0.250"
    assert capitalise("none of them") == "None of them"


def test_stars_text():
    assert [stars_text(k) for k in range(3)] == ["no star", "one star", "two stars"]


@pytest.mark.parametrize(("p", "text"), [(0.0456, "p = 0.046"), (0.00049, "p < 0.001"), (0.001, "p = 0.001"),
                                         (0.0, "p < 0.001"), (0.99981, "p > 0.999"), (0.999, "p = 0.999")])
def test_p_text_at_the_boundaries(p, text):
    assert p_text(p) == text
