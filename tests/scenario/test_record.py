"""The record section: every mistake an analyst can make in it is reported at its line, with a fix."""

import pytest

from escalade.scenario import loads
from tests.scenario.test_load import SMALL, problems_of

RECORD = """\
record:
  rationality: lam
  observed:
    - {date: 2024-07, move: start.push, source: a}
    - {date: 2024-10-18, move: detect.seen, source: b}
    - {date: 2024-11, move: reply.resist, source: c}
  base_rates:
    - {outcome: resisted, rate: 0.2, cases: 40, source: d}
  questions:
    resist_2025: {outcome: resisted, by: 2025-12-31, doc: whether B resists}
"""
WITH_LAMBDA = (
    SMALL.replace(
        "parameters:\n", "parameters:\n  lam: {dist: lognormal, median: 1, sigma: 0.5, doc: precision, source: t}\n"
    )
    + "outcomes:\n  resisted: {doc: B resists, path: [reply.resist]}\n"
)
FIRST_LINE = WITH_LAMBDA.count("\n") + 1  # the line 'record:' is on


def line_of(text: str, fragment: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), start=1) if fragment in line)


def test_a_record_loads_in_date_order():
    scenario = loads(WITH_LAMBDA + RECORD)
    assert scenario.record.moves() == ["start.push", "detect.seen", "reply.resist"]
    assert scenario.record.questions["resist_2025"].by == "2025-12-31"


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ("move: detect.seen", "move: detected.seen", "unknown node or information set 'detected'"),
        ("move: detect.seen", "move: detect.sen", "'detect' has no move 'sen'"),
        ("date: 2024-11", "date: 2024-09", "comes before the observation above it"),
        ("date: 2024-10-18", "date: 18 Oct 2024", "is not a date"),
        ("move: reply.resist", "move: start.wait", "observed twice"),
        ("rationality: lam", "rationality: lam - 5", "logit precision"),
        ("rationality: lam", "rationality: lamb", "unknown name 'lamb'"),
        ("outcome: resisted, rate", "outcome: resist, rate", "unknown outcome 'resist'"),
        ("{outcome: resisted, by", "{outcome: resistd, by", "unknown outcome 'resistd'"),
        ("rate: 0.2", "rate: 1.2", "less than or equal to 1"),
        ("source: c", "source: ''", "at least 1 character"),
        ("move: reply.resist", "move: end.resist", "is an end"),
        ("date: 2024-11", "date: 2024-13", "is not a day of the calendar"),
        ("move: reply.resist", "move: resist", "is not node.move"),
    ],
)
def test_each_mistake_in_the_record_is_reported_at_its_line(old, new, message):
    text = WITH_LAMBDA + RECORD.replace(old, new)
    problems = problems_of(text)
    assert any(message in p.message for p in problems), problems
    hit = next(p for p in problems if message in p.message)
    assert hit.line == line_of(text, new.split(",")[0].split("{")[-1].strip() or new), hit
    assert hit.hint


def test_moves_on_different_branches_are_refused_at_the_first_that_cannot_follow():
    text = WITH_LAMBDA + RECORD.replace("move: detect.seen", "move: detect.unseen")
    (problem,) = problems_of(text)
    assert "'reply.resist' cannot happen in one play" in problem.message and "detect.unseen" in problem.message
    assert problem.line == line_of(text, "move: reply.resist")


def test_a_month_is_known_by_its_end_so_it_may_follow_a_day_in_it():
    text = WITH_LAMBDA + RECORD.replace("date: 2024-11, move: reply.resist", "date: 2024-10, move: reply.resist")
    assert loads(text).record.moves()[-1] == "reply.resist"  # 2024-10 ends after 2024-10-18


def test_a_record_without_evidence_or_precision_is_refused():
    problems = problems_of(WITH_LAMBDA + "record:\n  rationality: lam\n")
    assert any("needs 'observed:'" in p.message for p in problems)
    problems = problems_of(WITH_LAMBDA + RECORD.replace("  rationality: lam\n", ""))
    assert any("'record.rationality' is missing" in p.message for p in problems)
    assert problems[0].line == FIRST_LINE
