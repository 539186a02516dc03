from pathlib import Path

import numpy as np
import pytest

SHARED_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
AGEDB_LABELS = SHARED_DATA / "agedb_dir_labels.csv"


@pytest.fixture(scope="session")
def agedb_labels():
    """Ages and splits of AgeDB-DIR, read from the shared reference data."""
    if not AGEDB_LABELS.exists():
        pytest.skip(f"reference data {AGEDB_LABELS} is not present")
    raw = np.genfromtxt(AGEDB_LABELS, delimiter=",", names=True, dtype=None, encoding="utf-8")
    ages = raw["age"].astype(float)
    split = raw["split"].astype(str)
    return {name: ages[split == name] for name in ("train", "val", "test")}
