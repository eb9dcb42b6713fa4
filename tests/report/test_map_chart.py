"""The policy map: one colour per course, named in a legend, and the tipping boundary drawn where the
preferred course changes between neighbouring cells."""

import re

from escalade.analyze.policies import PolicyMap
from escalade.report.charts import map_chart


def shapes(html: str) -> list[dict]:
    """The line shapes in a chart's embedded figure (their x0, x1, y0, y1)."""
    number = r"(-?[0-9.]+(?:e[-+]?[0-9]+)?)"
    found = re.findall(rf'"type":"line","x0":{number},"x1":{number},"y0":{number},"y1":{number}', html)
    return [dict(zip(("x0", "x1", "y0", "y1"), map(float, line), strict=True)) for line in found]


def test_the_boundary_runs_between_the_cells_that_prefer_different_courses():
    # deterrence is preferred where the first parameter is above 1.5: one vertical boundary at x = 1.5,
    # the whole height of the grid (cells reach half a spacing beyond the end points)
    xs, ys = [0.0, 1.0, 2.0, 3.0], [0.0, 1.0, 2.0]
    preferred = [["management"] * 3, ["management"] * 3, ["deterrence"] * 3, ["deterrence"] * 3]
    html = map_chart(PolicyMap(("a", "b"), (xs, ys), "minimise P(war)", preferred, [[0.1] * 3] * 4))
    lines = shapes(html)
    assert lines and all(line["x0"] == line["x1"] == 1.5 for line in lines)
    assert min(line["y0"] for line in lines) == -0.5 and max(line["y1"] for line in lines) == 2.5
    assert '"name":"deterrence"' in html and '"name":"management"' in html  # the legend names the colours


def test_a_map_where_one_course_wins_everywhere_has_one_colour_and_no_boundary():
    xs, ys = [0.0, 1.0], [0.0, 1.0]
    html = map_chart(PolicyMap(("a", "b"), (xs, ys), "minimise P(war)", [["deterrence"] * 2] * 2, [[0.1] * 2] * 2))
    assert shapes(html) == []
    scale = re.search(r'"colorscale":\[\[0(?:\.0)?,"(#[0-9A-Fa-f]{6})"\],\[1(?:\.0)?,"(#[0-9A-Fa-f]{6})"\]\]', html)
    assert scale and scale.group(1) == scale.group(2)
