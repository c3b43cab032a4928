"""content.json for the `h5p` exporter: grain questions mapped onto H5P semantics.

Every value is written the way H5P's own content validator would leave it:
only fields of the semantics, single-field groups flattened (overallFeedback),
plain text escaped and HTML reduced to each field's tags (see h5p_text.py).

| grain | H5P |
|---|---|
| single_choice, multiple_choice | H5P.MultiChoice (behaviour.type single / multi) |
| true_false | H5P.TrueFalse (correct is the string "true" or "false") |
| fill_blanks | H5P.Blanks (the same *answer/alt* syntax; the hint is the first blank's tip) |
| drag_words | H5P.DragText (distractors as *word* too) |
| matching | H5P.DragText, one line per pair: « left : *right* » |
| ordering | H5P.SortParagraphs; H5P.DragText with numbered slots under 3 items or in a set |
| flashcards | H5P.Dialogcards (every card of the grain in one deck) |
| question_set, or several questions | H5P.QuestionSet (flashcards left out, with a warning) |
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from imaginecole.bundle.richtext import plain_text
from imaginecole.i18n import Message, translations

from .base import ExportError
from .h5p_text import (
    ANSWER_TAGS,
    AUDIO,
    BLANKS,
    CARD_TAGS,
    CONTEXT,
    DIALOGCARDS,
    DRAGTEXT,
    IMAGE,
    MULTICHOICE,
    NOT_PASSED,
    PASSED,
    QUESTION_TAGS,
    QUESTIONSET,
    SORTPARAGRAPHS,
    TASK_TAGS,
    TRANSCRIPT,
    TRUEFALSE,
    UI_STRINGS,
    field_tags,
    html_text,
    localised,
    merged,
    plain,
    rich,
    ui_language,
)

CONTENT_TYPES = {
    MULTICHOICE: "Multiple Choice",
    TRUEFALSE: "True/False Question",
    BLANKS: "Fill in the Blanks",
    DRAGTEXT: "Drag the Words",
    IMAGE: "Image",
    AUDIO: "Audio",
}

LICENCES = {  # grain licence -> (H5P license, licenseVersion)
    "CC-BY-SA-4.0": ("CC BY-SA", "4.0"),
    "CC-BY-4.0": ("CC BY", "4.0"),
    "CC-BY-NC-SA-4.0": ("CC BY-NC-SA", "4.0"),
    "CC-BY-NC-4.0": ("CC BY-NC", "4.0"),
    "CC0-1.0": ("CC0 1.0", None),
}

_MARK = re.compile(r"\*([^*]+)\*")


@dataclass
class Content:
    """What `build_content` makes: content.json and what the package needs beside it."""

    main: str  # e.g. "H5P.MultiChoice 1.16"
    params: dict[str, Any]
    libraries: list[str] = field(default_factory=list)  # sub-content libraries, first use first
    media: dict[str, str] = field(default_factory=dict)  # media/x.png -> images/x.png
    warnings: list[str] = field(default_factory=list)


class _Build:
    """One export: the manifest, its interface language, and what it has used so far."""

    def __init__(self, manifest: dict[str, Any], media_type: Callable[[str], str]) -> None:
        self.manifest = manifest
        self.media_type = media_type
        self.content = Content("", {})
        self.language = manifest["metadata"].get("language", "fr")
        self.translations = translations(ui_language(self.language))
        self.settings = manifest.get("settings") or {}
        self.namespace = uuid.UUID(manifest["id"])

    def tr(self, message: str) -> str:
        return self.translations.pgettext(CONTEXT, message)

    def ui(self, library: str, params: dict[str, Any]) -> dict[str, Any]:
        """`params` with the library's interface strings in the grain's language."""
        return merged(params, localised(UI_STRINGS[library], self.tr))

    def sub_id(self, *parts: str) -> str:
        # stable per bundle and question, so two exports are byte-identical
        return str(uuid.uuid5(self.namespace, "/".join(parts)))

    def use(self, library: str) -> None:
        if library not in self.content.libraries:
            self.content.libraries.append(library)

    def setting(self, name: str, default: bool) -> bool:
        return bool(self.settings.get(name, default))

    def metadata(self, library: str, title: str) -> dict[str, Any]:
        licence = self.manifest["metadata"].get("licence", "CC-BY-SA-4.0")
        license, version = LICENCES.get(licence, ("U", None))
        meta = {"contentType": CONTENT_TYPES[library], "license": license}
        if version:
            meta["licenseVersion"] = version
        meta["title"] = plain(" ".join(title.split())[:200] or CONTENT_TYPES[library])
        return meta

    def file(self, src: str, folder: str) -> dict[str, Any]:
        self.content.media[src] = f"{folder}/{src.removeprefix('media/')}"
        return {"path": self.content.media[src], "mime": self.media_type(src)}

    def image_file(self, image: dict[str, Any]) -> dict[str, Any]:
        value = self.file(image["src"], "images")
        value.update({k: int(image[k]) for k in ("width", "height") if image.get(k)})
        return value

    def subcontent(self, library: str, key: str, params: dict, title: str) -> dict[str, Any]:
        self.use(library)
        return {
            "library": library,
            "params": params,
            "subContentId": self.sub_id(key),
            "metadata": self.metadata(library, title),
        }

    def with_media(self, question: dict[str, Any], params: dict[str, Any]) -> dict[str, Any]:
        """`params` with the question's image or sound as the `media` group, if it has one."""
        media = question.get("media") or {}
        key = f"{question['id']}/media"
        if "image" in media:
            image = media["image"]
            params_ = {"file": self.image_file(image), "alt": plain(image["alt"], 500)}
            type_ = self.subcontent(IMAGE, key, self.ui(IMAGE, params_), image["alt"])
        elif "audio" in media:
            params_ = {
                "files": [self.file(media["audio"]["src"], "audios")],
                "playerMode": "minimalistic",
                "fitToWrapper": False,
                "controls": True,
                "autoplay": False,
            }
            type_ = self.subcontent(AUDIO, key, self.ui(AUDIO, params_), self.tr("Audio"))
        else:
            return params
        return {"media": {"type": type_, "disableImageZooming": False}, **params}

    def statement(self, question: dict[str, Any], tags: frozenset[str]) -> str:
        text = rich(question["statement"], tags)
        audio = (question.get("media") or {}).get("audio")
        if audio:  # H5P.Audio has no transcript field: the text goes under the question
            label = html_text(self.tr(TRANSCRIPT))
            label = f"<em>{label}</em>" if "em" in field_tags(tags) else label
            text += f"<p>{label} {html_text(audio['transcript'])}</p>"
        return text

    def buttons(self) -> dict[str, bool]:
        return {
            "enableRetry": self.setting("allow_retry", True),
            "enableSolutionsButton": self.setting("show_solutions", True),
            "enableCheckButton": True,
        }


