"""A synthetic data set in the format of the ICB v14 CSV files, for tests that travel without the data.

The International Crisis Behavior data cannot ship with escalade (its terms; see docs/validation.md),
so the tests write look-alike files instead: the same two files (system level ``icb1``, actor level
``icb2``), the same header, and in the columns escalade reads codes drawn from those the v14 files use
(:data:`SYSTEM_CODES`, :data:`ACTOR_CODES`; a real-data test checks them). No real row is copied:
every cell is drawn from a seeded numpy Generator, crisis names are invented ("SYNTHETIC CRISIS 17"),
and actors are drawn from a short list of Correlates of War state codes.

The violence level ``viol`` is simulated from a known model — the three-move crisis game of
:mod:`escalade.history.estimate` with the coefficients :data:`TRUE_COEFFICIENTS`, on the covariates
the estimator's recovery tests use (a constant, ``gravcr`` / 7, and ``protrac`` = 3; the backtest's
onset-only design shares the last), read as the backtest reads it:
status quo → 1 no violence, concession → 2 minor clashes, back-down → 3 serious clashes, war → 4
full-scale war. Each of the three moves is drawn in turn with its logit choice probability
(backward induction, coded here independently of escalade), so a fit of the model to these files
must recover the coefficients. All other columns are independent draws: uniform over their codes
(``gravcr``, ``protrac`` and the year included), a log-normal duration ``brexit`` with the
termination date that follows from it, and filler codes 1–4, meaning nothing, in the columns escalade
does not read. The actor-level file has 1–4 crisis actors per crisis, each with the crisis's ``viol``.
"""

from __future__ import annotations

import csv
import datetime
from pathlib import Path

import numpy as np

# the headers of icb1v14.csv and icb2v14.csv (column names only)
SYSTEM_HEADER = [
    "icb1", "crisno", "crisname", "break", "trigent", "yrtrig", "motrig", "datrig", "yrterm", "moterm", "daterm",
    "brexit", "gravcr", "crismg", "cenviosy", "sevviosy", "viol", "timvio", "iwcmb", "noactr", "gpinv", "gpinvtp",
    "gpefcttp", "gpefactp", "gppacetp", "powinv", "usinv", "usefct", "usefac", "uspace", "usactor", "suinv",
    "suefct", "suefac", "supace", "suactor", "soglact", "chinv", "globorg", "globactm", "globefct", "globefor",
    "globefac", "globpace", "soract", "regorg", "regactmb", "roefct", "robody", "roefac", "ropace", "subout",
    "forout", "exsat", "outesr", "cractr", "geostr", "hetero", "issues", "chacts", "chall", "powch", "rugach",
    "geog", "geogrel", "period", "syslevsy", "protrac", "pcid", "powdissy", "ethnic", "ethconf", "stressad",
    "sourdt", "mediate", "mednum", "medwho", "medtime", "yrmedst", "momedst", "damedst", "yrmedend", "momedend",
    "damedend", "yrmedfin", "momedfin", "damedfin", "medgoal", "medfacl", "medform", "medmanip", "medstyle",
    "medstefc", "medefct", "medpace"
]  # fmt: skip
ACTOR_HEADER = [
    "icb2", "crisno", "cracno", "cracid", "actor", "systrgyr", "systrgmo", "systrgda", "crisname", "triggr",
    "yrtrig", "motrig", "datrig", "trigent", "trigloc", "southv", "southpow", "sizedu", "strcdu", "comlev",
    "majres", "yerres", "monres", "dayres", "trgresra", "crismg", "cenvio", "sevvio", "usinv", "usfavr", "suinv",
    "sufavr", "gbinv", "gbfavr", "frinv", "frfavr", "itinv", "itfavr", "grinv", "grfavr", "jpinv", "jpfavr",
    "globorg", "globact", "globfavr", "regorg", "regact", "rofavr", "outcom", "outfor", "outevl", "outesr",
    "yrterm", "moterm", "daterm", "trgterra", "resterra", "actloc", "geog", "cractloc", "noactr", "stainsys",
    "period", "syslev", "pc", "pcid", "viol", "iwc", "powdis", "gpinv", "powinv", "age", "territ", "regime",
    "durreg", "allycap", "globmemb", "nuclear", "powsta", "issue", "chissu", "gravty", "pethin", "col", "unemp",
    "inflat", "foodpr", "labstr", "short", "econdt", "regrep", "socunr", "massvl", "gvinst", "sourdt"
]  # fmt: skip

