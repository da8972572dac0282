"""The pro-rata split of ``api/verify/flow.py``: whole units, exact sums, proportional shares."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from api.verify import split_pro_rata


@given(st.integers(0, 10**30), st.lists(st.integers(0, 10**30), min_size=1, max_size=30))
def test_shares_add_up_exactly_and_stay_within_a_unit_of_proportional(total: int, weights: list[int]) -> None:
    shares = split_pro_rata(total, weights)
    weight = sum(weights)
    assert len(shares) == len(weights)
    if weight == 0 or total == 0:
        assert shares == [0] * len(weights)
        return
    assert sum(shares) == total
    for share, size in zip(shares, weights, strict=True):
        assert total * size // weight <= share <= total * size // weight + 1


def test_ties_go_to_the_earlier_bucket() -> None:
    assert split_pro_rata(1, [1, 1]) == [1, 0]
    assert split_pro_rata(10, [1, 2, 2]) == [2, 4, 4]
