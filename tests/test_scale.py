"""The scale generator's data is kazkg's data N times over: it validates as the bundled data
does, and every copy has the bundled data's shape."""

from __future__ import annotations

import pytest

from kazkg.build import pipeline, store
from kazkg.build.inputs import bundled
from kazkg.build.validate import check
from kazkg.tools import scale


@pytest.mark.slow
def test_twice_the_data_validates_and_doubles_what_is_not_shared(tmp_path):
    inputs = bundled(scale.generate(tmp_path / "x2", 2))
    dataset = store.load(inputs)
    assert check(dataset, pipeline.load_shapes(inputs)) == check(
        store.load(bundled()), pipeline.load_shapes(bundled()))
    once, twice = bundled(), inputs
    assert len(twice.data) > len(once.data) and {s.path.name for s in once.data} <= {
        s.path.name for s in twice.data}
