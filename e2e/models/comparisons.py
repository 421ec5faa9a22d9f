"""Comparisons producing bool tensors, and `where` selecting with them."""

from __future__ import annotations

import torch

from e2e.models._inputs import Lambda, floats, ints
from e2e.suite import Tolerance, case


@case(name="where_i32", rtl=True)
def where_i32():
    return Lambda(lambda x, y: torch.where(x > y, x, y * 2)), (ints((4, 4), seed=51), ints((4, 4), seed=52))


@case(name="compare_bool_i32", rtl=True)
def compare_bool_i32():
    """Bool results: equality, ordering, and a combination of both."""
    return Lambda(lambda x, y: ((x == y) | (x < 0), x >= y)), (ints((4, 4), seed=53, low=-3, high=3), ints((4, 4), seed=54, low=-3, high=3))


@case(name="leaky_where_f32", tolerance=Tolerance())
def leaky_where_f32():
    return Lambda(lambda x: torch.where(x > 0, x, 0.1 * x)), (floats((4, 4), seed=55),)


@case(name="masked_fill_i32", rtl=True)
def masked_fill_i32():
    return Lambda(lambda x: x.masked_fill(x < -2, 0)), (ints((4, 4), seed=56),)

