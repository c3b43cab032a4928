"""Text for the `h5p` exporter: escaping as H5P does, HTML per field, interface strings.

H5P's content validator escapes plain-text fields with
``htmlspecialchars(ENT_QUOTES)`` and filters HTML fields down to the tags their
semantics list (plus div, span, p and br). Text written here is already in that
form, so the validator leaves it unchanged.

The interface strings (buttons, screen-reader texts) are the project's own, in
the `h5p` message context of the gettext catalogues; their English message ids
are the semantics' defaults.
"""

from __future__ import annotations

from collections.abc import Callable
from html.parser import HTMLParser
from typing import Any

from imaginecole.bundle.richtext import plain_text, sanitize_rich_text

CONTEXT = "h5p"  # msgctxt of the H5P interface strings in the .po files

MULTICHOICE = "H5P.MultiChoice 1.16"
TRUEFALSE = "H5P.TrueFalse 1.8"
BLANKS = "H5P.Blanks 1.14"
DRAGTEXT = "H5P.DragText 1.10"
QUESTIONSET = "H5P.QuestionSet 1.20"
DIALOGCARDS = "H5P.Dialogcards 1.9"
SORTPARAGRAPHS = "H5P.SortParagraphs 0.12"
IMAGE = "H5P.Image 1.1"
AUDIO = "H5P.Audio 1.5"

# the `tags` of each HTML field in the semantics
QUESTION_TAGS = frozenset({"strong", "em", "sub", "sup", "h2", "h3", "pre", "code"})
ANSWER_TAGS = frozenset({"strong", "em", "sub", "sup", "code"})
TASK_TAGS = frozenset({"strong", "em", "u", "a", "ul", "ol", "h2", "h3", "hr", "pre", "code"})
CARD_TAGS = frozenset({"p", "br", "strong", "em", "code"})


# -- text as H5P keeps it ----------------------------------------------------------------------


def _escape(text: str) -> str:
    return (
        text.replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace('"', "&quot;")
        .replace("'", "&#039;")
    )


def plain(text: str, max_length: int | None = None) -> str:
    """A plain-text field: escaped like H5P's validator, cut between entities to `max_length`."""
    if max_length is None:
        return _escape(text)
    out, size = [], 0
    for char in text:
        piece = _escape(char)
        if size + len(piece) > max_length:
            break
        out.append(piece)
        size += len(piece)
    return "".join(out)


