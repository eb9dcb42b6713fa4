"""Forecasts from the record and their scores: the scenario's questions answered given what had happened
by a date, written one JSON record per question, and a forecasts file scored against what came to pass."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from escalade.analyze import ForecastScores, forecast_rows, score_forecasts
from escalade.condition import condition
from escalade.game import compile_tree
from escalade.pipeline.requests import FORECAST, Backend, RequestError, StaticRequest
from escalade.scenario import Scenario
from escalade.scenario.model import period_end
from escalade.simulate import sample_unit
from escalade.version import __version__


def forecast(scenario: Scenario, request: StaticRequest = FORECAST, backend: Backend = Backend()) -> list[dict]:
    """One record per question of the scenario's record: the probability of its outcome given the
    observations dated up to ``request.as_of`` (all of them when it is None), with the provenance a
    forecast needs to be scored later."""
    stated = request.validated(scenario)
    backend.validated()
    if stated.record is None or not stated.record.questions:
        raise RequestError([f"{scenario.name} states no questions: add 'questions:' under 'record:'"])
    unit = sample_unit(stated, request.draws, request.seed, request.sampling)
    posterior = condition(stated, unit, request.seed, compile_tree(stated), **backend.chunking())
    observed = stated.record.in_order()
    as_of = request.as_of or (observed[-1].date if observed else "")  # the last thing known
    made = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    return [
        {
            "question": row.question,
            "outcome": row.outcome,
            "by": row.by,
            "as_of": as_of,
            "horizon_days": _days(as_of, row.by),
            "probability": row.probability,
            "interval_90": [row.low, row.high],
            "prior_probability": row.prior,
            "settled_by_record": row.settled,
            "observations_used": len(stated.record.observed),
            "ess": posterior.ess,
            "scenario": stated.name,
            "scenario_sha256": stated.sha256,  # with --observed, it covers the record file too
            "seed": request.seed,
            "draws": request.draws,
            "escalade": __version__,
            "made": made,
        }
        for row in forecast_rows(stated, posterior)
    ]


def _days(start: str, end: str) -> int | None:
    """Days from the end of ``start``'s period to the end of ``end``'s (2025-04 ends on 2025-04-30)."""
    return (period_end(end) - period_end(start)).days if start else None


def score(forecasts_file: Path, resolved_file: Path) -> ForecastScores:
    """The forecasts in ``forecasts_file`` (JSON lines, as :func:`forecast` writes) scored against
    ``resolved_file``: a YAML or JSON mapping of question to what happened (true/false or 1/0)."""
    import yaml

    forecasts = []
    for number, line in enumerate(Path(forecasts_file).read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            raise RequestError([f"{forecasts_file}:{number}: not a JSON record ({exc.msg})"]) from None
        if not isinstance(record, dict):
            raise RequestError(
                [f"{forecasts_file}:{number}: a forecast is a JSON object, as `escalade forecast` writes"]
            )
        forecasts.append((number, record))
    try:
        resolved = yaml.safe_load(Path(resolved_file).read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{resolved_file}:{mark.line + 1}" if mark is not None else str(resolved_file)
        raise RequestError([f"{where}: not valid YAML or JSON ({getattr(exc, 'problem', exc)})"]) from None
    if not isinstance(resolved, dict):
        raise RequestError([f"{resolved_file}: write one line per question, e.g. 'dprk_deepens_2025: true'"])
    return score_forecasts(forecasts, resolved, str(forecasts_file), str(resolved_file))