def _word(question: dict[str, Any], word: str, forbidden: str = "*:") -> str:
    """`word` on one line, refused when it holds a character of H5P's markup."""
    for char in forbidden:
        if char in word:
            raise ExportError(
                "Question « {question} »: « {word} » holds « {char} », which H5P reads as "
                "markup. Write it without that character (for example 12 h 30 rather than "
                "12:30), then export again.",
                question=question["id"],
                word=word,
                char=char,
            )
    return " ".join(word.split())


def _with_tip(question: dict[str, Any], text: str) -> str:
    """`text` with every *mark* checked and the hint as the tip of the first one."""
    for match in _MARK.finditer(text):
        for alternative in match.group(1).split("/"):
            _word(question, alternative, ":")
    hint = " ".join(question.get("hint", "").replace("*", " ").split())
    if not hint:
        return text
    return _MARK.sub(lambda m: f"*{m.group(1)}:{hint}*", text, count=1)


def _overall_feedback(question: dict[str, Any]) -> list[dict[str, Any]]:
    feedback = question.get("feedback") or {}
    general = feedback.get("general", "")

    def words(text: str | None) -> dict[str, str]:
        joined = " ".join(t for t in (text, general) if t)
        return {"feedback": plain(joined)} if joined else {}

    if feedback.get("correct") or feedback.get("incorrect"):
        return [
            {"from": 0, "to": 99, **words(feedback.get("incorrect"))},
            {"from": 100, "to": 100, **words(feedback.get("correct"))},
        ]
    return [{"from": 0, "to": 100, **words(None)}]


def multichoice(b: _Build, q: dict[str, Any]) -> dict[str, Any]:
    answers = []
    for choice in q["choices"]:
        answer: dict[str, Any] = {
            "text": rich(choice["text"], ANSWER_TAGS),
            "correct": bool(choice["correct"]),
        }
        if choice.get("feedback"):
            answer["tipsAndFeedback"] = {"chosenFeedback": html_text(choice["feedback"])}
        answers.append(answer)
    params = {
        "question": b.statement(q, QUESTION_TAGS),
        "answers": answers,
        "overallFeedback": _overall_feedback(q),
        "behaviour": {
            **b.buttons(),
            "type": "single" if q["kind"] == "single_choice" else "multi",
            "singlePoint": False,
            "randomAnswers": b.setting("shuffle_choices", False),
            "showSolutionsRequiresInput": True,
            "confirmCheckDialog": False,
            "confirmRetryDialog": False,
            "autoCheck": False,
            "passPercentage": 100,
            "showScorePoints": True,
        },
    }
    return b.with_media(q, b.ui(MULTICHOICE, params))


