"""The example notebook runs top to bottom."""

from pathlib import Path

import nbclient
import nbformat

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "flagship.ipynb"


def test_the_flagship_notebook_runs_top_to_bottom(tmp_path):
    notebook = nbformat.read(EXAMPLE, as_version=4)
    nbclient.NotebookClient(
        notebook, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}
    ).execute()
    outputs = [output for cell in notebook.cells if cell.cell_type == "code" for output in cell.outputs]
    assert not [output for output in outputs if output.output_type == "error"]
    html = [output["data"]["text/html"] for output in outputs if "text/html" in output.get("data", {})]
    assert any("North Korean troops for Russia" in text for text in html)
    assert any('class="game-tree"' in text for text in html)  # the tree, folded
    assert any("<progress" in text for text in html)  # the sweep showed its progress in the notebook
    figures = [output for output in outputs if "application/vnd.plotly.v1+json" in output.get("data", {})]
    assert figures  # the claims chart
