import skdir


def test_public_api_imports():
    assert skdir.LabelBins is not None
    assert callable(skdir.metrics.shot_metrics)
