"""Command line entry point: ``python -m skdir`` / ``skdir``."""

import sys


def main(argv=None):
    """Compare a plain and an LDS-reweighted ridge regression, shot by shot."""
    import numpy as np
    from sklearn.linear_model import Ridge
    from sklearn.model_selection import train_test_split

    from . import LabelBins, LDSWeighter, ReweightedRegressor
    from .metrics import shot_metrics

    rng = np.random.RandomState(0)
    X = rng.normal(size=(4000, 5))
    y = np.exp(0.6 * X[:, 0]) + 0.3 * X[:, 1] + 0.1 * rng.normal(size=4000)
    X_tr, X_te, y_tr, y_te = train_test_split(X, y, random_state=0)
    bins = LabelBins(n_bins=50)
    print(f"{'model':<14}{'all':>8}{'many':>8}{'medium':>8}{'few':>8}   (test MAE)")
    for name, model in [
        ("Vanilla", Ridge()),
        ("SQINV + LDS", ReweightedRegressor(Ridge(), LDSWeighter(bins=bins))),
    ]:
        pred = model.fit(X_tr, y_tr).predict(X_te)
        res = shot_metrics(y_te, pred, y_train=y_tr, bins=bins)
        row = "".join(f"{res[s]['mae']:8.3f}" for s in ("all", "many", "medium", "few"))
        print(f"{name:<14}{row}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
