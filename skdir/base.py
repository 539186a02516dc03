"""Base classes shared by skdir's estimators."""

__all__ = ["TargetTransformerMixin"]


class TargetTransformerMixin:
    """Mixin for estimators fitted on a target alone.

    Like :class:`~sklearn.preprocessing.LabelEncoder`, such an estimator has
    ``fit(y)`` and ``transform(y)``; the mixin adds ``fit_transform`` and
    tags that say a 1-D target is required.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.base import BaseEstimator
    >>> from skdir.base import TargetTransformerMixin
    >>> class Centre(TargetTransformerMixin, BaseEstimator):
    ...     def fit(self, y):
    ...         self.mean_ = np.mean(y)
    ...         return self
    ...     def transform(self, y):
    ...         return np.asarray(y) - self.mean_
    >>> Centre().fit_transform([1.0, 2.0, 6.0])
    array([-2., -1.,  3.])
    """

    def fit_transform(self, y, **fit_params):
        """Fit on ``y`` and transform it.

        Parameters
        ----------
        y : array-like of shape (n_samples,)
            Training targets.
        **fit_params : dict
            Passed to ``fit`` (for example ``sample_weight``).

        Returns
        -------
        out : ndarray of shape (n_samples,)
            ``transform(y)`` of the fitted estimator.
        """
        return self.fit(y, **fit_params).transform(y)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.required = True
        tags.target_tags.one_d_labels = True
        return tags
