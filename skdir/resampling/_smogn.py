"""SMOGN: SMOTER with Gaussian noise (Branco et al., 2017)."""

from numbers import Real

from sklearn.utils._param_validation import Interval

from ._smoter import _ATTR_DOC, _RANDOM_STATE_DOC, _SHARED_DOC, SMOTER

__all__ = ["SMOGN"]


class SMOGN(SMOTER):
    __doc__ = f"""SMOGN: SMOTER and Gaussian noise (Branco et al., 2017).

    As :class:`SMOTER`, but a synthetic sample is interpolated only when the
    drawn neighbour lies within the *safe distance* of its seed, as in the
    authors' code (UBL's ``SMOGNRegress``, and the ``smogn`` package): half
    the median of the HEOM distances from the seed to *all* members of its
    bump (the seed itself included). A neighbour strictly closer than that
    gives a SMOTER interpolation (features on the segment, target the
    inverse-distance weighted average of the two targets, so between them);
    any other gives the seed plus Gaussian noise: each numeric feature and
    the target get noise of standard deviation ``min(perturbation, safe
    distance)`` times their standard deviation within the bump (``ddof=1``,
    as R's ``sd``), and each nominal feature takes the category of a bump
    member drawn at random (the bump's frequencies, as UBL). Normal bumps are
    under-sampled at random. A multi-output target (2 or 3 columns) is
    handled as by :class:`SMOTER`; each of its columns gets noise on its
    own scale (its standard deviation within the bump).

    The median is exact for bumps of up to 5,000 members. For a larger bump
    it is estimated from the distances to 2,000 of its members drawn once
    without replacement (seeded by ``random_state``), so that time and
    memory stay linear in the bump size; the k nearest neighbours of a seed
    in a large bump are usually far closer than that median, so the choice
    between interpolation and noise rarely depends on the estimate.

    Departures from the reference code (see :ref:`differences`): distances
    are HEOM (numeric features divided by their range over the whole data)
    between features only, where UBL defaults to the Euclidean distance on
    raw features and ``smogn`` also counts the target; the target of an
    interpolated sample weighs all numeric features (UBL's loop keeps only
    the last one); ``perturbation`` is used as given (UBL's
    ``SMOGNRegress`` ignores its ``pert`` argument and always uses 0.02,
    the default here).

    Parameters
    ----------{_SHARED_DOC}
    k_neighbors : int, default=5
        Number of neighbours; shrunk with a warning for small bumps.
    perturbation : float, default=0.02
        Largest noise level of the Gaussian-noise samples, > 0.
    categorical_features : "auto", array-like or None, default="auto"
        Nominal features (see :class:`SMOTER`).
    n_jobs : int, default=None
        Parallel jobs of the neighbour search.{_RANDOM_STATE_DOC}

    Attributes
    ----------{_ATTR_DOC}
    seed_indices_ : ndarray of int
        For each synthetic row (in output order), the original row of its
        seed.
    neighbor_indices_ : ndarray of int
        For each synthetic row, the original row of the neighbour drawn for
        it (an interpolation partner, or a neighbour beyond the safe
        distance for a Gaussian-noise row; the seed itself for a rare bump
        of one sample).
    n_interpolated_ : int
        Number of synthetic samples made by interpolation.
    n_noise_ : int
        Number of synthetic samples made by Gaussian noise (the copies of a
        rare bump of a single sample, whose safe distance is 0, count here).

    See Also
    --------
    SMOTER : Interpolation only.
    GaussianNoise : Noise only.

    Examples
    --------
    >>> import numpy as np
    >>> from skdir.resampling import SMOGN
    >>> rng = np.random.RandomState(0)
    >>> X = rng.normal(size=(300, 2))
    >>> y = rng.exponential(size=300)
    >>> sampler = SMOGN(random_state=0)
    >>> X_res, y_res = sampler.fit_resample(X, y)
    >>> X_res.shape, y_res.shape
    ((300, 2), (300,))
    >>> n_synthetic = len(y_res) - len(sampler.sample_indices_)
    >>> n_synthetic == sampler.n_interpolated_ + sampler.n_noise_
    True
    """

    _parameter_constraints: dict = {
        **SMOTER._parameter_constraints,
        "perturbation": [Interval(Real, 0, None, closed="neither")],
    }

    _safe = True

    def __init__(
        self,
        *,
        sampling_strategy="balance",
        relevance="lds",
        threshold=0.5,
        label_space=None,
        k_neighbors=5,
        perturbation=0.02,
        categorical_features="auto",
        n_jobs=None,
        random_state=None,
    ):
        super().__init__(
            sampling_strategy=sampling_strategy, relevance=relevance,
            threshold=threshold, label_space=label_space,
            k_neighbors=k_neighbors, categorical_features=categorical_features,
            n_jobs=n_jobs, random_state=random_state,
        )
        self.perturbation = perturbation

    def _count_synthetic(self, n_interpolated, n_other):
        self.n_interpolated_ += int(n_interpolated)
        self.n_noise_ += int(n_other)

    def _resample(self, data, y, relevance, rare, rng):
        self.n_interpolated_, self.n_noise_ = 0, 0
        return super()._resample(data, y, relevance, rare, rng)

    def _record_unchanged(self, y, rare):
        super()._record_unchanged(y, rare)
        self.n_interpolated_, self.n_noise_ = 0, 0
