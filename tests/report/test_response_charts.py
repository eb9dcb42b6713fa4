"""Response curves (every output, chosen in a menu) and the policy map (one colour per course, named in
a legend, and the tipping boundary drawn where the preferred course changes between neighbouring cells)."""

from escalade.analyze.policies import Estimate, PolicyMap, ResponseCurve
from escalade.report.charts import curve_chart, map_chart
from escalade.report.outline import shown


def test_the_boundary_runs_between_the_cells_that_prefer_different_courses():
    # deterrence is preferred where the first parameter is above 1.5: one vertical boundary at x = 1.5,
    # the whole height of the grid (cells reach half a spacing beyond the end points)
    xs, ys = [0.0, 1.0, 2.0, 3.0], [0.0, 1.0, 2.0]
    preferred = [["management"] * 3, ["management"] * 3, ["deterrence"] * 3, ["deterrence"] * 3]
    figure = map_chart(PolicyMap(("a", "b"), (xs, ys), "minimise P(war)", preferred, [[0.1] * 3] * 4))
    lines = figure.layout.shapes
    assert lines and all(line.x0 == line.x1 == 1.5 for line in lines)
    assert min(line.y0 for line in lines) == -0.5 and max(line.y1 for line in lines) == 2.5
    assert {trace.name for trace in figure.data if trace.showlegend} == {"deterrence", "management"}


def test_a_map_where_one_course_wins_everywhere_has_one_colour_and_no_boundary():
    xs, ys = [0.0, 1.0], [0.0, 1.0]
    figure = map_chart(PolicyMap(("a", "b"), (xs, ys), "minimise P(war)", [["deterrence"] * 2] * 2, [[0.1] * 2] * 2))
    assert not figure.layout.shapes
    (low, first), (high, last) = figure.data[0].colorscale
    assert (low, high) == (0, 1) and first == last


def test_a_response_chart_offers_every_output_and_shows_one_at_a_time():
    grid = [0.0, 1.0, 2.0]
    curve = ResponseCurve(
        "cost",
        grid,
        {
            policy: {
                output: [Estimate(x * shift, x * shift - 0.1, x * shift + 0.1) for x in grid] for output in outputs
            }
            for policy, shift in (("deter", 1.0), ("manage", 2.0))
            for outputs in [("P(war)", "P(talks)", "value(WEST)")]
        },
    )
    labels = {"P(war)": "P(war)", "P(talks)": "P(talks)", "value(WEST)": "WEST's expected utility"}
    figure = curve_chart(curve, labels)
    buttons = figure.layout.updatemenus[0].buttons
    assert [b.label for b in buttons] == list(labels.values())
    for k, button in enumerate(buttons):  # each output: its two courses' band and line, nothing else
        visible = button.args[0]["visible"]
        assert len(visible) == 12 and [i for i, v in enumerate(visible) if v] == list(range(4 * k, 4 * k + 4))
    # in a report: an HTML fragment described for readers who cannot see it
    assert 'aria-label="the curves"' in shown(figure, "the curves").html
