"""The fold planner (`plan_factors`) on nests described by hand: which folds a target interval buys, and in what order."""

from __future__ import annotations

from backend.rtl.torch_side.fold_reductions import ReductionNest, plan_factors


def test_a_chain_folds_by_divisors_of_each_level_times_the_levels_below() -> None:
    conv = ReductionNest(chain=(3, 3, 4), iterations=3 * 3 * 4 * 100)
    steps, factor = [], 1
    while (factor := conv.next_factor(factor)) is not None:
        steps.append(factor)
    assert steps == [3, 9, 18, 36]  # 3 | 3; 3 x (3 | 3); 9 x (2, 4 | 4)
    assert ReductionNest(chain=(7,), iterations=7).next_factor(7) is None


def test_the_biggest_nest_folds_first_until_the_target_is_met() -> None:
    big, small = ReductionNest((64,), 64 * 32), ReductionNest((32,), 32 * 10)
    # 2048 + 320 + 50 iterations; halving the big nest twice (512) leaves 512 + 320 + 50 = 882 <= 900.
    assert plan_factors([big, small], fixed=50, target=900) == [4, 1]
    # 300: the big nest folds until it is no longer the biggest, then they take turns.
    folds = plan_factors([big, small], fixed=50, target=300)
    assert 50 + 2048 // folds[0] + 320 // folds[1] <= 300
    assert folds[1] > 1


def test_an_unreachable_target_folds_every_chain_whole() -> None:
    nests = [ReductionNest((16,), 16 * 6), ReductionNest((6,), 12)]
    assert plan_factors(nests, fixed=10_000, target=100) == [16, 6]


def test_a_met_target_folds_nothing() -> None:
    assert plan_factors([ReductionNest((16,), 96)], fixed=0, target=96) == [1]
