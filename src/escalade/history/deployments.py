"""Deniable foreign combat deployments: the project-coded dataset (``deployments.yaml`` beside this file)
and its base rates.

Each case is a state fighting in another's war with forces it conceals or denies. The questions the
flagship asks of its own case are asked of the class: did the adversary disclose what it detected (or
collude in keeping it quiet)? Did the deploying state acknowledge it? Did it deepen its commitment
once the adversary knew? Did the two go to open war? The codes are judgements from the listed sources
(docs/validation.md, "Deniable deployments").
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources
from typing import Literal

import pandas as pd
import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from escalade.analyze.intervals import Share, wilson

YesNo = Literal["yes", "no", "unclear"]


class Deployment(BaseModel):
    """One case, with the codes of the dataset's header."""

    model_config = ConfigDict(extra="forbid")

    id: str = Field(pattern=r"^[a-z0-9_]+$")
    name: str = Field(min_length=1)
    deploying: str = Field(min_length=1)
    host: str = Field(min_length=1)
    adversary: str = Field(min_length=1)
    start: str = Field(pattern=r"^\d{4}-\d{2}$")
    force: str = Field(min_length=1)
    detected: YesNo
    public: Literal["adversary_disclosed", "press_or_combat", "not_during"]
    acknowledged: Literal["during", "later", "never"]
    acknowledged_note: str = ""
    deepened: YesNo
    direct_clash: Literal["yes", "no"]
    wider_war: Literal["yes", "no"]
    this_case: bool = False
    sources: list[str] = Field(min_length=1)

    @field_validator("detected", "deepened", "direct_clash", "wider_war", mode="before")
    @classmethod
    def _yes_no(cls, value: object) -> object:
        return {True: "yes", False: "no"}.get(value, value) if isinstance(value, bool) else value  # YAML's yes/no

    @field_validator("start", mode="before")
    @classmethod
    def _month_as_text(cls, value: object) -> object:
        return value.strftime("%Y-%m") if hasattr(value, "strftime") else value

    @field_validator("sources")
    @classmethod
    def _sources_named(cls, value: list[str]) -> list[str]:
        if any(len(source.strip()) < 10 for source in value):
            raise ValueError("each source names a publication: author, title, publisher or outlet, year")
        return value


def load_deployments() -> list[Deployment]:
    """The shipped cases, validated (a coding slip is an error naming the case and the field)."""
    text = resources.files("escalade.history").joinpath("deployments.yaml").read_text(encoding="utf-8")
    cases = []
    for index, raw in enumerate(yaml.safe_load(text)["cases"]):
        try:
            cases.append(Deployment.model_validate(raw))
        except ValidationError as exc:
            where = raw.get("id", f"case {index + 1}") if isinstance(raw, dict) else f"case {index + 1}"
            raise ValueError(f"deployments.yaml, {where}: {exc.errors()[0]['loc']} {exc.errors()[0]['msg']}") from None
    ids = [case.id for case in cases]
    if len(set(ids)) < len(ids):
        raise ValueError("deployments.yaml: a case id is used twice")
    return cases


def deployments_frame(cases: list[Deployment] | None = None) -> pd.DataFrame:
    """One row per case (sources joined by "; ")."""
    cases = load_deployments() if cases is None else cases
    return pd.DataFrame([case.model_dump() | {"sources": "; ".join(case.sources)} for case in cases])


@dataclass(frozen=True)
class DeploymentRate:
    question: str
    among: str  # which cases the rate is taken over
    share: Share
    cases: list[str]  # the ids counted as "yes"


def deployment_base_rates(cases: list[Deployment] | None = None) -> list[DeploymentRate]:
    """The class's answers to the flagship's questions, with Wilson 95% intervals; the modelled case
    itself and cases coded `unclear` on a question are left out of that question."""
    cases = [case for case in (load_deployments() if cases is None else cases) if not case.this_case]

    def rate(question: str, among: str, pool: list[Deployment], yes) -> DeploymentRate:
        hits = [case.id for case in pool if yes(case)]
        return DeploymentRate(question, among, wilson(len(hits), len(pool)), hits)

    detected = [c for c in cases if c.detected == "yes"]
    public = [c for c in cases if c.public != "not_during"]
    known = [c for c in detected if c.deepened != "unclear"]
    return [
        rate("the adversary disclosed it", "cases it detected", detected, lambda c: c.public == "adversary_disclosed"),
        rate("it became public while the war lasted", "all cases", cases, lambda c: c.public != "not_during"),
        rate(
            "the deploying state acknowledged it while it lasted",
            "cases that became public",
            public,
            lambda c: c.acknowledged == "during",
        ),
        rate(
            "the deploying state deepened its commitment",
            "cases the adversary detected",
            known,
            lambda c: c.deepened == "yes",
        ),
        rate("its forces fought the adversary's", "all cases", cases, lambda c: c.direct_clash == "yes"),
        rate("the two went to open war", "all cases", cases, lambda c: c.wider_war == "yes"),
    ]
