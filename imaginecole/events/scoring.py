"""The jury's arithmetic: weighted scores, normalisation across jurors, ranking, CSV.

Pure functions on plain values, so the tests check them without a server (docs/events.md
explains the normalisation to trainers).

- A juror's **weighted score** of a submission is the weighted mean of their criterion scores
  (0-5): Σ wᵢ·sᵢ / Σ wᵢ.
- **Normalisation**: each juror's weighted scores become z-scores over that juror's own scores,
  z = (x - mean) / standard deviation (population). A severe juror and a generous one then
  weigh the same. A juror with one score, or who gave every submission the same score, tells
  nothing about order: their z-scores are 0 (neither up nor down).
- A submission's **normalised score** is the mean of its jurors' z-scores; its **raw score**
  the mean of their weighted scores (0-5), shown beside it.
- **Ranking**: by normalised score, then raw score; equal on both (to 1e-9) share a rank
  (1, 1, 3). Submissions nobody scored are not ranked.
"""

from __future__ import annotations

import csv
import io
import math
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

EPSILON = 1e-9
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def weighted_score(scores: Mapping[str, float], rubric: Sequence[Mapping[str, Any]]) -> float:
    """Σ wᵢ·sᵢ / Σ wᵢ over the rubric's criteria (a criterion of weight 0 counts for nothing)."""
    total = sum(float(c["weight"]) for c in rubric)
    return sum(float(c["weight"]) * float(scores[c["id"]]) for c in rubric) / total


def zscores(values: Mapping[Any, float]) -> dict[Any, float]:
    """Each value's z-score among `values`; all 0 for fewer than two values or no variance."""
    if len(values) < 2:
        return {k: 0.0 for k in values}
    mean = sum(values.values()) / len(values)
    variance = sum((v - mean) ** 2 for v in values.values()) / len(values)
    sd = math.sqrt(variance)
    if sd < EPSILON:
        return {k: 0.0 for k in values}
    return {k: (v - mean) / sd for k, v in values.items()}


@dataclass
class Result:
    submission: Any  # the submission's id
    raw: float | None = None  # mean weighted score, 0-5
    normalised: float | None = None  # mean z-score
    jurors: int = 0  # how many jurors scored it
    criteria: dict[str, float] = field(default_factory=dict)  # criterion -> mean score
    rank: int | None = None
    tied: bool = False


def results(
    submissions: Iterable[Any],
    scores: Iterable[tuple[Any, str, Mapping[str, float]]],
    rubric: Sequence[Mapping[str, Any]],
) -> list[Result]:
    """Results of `submissions` from `scores` (submission, juror, {criterion: score}), ranked.

    Returns every submission, best first; the unscored last, unranked.
    """
    by_juror: dict[str, dict[Any, float]] = defaultdict(dict)
    per_criterion: dict[Any, dict[str, list[float]]] = defaultdict(lambda: defaultdict(list))
    for submission, juror, given in scores:
        by_juror[juror][submission] = weighted_score(given, rubric)
        for criterion in rubric:
            per_criterion[submission][criterion["id"]].append(float(given[criterion["id"]]))
    raw: dict[Any, list[float]] = defaultdict(list)
    normal: dict[Any, list[float]] = defaultdict(list)
    for juror_scores in by_juror.values():
        for submission, z in zscores(juror_scores).items():
            normal[submission].append(z)
            raw[submission].append(juror_scores[submission])
    out = []
    for submission in submissions:
        result = Result(submission)
        if raw.get(submission):
            result.raw = sum(raw[submission]) / len(raw[submission])
            result.normalised = sum(normal[submission]) / len(normal[submission])
            result.jurors = len(raw[submission])
            result.criteria = {
                c: sum(values) / len(values) for c, values in per_criterion[submission].items()
            }
        out.append(result)
    return rank(out)


def rank(items: list[Result]) -> list[Result]:
    """Sort best first and give ranks with ties (1, 1, 3); unscored items get no rank."""
    scored = [r for r in items if r.normalised is not None]
    unscored = [r for r in items if r.normalised is None]
    scored.sort(key=lambda r: (-r.normalised, -r.raw))
    previous: Result | None = None
    for position, result in enumerate(scored, start=1):
        if previous is not None and _same(previous, result):
            result.rank = previous.rank
            result.tied = previous.tied = True
        else:
            result.rank = position
        previous = result
    return scored + unscored


def _same(a: Result, b: Result) -> bool:
    return abs(a.normalised - b.normalised) < EPSILON and abs(a.raw - b.raw) < EPSILON


def prize_for(rank: int | None, prizes: Sequence[Mapping[str, Any]]) -> str:
    """The title of the prize of `rank` ("" if none): tied submissions share it."""
    if rank is None:
        return ""
    return next((str(p["title"]) for p in prizes if int(p["rank"]) == rank), "")


def safe_cell(value: Any) -> str:
    """A CSV cell a spreadsheet shows as text: text that starts like a formula gets a '.

    Numbers stay numbers (a negative score is not a formula)."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    text = "" if value is None else str(value)
    if text.startswith(FORMULA_STARTS):
        return "'" + text
    return text


def to_csv(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> bytes:
    """UTF-8 with a byte order mark (Excel then reads the accents), every text cell safe."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([safe_cell(h) for h in header])
    for row in rows:
        writer.writerow([safe_cell(v) for v in row])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")
