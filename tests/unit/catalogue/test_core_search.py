"""French text folding and stemming for the search index, without a database."""

import pytest

from imaginecole.catalogue.search import fold, stem, stemmed, words
from imaginecole.catalogue.search_query import Query, fts_match, tsquery
from imaginecole.i18n import ImaginecoleError


def test_fold_ignores_accents_case_and_ligatures():
    assert fold("Élève") == "eleve"
    assert fold("CŒUR de l'Œuvre") == "coeur de l'oeuvre"
    assert fold("Géométrie À CÔTÉ") == "geometrie a cote"


def test_words_split_on_punctuation_and_apostrophes():
    assert words("L'élève, la fraction ; les côtés!") == [
        "l",
        "eleve",
        "la",
        "fraction",
        "les",
        "cotes",
    ]


def test_plural_and_singular_share_a_stem():
    assert stem("fractions") == stem("fraction")
    assert stemmed("Les élèves") == stemmed("les eleve")
    assert stem("geometrie") == stem(fold("géométries"))


def test_query_terms_are_folded_deduplicated_and_last_is_a_prefix():
    query = Query.parse("Les Fractions FRACTIONS de décim", None, 1, 20, "relevance")
    assert query.terms == ("fractions", "decim")  # stop words (les, de) left out
    assert fts_match(query.terms) == '{title body} : ("fraction" "decim"*)'
    assert fts_match(query.terms, complement=True).startswith("tag : every NOT {title body}")
    assert tsquery(query.terms) == "fractions & decim:*"


def test_query_clamps_pages_and_defaults_to_recent_without_words():
    query = Query.parse("", {"country": ["SN", "SN", " "]}, 0, 1000, "relevance")
    assert (query.page, query.per_page, query.sort) == (1, 100, "recent")
    assert query.filter_map == {"country": ("SN",)}
    assert Query.parse("la le les", None, 1, 20, "relevance").terms == ()


def test_unknown_filter_or_sort_is_refused_with_the_allowed_values():
    with pytest.raises(ImaginecoleError, match="couleur") as info:
        Query.parse("", {"couleur": ["bleu"]}, 1, 20, "relevance")
    assert "country" in str(info.value)
    with pytest.raises(ImaginecoleError, match="popular"):
        Query.parse("", None, 1, 20, "popular")