def html_text(text: str) -> str:
    """Plain text inside an HTML field."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def field_tags(tags: frozenset[str]) -> frozenset[str]:
    """The tags H5P keeps in a field whose semantics list `tags` (its own additions included)."""
    allowed = {"div", "span", "p", "br", *tags}
    if "table" in allowed:
        allowed |= {"tr", "td", "th", "colgroup", "thead", "tbody", "tfoot"}
    if "b" in allowed:
        allowed.add("strong")
    if "i" in allowed:
        allowed.add("em")
    if "ul" in allowed or "ol" in allowed:
        allowed.add("li")
    if "del" in allowed or "strike" in allowed:
        allowed.add("s")
    return frozenset(allowed)


class _Converter(HTMLParser):
    """Rewrites subset HTML into one field's tags; what the field cannot hold becomes text."""

    def __init__(self, allowed: frozenset[str]) -> None:
        super().__init__(convert_charrefs=True)
        self.allowed = allowed
        self.out: list[str] = []
        self.stack: list[tuple[str, str]] = []  # (source tag, text that closes it)
        self.lists: list[list[Any]] = []  # ul/ol turned into lines: [tag, items so far]
        self.links: list[tuple[int, str]] = []  # links turned into text: (output index, href)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        if tag == "br":
            self.out.append("<br>")
            return
        name = {"b": "strong", "i": "em"}.get(tag, tag)
        if tag in ("ul", "ol") and tag not in self.allowed:
            self.lists.append([tag, 0])
            self.stack.append((tag, ""))
        elif tag == "li" and "li" not in self.allowed:
            marker = "• "
            if self.lists:
                self.lists[-1][1] += 1
                if self.lists[-1][0] == "ol":
                    marker = f"{self.lists[-1][1]}. "
            self.out.append(f"<div>{marker}")
            self.stack.append((tag, "</div>"))
        elif tag == "a" and "a" not in self.allowed:
            self.links.append((len(self.out), values.get("href", "")))
            self.stack.append((tag, ""))
        elif name in self.allowed:
            keep = {"a": ("href", "rel"), "span": ("lang", "dir")}.get(name, ())
            attr = "".join(f' {k}="{_escape(values[k])}"' for k in keep if values.get(k))
            self.out.append(f"<{name}{attr}>")
            self.stack.append((tag, f"</{name}>"))
        else:
            self.stack.append((tag, ""))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "br":
            self.out.append("<br>")

    def handle_endtag(self, tag: str) -> None:
        for index in range(len(self.stack) - 1, -1, -1):
            if self.stack[index][0] == tag:
                for opened, closing in reversed(self.stack[index:]):
                    self._close(opened, closing)
                del self.stack[index:]
                return

    def _close(self, tag: str, closing: str) -> None:
        if tag in ("ul", "ol") and not closing and self.lists:
            self.lists.pop()
        if tag == "a" and not closing and self.links:
            # the field takes no links: keep the address readable after the words
            start, href = self.links.pop()
            target = href.removeprefix("mailto:")
            if href and target != plain_text("".join(self.out[start:])):
                self.out.append(f" ({html_text(target)})")
        self.out.append(closing)

    def handle_data(self, data: str) -> None:
        self.out.append(html_text(data))

    def result(self) -> str:
        for opened, closing in reversed(self.stack):
            self._close(opened, closing)
        self.stack.clear()
        return "".join(self.out).strip()


def rich(text: str, tags: frozenset[str]) -> str:
    """Grain rich text for an HTML field with these semantics `tags`, cleaned by nh3 first."""
    converter = _Converter(field_tags(tags))
    converter.feed(sanitize_rich_text(text))
    converter.close()
    return converter.result()


# -- interface strings -------------------------------------------------------------------------


class Html(str):
    """A message id for an HTML field (escaped as HTML text, not as plain text)."""

    __slots__ = ()


def ui_language(language: str) -> str:
    """The language of the interface strings: Arabic, English, else French (the working one)."""
    base = language.split("-")[0].lower()
    return base if base in ("ar", "en") else "fr"


TRANSCRIPT = "Transcript:"
PASSED = "You reached the pass mark. Well done!"
NOT_PASSED = "You have not reached the pass mark yet: review and try again."

_SCORE_BAR = "You got :num out of :total points"
_A11Y = {
    "a11yCheck": "Check the answers. The responses will be marked as correct, incorrect, "
    "or unanswered.",
    "a11yShowSolution": "Show the solution. The task will be marked with its correct solution.",
    "a11yRetry": "Retry the task. Reset all responses and start the task over again.",
}
_CONFIRMS = {
    "confirmCheck": {
        "header": "Finish ?",
        "body": Html("Are you sure you wish to finish ?"),
        "cancelLabel": "Cancel",
        "confirmLabel": "Finish",
    },
    "confirmRetry": {
        "header": "Retry ?",
        "body": Html("Are you sure you wish to retry ?"),
        "cancelLabel": "Cancel",
        "confirmLabel": "Confirm",
    },
}