def truefalse(b: _Build, q: dict[str, Any]) -> dict[str, Any]:
    feedback = q.get("feedback") or {}
    behaviour: dict[str, Any] = {
        **b.buttons(),
        "confirmCheckDialog": False,
        "confirmRetryDialog": False,
        "autoCheck": False,
    }
    for name, key in (("feedbackOnCorrect", "correct"), ("feedbackOnWrong", "incorrect")):
        words = " ".join(t for t in (feedback.get(key), feedback.get("general")) if t)
        if words:
            behaviour[name] = plain(words, 2048)
    params = {
        "question": b.statement(q, QUESTION_TAGS),
        "correct": "true" if q["answer"] else "false",
        "behaviour": behaviour,
    }
    return b.with_media(q, b.ui(TRUEFALSE, params))


def blanks(b: _Build, q: dict[str, Any]) -> dict[str, Any]:
    text = _with_tip(q, q["text"])
    questions = [html_text(line.strip()) for line in text.splitlines() if line.strip()]
    if len(questions) > 31:  # the semantics' maximum: the last block takes the rest
        questions = [*questions[:30], "<br>".join(questions[30:])]
    params = {
        "text": b.statement(q, TASK_TAGS),
        "questions": questions,
        "overallFeedback": _overall_feedback(q),
        "behaviour": {
            **b.buttons(),
            "autoCheck": False,
            "caseSensitive": bool(q.get("case_sensitive", False)),
            "showSolutionsRequiresInput": True,
            "separateLines": False,
            "confirmCheckDialog": False,
            "confirmRetryDialog": False,
            "acceptSpellingErrors": False,
        },
    }
    return b.with_media(q, b.ui(BLANKS, params))


def _dragtext_source(b: _Build, q: dict[str, Any]) -> tuple[str, list[str]]:
    """The text with its *marks* and the distractors of a DragText for this question."""
    if q["kind"] == "drag_words":
        return q["text"], [_word(q, d) for d in q.get("distractors") or []]
    if q["kind"] == "matching":
        sep = " : " if ui_language(b.language) == "fr" else ": "
        pairs = q["pairs"]
        return "\n".join(
            f"{_word(q, p['left'], '*')}{sep}*{_word(q, p['right'])}*" for p in pairs
        ), []
    # ordering: one numbered slot per place
    return "\n".join(f"{n}. *{_word(q, item)}*" for n, item in enumerate(q["items"], 1)), []


def dragtext(b: _Build, q: dict[str, Any]) -> dict[str, Any]:
    text, distractors = _dragtext_source(b, q)
    params: dict[str, Any] = {
        "taskDescription": b.statement(q, TASK_TAGS),
        "textField": plain(_with_tip(q, text)),
    }
    if distractors:
        params["distractors"] = plain(" ".join(f"*{d}*" for d in distractors))
    params["overallFeedback"] = _overall_feedback(q)
    params["behaviour"] = {**b.buttons(), "instantFeedback": False}
    return b.with_media(q, b.ui(DRAGTEXT, params))


def sortparagraphs(b: _Build, q: dict[str, Any]) -> dict[str, Any]:
    params = {
        "taskDescription": b.statement(q, TASK_TAGS),
        "paragraphs": [html_text(item) for item in q["items"]],
        "overallFeedback": _overall_feedback(q),
        "behaviour": {
            "scoringMode": "positions",
            "applyPenalties": True,
            "duplicatesInterchangeable": True,
            "addButtonsForMovement": True,
            "enableRetry": b.setting("allow_retry", True),
            "enableSolutionsButton": b.setting("show_solutions", True),
        },
    }
    return b.with_media(q, b.ui(SORTPARAGRAPHS, params))


def _paragraph(html: str) -> str:
    return html if html.startswith("<p") else f"<p>{html}</p>"


