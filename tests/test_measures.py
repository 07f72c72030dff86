"""Tests of helpers.measures: entropy weights/index and the location quotient."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from helpers.data.measures import entropy_index, entropy_weights, location_quotient, normalise

# Hand example (shift 0): a = [0, 1, 2] -> x' = [0, .5, 1] -> p = [0, 1/3, 2/3];
# b = [0, 0, 1] -> p = [0, 0, 1] -> entropy 0, divergence 1.
E_A = -(1 / 3 * math.log(1 / 3) + 2 / 3 * math.log(2 / 3)) / math.log(3)  # 0.5793802...
W_A = (1 - E_A) / ((1 - E_A) + 1)  # 0.2960819...


@pytest.fixture
def hand() -> pd.DataFrame:
    return pd.DataFrame({"a": [0.0, 1.0, 2.0], "b": [0.0, 0.0, 1.0]})


def test_entropy_weights_hand_example(hand):
    w = entropy_weights(hand, shift=0.0)
    assert w["a"] == pytest.approx(0.2960819, abs=1e-7)
    assert w["a"] == pytest.approx(W_A, rel=1e-12)
    assert w["b"] == pytest.approx(1 - W_A, rel=1e-12)


def test_entropy_index_hand_example(hand):
    idx, w = entropy_index(hand, shift=0.0)
    assert idx.tolist() == pytest.approx([0.0, 0.5 * W_A, 1.0])


def test_negative_direction_hand_example(hand):
    # b reversed: x' = [1, 1, 0] -> p = [.5, .5, 0] -> entropy ln2/ln3
    w = entropy_weights(hand, directions={"a": 1, "b": -1}, shift=0.0)
    d_a, d_b = 1 - E_A, 1 - math.log(2) / math.log(3)
    assert w["b"] == pytest.approx(d_b / (d_a + d_b), rel=1e-12)
    assert normalise(hand, {"a": 1, "b": -1})["b"].tolist() == [1.0, 1.0, 0.0]


@pytest.fixture
def random_matrix() -> pd.DataFrame:
    rng = np.random.default_rng(7)
    return pd.DataFrame(rng.lognormal(size=(60, 4)), columns=list("wxyz"))


def test_weights_nonnegative_sum_to_one_index_in_unit_interval(random_matrix):
    idx, w = entropy_index(random_matrix)
    assert (w >= 0).all()
    assert w.sum() == pytest.approx(1.0)
    assert idx.min() >= 0 and idx.max() <= 1


def test_invariant_to_rescaling_an_indicator(random_matrix):
    scaled = random_matrix.assign(x=random_matrix["x"] * 1e4 + 3)
    pd.testing.assert_series_equal(entropy_weights(random_matrix), entropy_weights(scaled))
    pd.testing.assert_series_equal(entropy_index(random_matrix)[0], entropy_index(scaled)[0])


def test_constant_indicator_gets_zero_weight(random_matrix):
    w = entropy_weights(random_matrix.assign(c=5.0))
    assert w["c"] == 0.0
    assert w.sum() == pytest.approx(1.0)
    # and the other weights are exactly those without the constant column
    pd.testing.assert_series_equal(w.drop("c"), entropy_weights(random_matrix))


def test_shift_is_an_argument(random_matrix):
    a, b = entropy_weights(random_matrix, shift=1e-4), entropy_weights(random_matrix, shift=0.1)
    assert not np.allclose(a, b)


def test_missing_values_rejected(hand):
    with pytest.raises(ValueError, match="'a' has missing values"):
        entropy_weights(hand.assign(a=[0.0, np.nan, 1.0]))


def test_bad_direction_rejected(hand):
    with pytest.raises(ValueError, match="must be \\+1 or -1"):
        entropy_weights(hand, directions=[1, 0])


def test_location_quotient_hand_example():
    # region: 30 of 100 in the sector; nation: 200 of 1000 -> 0.3 / 0.2
    assert location_quotient(30.0, 100.0, 200.0, 1000.0) == pytest.approx(1.5)
    lq = location_quotient(pd.Series([30.0, 10.0]), pd.Series([100.0, 100.0]), 200.0, 1000.0)
    assert lq.tolist() == pytest.approx([1.5, 0.5])
