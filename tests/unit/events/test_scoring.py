"""The jury's arithmetic: weights, normalisation across jurors, ranking with ties, safe CSV."""

from __future__ import annotations

import csv
import io

import pytest

from imaginecole.events import scoring
from imaginecole.events.model import DEFAULT_RUBRIC

RUBRIC = [dict(c) for c in DEFAULT_RUBRIC]


def flat(value: float) -> dict[str, float]:
    return {c["id"]: value for c in RUBRIC}


def test_weights_count_and_a_zero_weight_criterion_counts_for_nothing():
    rubric = [
        {"id": "a", "name": "A", "weight": 3.0},
        {"id": "b", "name": "B", "weight": 1.0},
        {"id": "c", "name": "C", "weight": 0.0},
    ]
    assert scoring.weighted_score({"a": 4, "b": 0, "c": 5}, rubric) == pytest.approx(3.0)


def test_a_severe_and_a_generous_juror_weigh_the_same_after_normalisation():
    # the severe juror scores 1 and 2, the generous one 4 and 5: both prefer B to A.
    # Raw means would let the generous juror's lone submission C (4.5) beat B (3.5).
    scores = [
        ("A", "severe", flat(1)),
        ("B", "severe", flat(2)),
        ("B", "generous", flat(5)),
        ("C", "generous", flat(4.5)),
        ("A", "generous", flat(4)),
    ]
    results = scoring.results(["A", "B", "C"], scores, RUBRIC)
    by = {r.submission: r for r in results}
    assert [r.submission for r in results][0] == "B"
    assert by["B"].raw == pytest.approx(3.5)
    assert by["C"].raw == pytest.approx(4.5)
    assert by["B"].normalised > by["C"].normalised > by["A"].normalised
    assert by["B"].jurors == 2 and by["C"].jurors == 1


def test_a_juror_with_one_score_or_no_variance_moves_nothing():
    assert scoring.zscores({"A": 4.0}) == {"A": 0.0}
    assert scoring.zscores({"A": 3.0, "B": 3.0, "C": 3.0}) == {"A": 0.0, "B": 0.0, "C": 0.0}
    z = scoring.zscores({"A": 1.0, "B": 3.0})
    assert z == {"A": pytest.approx(-1.0), "B": pytest.approx(1.0)}
    # a juror who gave everything 5 does not lift their submissions above the others
    scores = [
        ("A", "flat", flat(5)),
        ("B", "flat", flat(5)),
        ("A", "other", flat(1)),
        ("B", "other", flat(3)),
    ]
    results = scoring.results(["A", "B"], scores, RUBRIC)
    assert [r.submission for r in results] == ["B", "A"]


def test_ties_share_a_rank_and_the_next_rank_is_skipped_unscored_are_unranked():
    scores = [
        ("A", "j1", flat(5)),
        ("B", "j1", flat(5)),
        ("C", "j1", flat(1)),
    ]
    results = scoring.results(["A", "B", "C", "D"], scores, RUBRIC)
    ranks = {r.submission: r.rank for r in results}
    assert ranks == {"A": 1, "B": 1, "C": 3, "D": None}
    assert [r.tied for r in results] == [True, True, False, False]
    assert results[-1].submission == "D" and results[-1].raw is None


def test_tied_submissions_share_the_prize_of_their_rank():
    prizes = [{"rank": 1, "title": "Premier prix"}, {"rank": 2, "title": "Deuxième prix"}]
    assert scoring.prize_for(1, prizes) == "Premier prix"
    assert scoring.prize_for(3, prizes) == ""
    assert scoring.prize_for(None, prizes) == ""


def test_csv_opens_in_excel_with_accents_and_no_cell_runs_as_a_formula():
    data = scoring.to_csv(
        ["Rang", "Titre", "Équipe"],
        [
            [1, '=HYPERLINK("http://evil")', "Les Étoiles"],
            [2, "+33 lancer", "-moins"],
            [3, "@SUM(A1)", "normale"],
            [-0.5, "\tcaché", "ok"],
        ],
    )
    assert data.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows[0] == ["Rang", "Titre", "Équipe"]
    assert rows[1][1] == '\'=HYPERLINK("http://evil")'
    assert rows[2][1:] == ["'+33 lancer", "'-moins"]
    assert rows[3][1] == "'@SUM(A1)"
    assert rows[4][0] == "-0.5"  # a number stays a number
    assert rows[4][1] == "'\tcaché"
