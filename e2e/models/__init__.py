"""Every model of the suite, by topic; importing this package registers them all."""

from e2e.models import (  # noqa: F401
    comparisons,
    conv_pool,
    creation,
    dtypes,
    elementwise,
    integer_semantics,
    linear_algebra,
    networks,
    normalization,
    precision,
    python_values,
    reductions,
    robustness,
    shape_ops,
)
