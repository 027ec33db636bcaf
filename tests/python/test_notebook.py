"""examples/quickstock_tour.ipynb runs top to bottom in a fresh kernel (nbclient + ipykernel).

The notebook is stored without outputs; this executes a copy in a temporary directory (the
report it writes lands there) and fails on the first cell that raises.
"""

from __future__ import annotations

import os
import sys
import time

import pytest
from conftest import ROOT

nbformat = pytest.importorskip("nbformat", reason="nbformat is not installed (scripts/setup.sh installs it)")
nbclient = pytest.importorskip("nbclient", reason="nbclient is not installed (scripts/setup.sh installs it)")
pytest.importorskip("ipykernel", reason="ipykernel is not installed (scripts/setup.sh installs it)")

NOTEBOOK = ROOT / "examples" / "quickstock_tour.ipynb"


def test_notebook_is_stored_without_outputs():
    nb = nbformat.read(NOTEBOOK, as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None


def test_tour_notebook_executes(tmp_path, monkeypatch):
    nb = nbformat.read(NOTEBOOK, as_version=4)
    # The kernel is a child of this interpreter: it sees the same quickstock (PYTHONPATH).
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join(p for p in sys.path if p))
    monkeypatch.setenv("MPLBACKEND", "Agg")
    client = nbclient.NotebookClient(
        nb, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}
    )
    started = time.perf_counter()
    client.execute()
    elapsed = time.perf_counter() - started
    errors = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs if o.output_type == "error"]
    assert errors == []
    report = tmp_path / "quickstock_report.html"
    assert report.exists() and report.stat().st_size > 10_000
    text = "".join(o.get("text", "") for c in nb.cells if c.cell_type == "code" for o in c.outputs)
    assert "tour finished in" in text
    assert elapsed < 240, f"the tour took {elapsed:.0f} s"