def dialogcards(b: _Build, questions: list[dict[str, Any]]) -> dict[str, Any]:
    dialogs = []
    for q in questions:
        for card in q["cards"]:
            dialog: dict[str, Any] = {
                "text": rich(card["front"], CARD_TAGS),
                "answer": rich(card["back"], CARD_TAGS),
            }
            if card.get("image"):
                dialog["image"] = b.image_file(card["image"])
                dialog["imageAltText"] = plain(card["image"]["alt"])
            tip = [q["hint"]] if q.get("hint") else []
            if card.get("audio"):
                dialog["audio"] = [b.file(card["audio"]["src"], "audios")]
                # behind the tip button, the transcript does not give the answer away
                tip.append(f"{b.tr(TRANSCRIPT)} {card['audio']['transcript']}")
            dialog["tips"] = {"front": plain(" ".join(tip))} if tip else {}
            dialogs.append(dialog)
    params = {
        "title": html_text(b.manifest["metadata"]["title"]),
        "mode": "normal",
        "description": "".join(_paragraph(rich(q["statement"], CARD_TAGS)) for q in questions),
        "dialogs": dialogs,
        "behaviour": {
            "enableRetry": b.setting("allow_retry", True),
            "disableBackwardsNavigation": False,
            "scaleTextNotCard": False,
            "randomCards": b.setting("shuffle_questions", False),
            "maxProficiency": 5,
            "quickProgression": False,
        },
    }
    return b.ui(DIALOGCARDS, params)


def standalone(b: _Build, q: dict[str, Any], in_set: bool = False) -> tuple[str, dict[str, Any]]:
    """The library and params of one question, on its own or inside a question set."""
    kind = q["kind"]
    if kind in ("single_choice", "multiple_choice"):
        return MULTICHOICE, multichoice(b, q)
    if kind == "true_false":
        return TRUEFALSE, truefalse(b, q)
    if kind == "fill_blanks":
        return BLANKS, blanks(b, q)
    if kind == "ordering" and not in_set and len(q["items"]) >= 3:  # SortParagraphs' minimum
        return SORTPARAGRAPHS, sortparagraphs(b, q)
    return DRAGTEXT, dragtext(b, q)


def questionset(b: _Build, questions: list[dict[str, Any]]) -> dict[str, Any]:
    subcontents = []
    for q in questions:
        if q["kind"] == "flashcards":
            b.content.warnings.append(
                str(
                    Message(
                        "Question « {question} » (flashcards) is left out of the H5P package: "
                        "an H5P question set cannot hold flashcards. Export them as a "
                        "flashcards grain of their own.",
                        question=q["id"],
                    )
                )
            )
            continue
        library, params = standalone(b, q, in_set=True)
        title = q.get("title") or plain_text(q["statement"])
        subcontents.append(b.subcontent(library, q["id"], params, title))
    metadata = b.manifest["metadata"]
    pass_percentage = round(float(b.settings.get("pass_mark", 0.5)) * 100)
    passed = {"feedback": plain(b.tr(PASSED))}
    if pass_percentage > 0:
        feedback = [
            {"from": 0, "to": pass_percentage - 1, "feedback": plain(b.tr(NOT_PASSED))},
            {"from": pass_percentage, "to": 100, **passed},
        ]
    else:
        feedback = [{"from": 0, "to": 100, **passed}]
    retry, solutions = b.setting("allow_retry", True), b.setting("show_solutions", True)
    intro: dict[str, Any] = {
        "showIntroPage": bool(metadata.get("description")),
        "title": html_text(metadata["title"]),
    }
    if metadata.get("description"):
        intro["introduction"] = f"<p>{html_text(metadata['description'])}</p>"
    params = {
        "introPage": intro,
        "progressType": "dots",
        "passPercentage": pass_percentage,
        "questions": subcontents,
        "disableBackwardsNavigation": False,
        "randomQuestions": b.setting("shuffle_questions", False),
        "endGame": {
            "showResultPage": True,
            "showSolutionButton": solutions,
            "showRetryButton": retry,
            "overallFeedback": feedback,
            "showAnimations": False,
            "skippable": False,
        },
        "override": {
            "checkButton": True,
            "showSolutionButton": "on" if solutions else "off",
            "retryButton": "on" if retry else "off",
        },
    }
    return b.ui(QUESTIONSET, params)


def build_content(manifest: dict[str, Any], media_type: Callable[[str], str]) -> Content:
    """content.json of `manifest`, and the libraries and media it uses."""
    b = _Build(manifest, media_type)
    questions = manifest["questions"]
    if {q["kind"] for q in questions} == {"flashcards"}:
        b.content.main, b.content.params = DIALOGCARDS, dialogcards(b, questions)
    elif manifest["kind"] != "question_set" and len(questions) == 1:
        b.content.main, b.content.params = standalone(b, questions[0])
    else:
        b.content.main, b.content.params = QUESTIONSET, questionset(b, questions)
    return b.content
