"""scikit-learn's estimator checks on DIRRegressor (small, fast configuration)."""

import pytest

pytest.importorskip("torch")
pytest.importorskip("skorch")

from sklearn.utils.estimator_checks import parametrize_with_checks  # noqa: E402

from skdir.nn import (  # noqa: E402
    CMixupOptions,
    DIRRegressor,
    FDSOptions,
    RankSimOptions,
    RnCOptions,
    RRTOptions,
)

# The network trains in float32: fitting with integer weights and fitting on
# repeated rows agree only up to float32 rounding (about 1e-7 relative), below
# the check's tolerance; with early stopping (the default) the held-out rows
# differ as well.
EXPECTED_FAILED_CHECKS = {
    "check_sample_weight_equivalence_on_dense_data": (
        "float32 training: equal to repeated rows only up to float32 rounding; "
        "early stopping holds out different rows"
    ),
    # Multi-output targets are binned on a joint grid, which LabelSpace
    # builds for 2 or 3 columns (and fds, ranksim, conr and the variance
    # head need one); the check's target has 5.
    "check_regressor_multioutput": "the check's target has 5 columns; the joint "
    "label grid supports 2 or 3",
}


def _fast(**params):
    return DIRRegressor(
        hidden_layer_sizes=(16,), max_epochs=12, lr=0.05, batch_size=32, random_state=0,
        **params,
    )


@parametrize_with_checks(
    [
        _fast(),  # early stopping on a held-out tenth (the default)
        _fast(reweight=0.5, lds=True, fds=True),  # a reweighting strength
        # Option objects as parameters: nested get_params / set_params / clone;
        # the plateau rule on the training loss.
        _fast(reweight="inverse", fds=FDSOptions(start_smooth=2),
              rrt=RRTOptions(), ranksim=RankSimOptions(gamma=0.1), early_stopping=False),
        # RnC pre-training, C-Mixup batches and the variance head together.
        _fast(reweight="sqrt_inv", rnc=RnCOptions(max_epochs=4),
              cmixup=CMixupOptions(alpha=1.0), uncertainty="gaussian"),
    ],
    expected_failed_checks=lambda est: EXPECTED_FAILED_CHECKS,
)
def test_sklearn_compatible(estimator, check):
    check(estimator)
