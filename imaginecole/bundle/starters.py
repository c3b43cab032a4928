"""Sample content for a new grain of each kind, in French (and English).

A teacher starts from a working example and replaces it, rather than from an
empty form; every starter is a valid grain.
"""

from __future__ import annotations

import copy
from typing import Any

TITLES = {
    "fr": {
        "single_choice": "Nouveau quiz à réponse unique",
        "multiple_choice": "Nouveau quiz à réponses multiples",
        "true_false": "Nouveau vrai ou faux",
        "fill_blanks": "Nouveau texte à trous",
        "drag_words": "Nouveaux mots à placer",
        "matching": "Nouvel exercice d'association",
        "ordering": "Nouvel exercice de classement",
        "flashcards": "Nouvelles cartes mémoire",
        "question_set": "Nouvelle série de questions",
    },
    "en": {
        "single_choice": "New single-answer quiz",
        "multiple_choice": "New multiple-answer quiz",
        "true_false": "New true or false",
        "fill_blanks": "New fill in the blanks",
        "drag_words": "New drag the words",
        "matching": "New matching exercise",
        "ordering": "New ordering exercise",
        "flashcards": "New flashcards",
        "question_set": "New question set",
    },
}


def _choices(*items: tuple[str, bool]) -> list[dict[str, Any]]:
    return [{"id": f"c{n}", "text": text, "correct": ok} for n, (text, ok) in enumerate(items, 1)]


_FR: dict[str, dict[str, Any]] = {
    "single_choice": {
        "statement": "Combien font 7 × 8 ?",
        "choices": _choices(("56", True), ("54", False), ("64", False)),
        "hint": "Pensez à 7 × 8 = 8 × 7.",
        "feedback": {"correct": "Bravo !", "incorrect": "Ce n'est pas cela : 7 × 8 = 56."},
    },
    "multiple_choice": {
        "statement": "Parmi ces nombres, lesquels sont pairs ?",
        "choices": _choices(("4", True), ("7", False), ("12", True), ("15", False)),
        "feedback": {"correct": "Bravo !", "incorrect": "Un nombre pair se divise par 2."},
    },
    "true_false": {
        "statement": "Le fleuve Niger traverse le Mali.",
        "answer": True,
        "feedback": {"correct": "Exact !", "incorrect": "Si : il traverse Bamako."},
    },
    "fill_blanks": {
        "statement": "Complétez la phrase.",
        "text": "Le soleil se lève à l'*est* et se couche à l'*ouest/occident*.",
        "case_sensitive": False,
    },
    "drag_words": {
        "statement": "Placez chaque mot au bon endroit.",
        "text": "Le *baobab* est un arbre ; la *mangue* est un fruit.",
        "distractors": ["riz"],
    },
    "matching": {
        "statement": "Associez chaque pays à sa capitale.",
        "pairs": [
            {"left": "Sénégal", "right": "Dakar"},
            {"left": "Mali", "right": "Bamako"},
            {"left": "Tunisie", "right": "Tunis"},
        ],
    },
    "ordering": {
        "statement": "Rangez ces nombres du plus petit au plus grand.",
        "items": ["3", "12", "27", "105"],
    },
    "flashcards": {
        "statement": "Révisez les figures géométriques.",
        "cards": [
            {"front": "Triangle", "back": "Une figure à trois côtés."},
            {"front": "Carré", "back": "Quatre côtés égais et quatre angles droits."},
        ],
    },
}

_EN: dict[str, dict[str, Any]] = {
    "single_choice": {
        "statement": "What is 7 × 8?",
        "choices": _choices(("56", True), ("54", False), ("64", False)),
        "hint": "7 × 8 = 8 × 7.",
        "feedback": {"correct": "Well done!", "incorrect": "Not quite: 7 × 8 = 56."},
    },
    "multiple_choice": {
        "statement": "Which of these numbers are even?",
        "choices": _choices(("4", True), ("7", False), ("12", True), ("15", False)),
        "feedback": {"correct": "Well done!", "incorrect": "An even number divides by 2."},
    },
    "true_false": {
        "statement": "The Niger river flows through Mali.",
        "answer": True,
        "feedback": {"correct": "Right!", "incorrect": "It does: it flows through Bamako."},
    },
    "fill_blanks": {
        "statement": "Complete the sentence.",
        "text": "The sun rises in the *east* and sets in the *west*.",
        "case_sensitive": False,
    },
    "drag_words": {
        "statement": "Put each word in its place.",
        "text": "The *baobab* is a tree; the *mango* is a fruit.",
        "distractors": ["rice"],
    },
    "matching": {
        "statement": "Match each country with its capital.",
        "pairs": [
            {"left": "Senegal", "right": "Dakar"},
            {"left": "Mali", "right": "Bamako"},
            {"left": "Tunisia", "right": "Tunis"},
        ],
    },
    "ordering": {
        "statement": "Put these numbers in order, smallest first.",
        "items": ["3", "12", "27", "105"],
    },
    "flashcards": {
        "statement": "Revise the shapes.",
        "cards": [
            {"front": "Triangle", "back": "A shape with three sides."},
            {"front": "Square", "back": "Four equal sides and four right angles."},
        ],
    },
}

QUESTION_SET = ("single_choice", "true_false", "fill_blanks")


def starter_questions(kind: str, language: str) -> list[dict[str, Any]]:
    """Sample questions for a new grain of `kind`; English for ``en…``, else French."""
    samples = _EN if language.split("-")[0] == "en" else _FR
    kinds = QUESTION_SET if kind == "question_set" else (kind,)
    return [
        {"id": f"q{n}", "kind": k, **copy.deepcopy(samples[k]), "points": 1}
        for n, k in enumerate(kinds, 1)
    ]


def starter_title(kind: str, language: str) -> str:
    return TITLES["en" if language.split("-")[0] == "en" else "fr"][kind]