FIRST_YEAR, LAST_YEAR = 1918, 1999  # the span of the team's pre2000 cut of v14
# (Correlates of War code, abbreviation) of the actors drawn; 996/997 also occur as triggering entities
STATES = (
    (2, "USA"), (200, "UKG"), (220, "FRN"), (255, "GMY"), (290, "POL"), (350, "GRC"), (365, "RUS"), (630, "IRN"),
    (640, "TUR"), (645, "IRQ"), (651, "EGY"), (666, "ISR"), (710, "CHN"), (731, "PRK"), (732, "ROK"), (740, "JPN"),
    (750, "IND"), (770, "PAK"),
)  # fmt: skip
# the codes the categorical columns escalade reads (and a few others) take in v14; drawn uniformly
SYSTEM_CODES = {
    "break": range(1, 10),
    "motrig": range(1, 13),
    "trigent": (*(code for code, _ in STATES), 996, 997),
    "gravcr": range(0, 8),
    "crismg": range(1, 9),
    "cenviosy": range(1, 5),
    "sevviosy": range(1, 5),
    "timvio": range(1, 5),
    "noactr": range(1, 13),
    "gpinv": range(1, 8),
    "usinv": range(1, 5),
    "suinv": range(1, 5),
    "globorg": (0, 1, 2, 3, 4, 5, 10),
    "regorg": (0, 1, 2, 3, 4, 5, 6, 7, 8, 10, 11, 12, 13, 14, 15),
    "outesr": (1, 2),
    "protrac": (1, 2, 3),
    "iwcmb": (1, 1, 1, 1, 2, 3, 7),  # 1: not an intra-war crisis (4 in 7 here; 348 of 433 in the real file)
    "mediate": range(1, 5),
}
ACTOR_CODES = {
    "triggr": range(1, 10),
    "majres": range(1, 10),
    "crismg": range(1, 9),
    "cenvio": range(1, 5),
    "sevvio": range(1, 5),
    "outcom": (1, 2, 3, 4, 5, 9),
    "outesr": (1, 2),
    "gravty": range(0, 8),
    "nuclear": range(1, 5),
    "powsta": range(1, 5),
}
BLANK_SHARE = {"suinv": 0.01, "mediate": 0.01, "powdis": 0.15}  # cells left blank, as in v14

# True coefficients of the crisis game: rows are the utilities (u1 concession, u1 back-down, u1 war,
# u2 back-down, u2 war; U1(status quo) = U2(concession) = 0), columns the covariates (constant,
# gravity = gravcr / 7, intense protracted conflict = protrac is 3). Chosen so that each violence level
# is common (16–36% of crises), the covariates move the outcome probabilities by up to 0.5, and the
# information matrix is as well conditioned as a search over coefficient values found for this design
# (for most values the model is weakly identified here: gravity spans only [0, 1]). War becomes likelier
# with gravity.
TRUE_COEFFICIENTS = np.array(
    [
        [4.0, 0.0, -4.0],
        [2.5, -1.5, -2.0],
        [0.5, 2.0, 0.0],
        [2.5, -0.5, -1.0],
        [-2.5, 1.5, 1.0],
    ]
)


def covariates(gravity_codes: np.ndarray, protracted_codes: np.ndarray) -> np.ndarray:
    """(n, 3) design the violence is drawn from: constant, gravcr / 7, protrac = 3."""
    return np.column_stack([np.ones(len(gravity_codes)), gravity_codes / 7, protracted_codes == 3])


def choice_probabilities(design: np.ndarray, coefficients: np.ndarray = TRUE_COEFFICIENTS) -> tuple[np.ndarray, ...]:
    """Per case, the logit probabilities that the challenger challenges, the target resists and the
    challenger then fights, by backward induction."""
    u1_concession, u1_back_down, u1_war, u2_back_down, u2_war = (design @ coefficients.T).T
    p_fight = _logistic(u1_war - u1_back_down)
    p_resist = _logistic(p_fight * u2_war + (1 - p_fight) * u2_back_down)
    fight_value = p_fight * u1_war + (1 - p_fight) * u1_back_down
    p_challenge = _logistic(p_resist * fight_value + (1 - p_resist) * u1_concession)
    return p_challenge, p_resist, p_fight


def true_probabilities(design: np.ndarray, coefficients: np.ndarray = TRUE_COEFFICIENTS) -> np.ndarray:
    """(n, 4) probabilities of status quo, concession, back-down and war."""
    challenge, resist, fight = choice_probabilities(design, coefficients)
    return np.column_stack(
        [1 - challenge, challenge * (1 - resist), challenge * resist * (1 - fight), challenge * resist * fight]
    )


def play(design: np.ndarray, rng: np.random.Generator, coefficients: np.ndarray = TRUE_COEFFICIENTS) -> np.ndarray:
    """Play the game once per case, move by move; outcome codes 0 status quo … 3 war."""
    challenge, resist, fight = (rng.random(len(design)) < p for p in choice_probabilities(design, coefficients))
    return np.where(~challenge, 0, np.where(~resist, 1, np.where(~fight, 2, 3)))