# per library: the interface fields of its semantics and their English message ids
UI_STRINGS: dict[str, dict[str, Any]] = {
    MULTICHOICE: {
        "UI": {
            "checkAnswerButton": "Check",
            "submitAnswerButton": "Submit",
            "showSolutionButton": "Show solution",
            "tryAgainButton": "Retry",
            "tipsLabel": "Show tip",
            "scoreBarLabel": _SCORE_BAR,
            "tipAvailable": "Tip available",
            "feedbackAvailable": "Feedback available",
            "correctAnswer": "Correct answer",
            "shouldCheck": "Should have been checked",
            "shouldNotCheck": "Should not have been checked",
            "noInput": "Please answer before viewing the solution",
            **_A11Y,
        },
        **_CONFIRMS,
    },
    TRUEFALSE: {
        "l10n": {
            "trueText": "True",
            "falseText": "False",
            "score": "You got @score of @total points",
            "checkAnswer": "Check",
            "submitAnswer": "Submit",
            "showSolutionButton": "Show solution",
            "tryAgain": "Retry",
            "wrongAnswerMessage": "Wrong answer",
            "correctAnswerMessage": "Correct answer",
            "scoreBarLabel": _SCORE_BAR,
            **_A11Y,
        },
        **_CONFIRMS,
    },
    BLANKS: {
        "showSolutions": "Show solution",
        "tryAgain": "Retry",
        "checkAnswer": "Check",
        "submitAnswer": "Submit",
        "notFilledOut": "Please fill in all blanks to view solution",
        "answerIsCorrect": "':ans' is correct",
        "answerIsWrong": "':ans' is wrong",
        "answeredCorrectly": "Answered correctly",
        "answeredIncorrectly": "Answered incorrectly",
        "solutionLabel": "Correct answer:",
        "inputLabel": "Blank input @num of @total",
        "inputHasTipLabel": "Tip available",
        "tipLabel": "Tip",
        **_CONFIRMS,
        "scoreBarLabel": _SCORE_BAR,
        **_A11Y,
        "a11yCheckingModeHeader": "Checking mode",
    },
    DRAGTEXT: {
        "checkAnswer": "Check",
        "submitAnswer": "Submit",
        "tryAgain": "Retry",
        "showSolution": "Show solution",
        "dropZoneIndex": "Drop Zone @index.",
        "empty": "Drop Zone @index is empty.",
        "contains": "Drop Zone @index contains draggable @draggable.",
        "ariaDraggableIndex": "@index of @count draggables.",
        "tipLabel": "Show tip",
        "correctText": "Correct!",
        "incorrectText": "Incorrect!",
        "resetDropTitle": "Reset drop",
        "resetDropDescription": "Are you sure you want to reset this drop zone?",
        "grabbed": "Draggable is grabbed.",
        "cancelledDragging": "Cancelled dragging.",
        "correctAnswer": "Correct answer:",
        "feedbackHeader": "Feedback",
        "scoreBarLabel": _SCORE_BAR,
        **_A11Y,
    },
    SORTPARAGRAPHS: {
        "l10n": {
            "checkAnswer": "Check",
            "submitAnswer": "Submit",
            "tryAgain": "Retry",
            "showSolution": "Show solution",
            "up": "Up",
            "down": "Down",
            "disabled": "Disabled",
        },
        "a11y": {
            "check": "Check the answers. The responses will be marked as correct or incorrect.",
            "showSolution": "Show the solution. The correct solution will be displayed.",
            "retry": "Retry the task. Reset all elements and start the task over again.",
            "yourResult": "You got @score out of @total points",
            "listDescription": "Sortable list of paragraphs.",
            "listDescriptionCheckAnswer": "List of paragraphs with results.",
            "listDescriptionShowSolution": "List of paragraphs with solutions.",
            "paragraph": "Paragraph",
            "correct": "correct",
            "wrong": "wrong",
            "point": "@score point",
            "sevenOfNine": "@current of @total",
            "currentPosition": "Current position in list",
            "instructionsSelected": "Press spacebar to reorder",
            "instructionsGrabbed": "Press up and down arrow keys to change position, spacebar "
            "to drop, escape to cancel",
            "grabbed": "Grabbed",
            "moved": "Moved",
            "dropped": "Dropped",
            "reorderCancelled": "Reorder cancelled",
            "finalPosition": "Final position",
            "nextParagraph": "Next paragraph",
            "correctParagraph": "Correct paragraph at position",
        },
    },
    DIALOGCARDS: {
        "answer": "Turn",
        "next": "Next",
        "prev": "Previous",
        "retry": "Retry",
        "correctAnswer": "I got it right!",
        "incorrectAnswer": "I got it wrong",
        "round": "Round @round",
        "cardsLeft": "Cards left: @number",
        "nextRound": "Proceed to round @round",
        "startOver": "Start over",
        "showSummary": "Next",
        "summary": "Summary",
        "summaryCardsRight": "Cards you got right:",
        "summaryCardsWrong": "Cards you got wrong:",
        "summaryCardsNotShown": "Cards in pool not shown:",
        "summaryOverallScore": "Overall Score",
        "summaryCardsCompleted": "Cards you have completed learning:",
        "summaryCompletedRounds": "Completed rounds:",
        "summaryAllDone": "Well done! You have mastered all @cards cards by getting them "
        "correct @max times!",
        "progressText": "Card @card of @total",
        "cardFrontLabel": "Card front",
        "cardBackLabel": "Card back",
        "tipButtonLabel": "Show tip",
        "audioNotSupported": "Your browser does not support this audio",
        "confirmStartingOver": {
            "header": "Start over?",
            "body": Html("All progress will be lost. Are you sure you want to start over?"),
            "cancelLabel": "Cancel",
            "confirmLabel": "Start over",
        },
    },
    QUESTIONSET: {
        "introPage": {"startButtonText": "Start Quiz"},
        "texts": {
            "prevButton": "Previous question",
            "nextButton": "Next question",
            "finishButton": "Finish",
            "submitButton": "Submit",
            "textualProgress": Html("Question: @current of @total questions"),
            "jumpToQuestion": "Question %d of %total",
            "questionLabel": "Question",
            "readSpeakerProgress": "Question @current of @total",
            "unansweredText": "Unanswered",
            "answeredText": "Answered",
            "currentQuestionText": "Current question",
            "navigationLabel": "Questions",
            "questionSetInstruction": "Choose question to display",
        },
        "endGame": {
            "noResultMessage": "Finished",
            "message": Html("Your result:"),
            "scoreBarLabel": "You got @finals out of @totals points",
            "solutionButtonText": "Show solution",
            "retryButtonText": "Retry",
            "finishButtonText": "Finish",
            "submitButtonText": "Submit",
            "skipButtonText": "Skip video",
        },
    },
    IMAGE: {"contentName": "Image"},
    AUDIO: {
        "playAudio": "Play audio",
        "pauseAudio": "Pause audio",
        "contentName": "Audio",
        "audioNotSupported": "Your browser does not support this audio",
    },
}


def message_ids() -> list[str]:
    """Every interface message id, each once (for the catalogues and their tests)."""
    found: list[str] = []

    def walk(value: Any) -> None:
        if isinstance(value, dict):
            for item in value.values():
                walk(item)
        elif value not in found:
            found.append(str(value))

    walk(UI_STRINGS)
    return [*found, *(m for m in (TRANSCRIPT, PASSED, NOT_PASSED) if m not in found)]


def localised(table: dict[str, Any], translate: Callable[[str], str]) -> dict[str, Any]:
    """`table` with each message translated and escaped for its kind of field."""
    out: dict[str, Any] = {}
    for name, value in table.items():
        if isinstance(value, dict):
            out[name] = localised(value, translate)
        elif isinstance(value, Html):
            out[name] = html_text(translate(value))
        else:
            out[name] = plain(translate(value))
    return out


def merged(params: dict[str, Any], strings: dict[str, Any]) -> dict[str, Any]:
    """`params` with the interface strings added, group into group."""
    out = dict(params)
    for name, value in strings.items():
        if isinstance(value, dict) and isinstance(out.get(name), dict):
            out[name] = merged(out[name], value)
        else:
            out[name] = value
    return out
