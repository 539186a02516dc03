"""Test-run configuration shared by the test suite and the doctests."""

import importlib.util

import numpy as np
import pytest

collect_ignore = ["benchmarks", "docs"]
if importlib.util.find_spec("torch") is None or importlib.util.find_spec("skorch") is None:
    collect_ignore.append("skdir/nn")


@pytest.fixture(autouse=True)
def _doctest_numpy_printing(doctest_namespace):
    doctest_namespace["np"] = np
