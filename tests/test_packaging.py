"""A non-editable install carries ontology/, graph/ and queries/ inside the wheel."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest

from tests.support import ROOT

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def wheel(tmp_path_factory):
    out = tmp_path_factory.mktemp("dist")
    subprocess.run(
        [sys.executable, "-m", "build", "--wheel", "--outdir", str(out), str(ROOT)],
        check=True, capture_output=True, timeout=600,
    )
    (path,) = out.glob("kazkg-*.whl")
    return path


def test_wheel_carries_the_data(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    for folder in ("ontology", "graph", "queries"):
        expected = {
            f"kazkg/_data/{p.relative_to(ROOT).as_posix()}"
            for p in (ROOT / folder).rglob("*") if p.is_file()
        }
        assert expected and expected <= names, f"{folder}/ is not complete in the wheel"
    assert "kazkg/cli.py" in names
    for lang in ("kk", "ru"):  # the pages' gettext catalogs, compiled
        assert f"kazkg/web/translations/{lang}/LC_MESSAGES/messages.mo" in names


def test_installed_wheel_works_from_any_directory(wheel, tmp_path):
    """Install the wheel (without its dependencies, which this interpreter already has) into
    a fresh virtual environment and run `kazkg stats` from an unrelated folder."""
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=300)
    bin_dir = venv / ("Scripts" if os.name == "nt" else "bin")
    python = bin_dir / "python"
    subprocess.run([python, "-m", "pip", "install", "--quiet", "--no-deps", str(wheel)],
                   check=True, timeout=300)
    # Dependencies come from this interpreter's site-packages, listed after the venv's own.
    site = subprocess.run([python, "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
                          capture_output=True, text=True, check=True).stdout.strip()
    Path(site, "outer-dependencies.pth").write_text(sysconfig.get_path("purelib") + "\n")

    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "KAZKG_DATA_DIR")}
    where = subprocess.run([python, "-c", "import kazkg; print(kazkg.__file__)"], cwd=elsewhere,
                           env=env, capture_output=True, text=True, check=True).stdout
    assert where.startswith(str(venv)), where

    stats = subprocess.run([bin_dir / "kazkg", "stats", "--json"], cwd=elsewhere, env=env,
                           capture_output=True, text=True, timeout=600)
    assert stats.returncode == 0, stats.stderr
    counts = json.loads(stats.stdout)
    assert counts["graphs"]["https://w3id.org/kazkg/graph/ontology"] > 0
    assert counts["graphs"]["https://w3id.org/kazkg/graph/inferred"] > 0
    assert set(counts["languages"]) >= {"kk", "ru", "en"}
    module = subprocess.run([python, "-m", "kazkg", "--version"], cwd=elsewhere, env=env,
                            capture_output=True, text=True, check=True)
    assert "kazkg" in module.stdout