def _logistic(x: np.ndarray) -> np.ndarray:
    return 1 / (1 + np.exp(-x))


def system_rows(crises: int, rng: np.random.Generator) -> list[dict[str, str]]:
    """``crises`` system-level rows, in order of trigger year and month, numbered 1…n."""
    draws = {column: rng.choice(np.asarray(codes), crises) for column, codes in SYSTEM_CODES.items()}
    years = rng.integers(FIRST_YEAR, LAST_YEAR + 1, crises)
    order = np.lexsort((draws["motrig"], years))
    draws = {column: values[order] for column, values in draws.items()}
    years = years[order]
    violence = play(covariates(draws["gravcr"], draws["protrac"]), rng) + 1
    days = rng.integers(1, 29, crises)
    durations = np.clip(rng.lognormal(np.log(120), 1.0, crises), 1, 1461).astype(int)
    filler = rng.integers(1, 5, (crises, len(SYSTEM_HEADER)))
    rows = []
    for i in range(crises):
        row = {column: str(filler[i, c]) for c, column in enumerate(SYSTEM_HEADER)}
        row.update({column: str(values[i]) for column, values in draws.items()})
        triggered = datetime.date(int(years[i]), int(draws["motrig"][i]), int(days[i]))
        terminated = triggered + datetime.timedelta(days=int(durations[i]))
        row.update(
            icb1="ICB1", crisno=str(i + 1), crisname=f"SYNTHETIC CRISIS {i + 1}", yrtrig=str(years[i]),
            datrig=str(days[i]), yrterm=str(terminated.year), moterm=str(terminated.month),
            daterm=str(terminated.day), brexit=str(durations[i]), viol=str(violence[i]),
        )  # fmt: skip
        rows.append(row)
    _blank(rows, rng)
    return rows


def actor_rows(crises: list[dict[str, str]], rng: np.random.Generator) -> list[dict[str, str]]:
    """1–4 crisis actors per crisis (distinct states), each with the crisis's dates, name and violence."""
    counts = rng.choice([1, 2, 3, 4], len(crises), p=[0.3, 0.45, 0.15, 0.1])
    states = [rng.choice(len(STATES), count, replace=False) for count in counts]
    total = int(counts.sum())
    draws = {column: rng.choice(np.asarray(codes), total) for column, codes in ACTOR_CODES.items()}
    filler = rng.integers(1, 5, (total, len(ACTOR_HEADER)))
    power_gaps = rng.integers(-40, 41, total)
    rows = []
    for crisis, chosen in zip(crises, states, strict=True):
        for state in chosen:
            i = len(rows)
            row = {column: str(filler[i, c]) for c, column in enumerate(ACTOR_HEADER)}
            row.update({column: str(values[i]) for column, values in draws.items()})
            code, abbreviation = STATES[state]
            row.update(
                icb2="ICB2", crisno=crisis["crisno"], cracno=str(i + 1), cracid=str(code), actor=abbreviation,
                crisname=crisis["crisname"], systrgyr=crisis["yrtrig"], systrgmo=crisis["motrig"],
                systrgda=crisis["datrig"], yrtrig=crisis["yrtrig"], motrig=crisis["motrig"],
                datrig=crisis["datrig"], yrterm=crisis["yrterm"], moterm=crisis["moterm"], daterm=crisis["daterm"],
                trigent=crisis["trigent"], viol=crisis["viol"], powdis=str(power_gaps[i]),
            )  # fmt: skip
            rows.append(row)
    _blank(rows, rng)
    return rows


def _blank(rows: list[dict[str, str]], rng: np.random.Generator) -> None:
    for column, share in BLANK_SHARE.items():
        if column in rows[0]:
            for row in rows:
                if rng.random() < share:
                    row[column] = ""


def write_rows(path: Path, header: list[str], rows: list[dict[str, str]]) -> Path:
    with open(path, "w", newline="") as stream:
        writer = csv.DictWriter(stream, header, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    return path


def write_synthetic_icb(folder: Path, crises: int, seed: int, actors: bool = True) -> tuple[Path, Path | None]:
    """Write ``icb1v14_synthetic.csv`` (and ``icb2v14_synthetic.csv``) into ``folder``."""
    rng = np.random.default_rng(seed)
    rows = system_rows(crises, rng)
    system = write_rows(folder / "icb1v14_synthetic.csv", SYSTEM_HEADER, rows)
    actor = write_rows(folder / "icb2v14_synthetic.csv", ACTOR_HEADER, actor_rows(rows, rng)) if actors else None
    return system, actor
