"""The side-by-side benchmark and the load test, run only when asked:

    python -m pytest -m bench tests/bench

They check behaviour (equal answers, zero errors), and print the figures; timings are not
asserted, since they depend on the machine.
"""

from __future__ import annotations

import pytest

from kazkg.tools import bench

pytestmark = [pytest.mark.bench, pytest.mark.slow, pytest.mark.timeout(900)]
NEEDED = ("oxigraph", "rdflib-endpoint")


@pytest.fixture(autouse=True)
def servers_installed():
    from kazkg.tools.bench.servers import tool

    try:
        for name in NEEDED:
            tool(name)
    except RuntimeError as error:
        pytest.skip(str(error))


def test_three_servers_agree_and_answer_the_mix(tmp_path, capsys):
    options = bench.Options(requests=500, concurrency=8, workdir=tmp_path)
    assert bench.run(options)
    out = capsys.readouterr().out
    assert "all equal" in out and "kazkg / oxigraph" in out


def test_sixty_seconds_of_sixteen_clients_with_a_runaway_query(tmp_path, capsys):
    options = bench.Options(requests=1000, servers=("kazkg",), load_seconds=60,
                            load_clients=16, workdir=tmp_path)
    assert bench.run(options)  # False on any error in the load test
    assert "errors 0" in capsys.readouterr().out
