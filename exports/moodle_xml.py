"""`moodle-xml`: a Moodle XML question bank (one ``<quiz>`` file, media inside).

A ``category`` question named after the grain comes first, then one question per grain
question. Only question types of standard Moodle are written:

| grain | Moodle |
|---|---|
| single_choice | multichoice, single: the right answer 100 %, weights as partial credit |
| multiple_choice | multichoice, several: weights, else +100/k per right answer, -100/k per wrong |
| true_false | truefalse ("true" / "false" answers; the grain's feedback on each) |
| fill_blanks | one blank: shortanswer (``*`` at 0 % carries the wrong-answer feedback); |
| | several: cloze ``{1:SHORTANSWER:=a~=b}``, ``SHORTANSWER_C`` when case sensitive |
| drag_words | ddwtos: ``[[n]]`` gaps, one drag box per word, distractors as extra boxes |
| matching | matching: one subquestion per pair |
| ordering | ddwtos: numbered slots ``1. [[1]]``, one box per item (qtype_ordering is a plugin) |
| flashcards | description: the cards as a list, not graded |

Rich text goes as HTML (in CDATA), sanitised again; plain fields are HTML-escaped. Images
and sounds are ``<file encoding="base64">`` inside the question text, cited as
``@@PLUGINFILE@@/name``. ``defaultgrade`` is the question's points; the hint is a Moodle hint.
"""

from __future__ import annotations

import base64
import html
from pathlib import Path
from typing import Any

from imaginecole.i18n import N_, Message

from .base import Bundle, Exporter, write_output
from .gift import moodle_grade, moodle_grade_note, split_marked
from .qti import xml_text

PLUGINFILE = "@@PLUGINFILE@@/"
# the characters Moodle's cloze syntax reads inside {…}
_CLOZE_SPECIAL = str.maketrans({c: "\\" + c for c in '\\}#~/"'})


def _esc(text: str) -> str:
    return html.escape(text, quote=False)


def _num(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:.7f}".rstrip("0")


class _Writer:
    def __init__(self, bundle: Bundle) -> None:
        from imaginecole.bundle.richtext import plain_text, sanitize_rich_text
        from imaginecole.i18n import translations
        from imaginecole.player import ui_language

        self.bundle = bundle
        self.manifest = bundle.manifest
        self.settings = self.manifest.get("settings", {})
        self.sanitize = sanitize_rich_text
        self.plain_text = plain_text
        self.gettext = translations(ui_language(bundle.language)).gettext
        self.notes: list[Message] = []

    # -- XML pieces -------------------------------------------------------------------------

    @staticmethod
    def sub(parent: Any, tag: str, text: str | None = None, **attrs: str) -> Any:
        from lxml import etree

        element = etree.SubElement(parent, tag)
        for key, value in attrs.items():
            element.set(key, xml_text(value))
        if text is not None:
            element.text = xml_text(text)
        return element

    def text(self, parent: Any, value: str) -> Any:
        """A <text> child; CDATA keeps the HTML readable (unless it holds "]]>")."""
        from lxml import etree

        element = self.sub(parent, "text")
        value = xml_text(value)
        element.text = etree.CDATA(value) if value and "]]>" not in value else value
        return element

    def field(self, parent: Any, tag: str, html_value: str, **attrs: str) -> Any:
        element = self.sub(parent, tag, format="html", **attrs)
        self.text(element, html_value)
        return element

    def rich(self, value: str) -> str:
        return self.sanitize(value).strip()

    # -- media ----------------------------------------------------------------------------

    def media_html(self, media: dict[str, Any], files: dict[str, str]) -> str:
        parts = []
        if "image" in media:
            image = media["image"]
            name = self.attach(image["src"], files)
            size = "".join(f' {k}="{image[k]}"' for k in ("width", "height") if k in image)
            alt = html.escape(image["alt"])
            parts.append(f'<p><img src="{PLUGINFILE}{name}" alt="{alt}"{size}></p>')
        if "audio" in media:
            audio = media["audio"]
            name = self.attach(audio["src"], files)
            # Moodle's media filter turns a link to a sound into a player
            parts.append(f'<p><a href="{PLUGINFILE}{name}">{_esc(name)}</a></p>')
            label = _esc(self.gettext("Transcript"))
            parts.append(f"<details><summary>{label}</summary>")
            parts.append(f"<p>{_esc(audio['transcript'])}</p></details>")
        return "".join(parts)

    def attach(self, src: str, files: dict[str, str]) -> str:
        name = src.removeprefix("media/")
        files[name] = base64.b64encode(self.bundle.media_bytes(src)).decode("ascii")
        return name

    # -- questions ------------------------------------------------------------------------

    def question(self, quiz: Any, q: dict[str, Any], qtype: str, text: str) -> Any:
        """The common head of a question; `text` is its HTML question text (media added)."""
        question = self.sub(quiz, "question", type=qtype)
        shown = " ".join(self.plain_text(self.rich(q["statement"])).split())
        title = q.get("title") or shown[:100]
        self.text(self.sub(question, "name"), title or q["id"])
        files: dict[str, str] = {}
        text += self.media_html(q.get("media", {}), files)
        questiontext = self.field(question, "questiontext", text)
        for name in sorted(files):
            self.sub(questiontext, "file", files[name], name=name, path="/", encoding="base64")
        general = q.get("feedback", {}).get("general", "")
        self.field(question, "generalfeedback", _esc(general))
        if qtype != "cloze":  # a cloze question's grade is the sum of its blanks
            self.sub(question, "defaultgrade", _num(q.get("points", 1)))
        penalty = "1" if qtype == "truefalse" else "0.3333333"
        self.sub(question, "penalty", penalty)
        self.sub(question, "hidden", "0")
        self.sub(question, "idnumber", q["id"])
        return question

    def combined_feedback(self, question: Any, q: dict[str, Any]) -> None:
        feedback = q.get("feedback", {})
        self.field(question, "correctfeedback", _esc(feedback.get("correct", "")))
        partial = feedback.get("incorrect", "")
        self.field(question, "partiallycorrectfeedback", _esc(partial))
        self.field(question, "incorrectfeedback", _esc(feedback.get("incorrect", "")))
        self.sub(question, "shownumcorrect")

    def hint(self, question: Any, q: dict[str, Any]) -> None:
        if q.get("hint"):
            self.field(question, "hint", _esc(q["hint"]))

    def shuffle(self) -> str:
        return "1" if self.settings.get("shuffle_choices") else "0"

    def multichoice(self, quiz: Any, q: dict[str, Any]) -> None:
        question = self.question(quiz, q, "multichoice", self.rich(q["statement"]))
        single = q["kind"] == "single_choice"
        self.sub(question, "single", "true" if single else "false")
        self.sub(question, "shuffleanswers", self.shuffle())
        self.sub(question, "answernumbering", "abc")
        self.sub(question, "showstandardinstruction", "0")
        self.combined_feedback(question, q)
        choices = q["choices"]
        weighted = any(isinstance(c.get("weight"), int | float) for c in choices)
        right = sum(1 for c in choices if c["correct"]) or 1
        for c in choices:
            weight = c.get("weight")
            if single:
                # one answer must be worth 100 %; the player floors weights at 0
                fraction = 100.0 if c["correct"] else max(0.0, min(100.0, weight or 0.0))
            elif weighted:
                fraction = float(weight or 0)
            else:
                fraction = (100.0 if c["correct"] else -100.0) / right
            grade = moodle_grade(fraction)
            if grade != fraction:
                self.notes.append(moodle_grade_note(q, fraction, grade))
                fraction = grade
            answer = self.sub(question, "answer", fraction=_num(fraction), format="html")
            self.text(answer, self.rich(c["text"]))
            self.field(answer, "feedback", _esc(c.get("feedback", "")))
        self.hint(question, q)

    def truefalse(self, quiz: Any, q: dict[str, Any]) -> None:
        question = self.question(quiz, q, "truefalse", self.rich(q["statement"]))
        feedback = q.get("feedback", {})
        for value in (True, False):
            right = q["answer"] is value
            answer = self.sub(
                question, "answer", fraction="100" if right else "0", format="moodle_auto_format"
            )
            self.text(answer, "true" if value else "false")
            said = feedback.get("correct" if right else "incorrect", "")
            self.field(answer, "feedback", _esc(said))

    def fill_blanks(self, quiz: Any, q: dict[str, Any]) -> None:
        segments = split_marked(q["text"], alternatives=True)
        blanks = [s for s in segments if isinstance(s, list)]
        feedback = q.get("feedback", {})
        case = bool(q.get("case_sensitive"))
        if len(blanks) == 1:
            shown = "".join(_esc(s) if isinstance(s, str) else "_____" for s in segments)
            text = self.rich(q["statement"])
            if len(segments) > 1:
                text += f"<p>{shown}</p>"
            question = self.question(quiz, q, "shortanswer", text)
            self.sub(question, "usecase", "1" if case else "0")
            for word in blanks[0]:
                answer = self.sub(question, "answer", fraction="100", format="moodle_auto_format")
                self.text(answer, word)
                self.field(answer, "feedback", _esc(feedback.get("correct", "")))
            if feedback.get("incorrect"):
                # "*" matches any other answer: the wrong-answer feedback
                answer = self.sub(question, "answer", fraction="0", format="moodle_auto_format")
                self.text(answer, "*")
                self.field(answer, "feedback", _esc(feedback["incorrect"]))
            self.hint(question, q)
            return
        kind = "SHORTANSWER_C" if case else "SHORTANSWER"
        parts = []
        for segment in segments:
            if isinstance(segment, str):
                parts.append(_esc(segment))
                continue
            options = []
            for word in segment:
                option = "=" + _esc(word).translate(_CLOZE_SPECIAL)
                if feedback.get("correct"):
                    option += "#" + _esc(feedback["correct"]).translate(_CLOZE_SPECIAL)
                options.append(option)
            if feedback.get("incorrect"):
                options.append("*#" + _esc(feedback["incorrect"]).translate(_CLOZE_SPECIAL))
            parts.append(f"{{1:{kind}:{'~'.join(options)}}}")
        text = self.rich(q["statement"]) + "<p>" + "".join(parts) + "</p>"
        question = self.question(quiz, q, "cloze", text)
        self.hint(question, q)

    def ddwtos(
        self, quiz: Any, q: dict[str, Any], text: str, words: list[str], reused: set[str]
    ) -> None:
        """Drag and drop into text: `text` cites the boxes as [[n]], n the 1-based word."""
        question = self.question(quiz, q, "ddwtos", text)
        self.sub(question, "shuffleanswers", "1")
        self.combined_feedback(question, q)
        for word in words:
            box = self.sub(question, "dragbox")
            self.text(box, _esc(word))
            self.sub(box, "group", "1")
            if word in reused:  # a word that fills several gaps
                self.sub(box, "infinite")
        self.hint(question, q)

    def drag_words(self, quiz: Any, q: dict[str, Any]) -> None:
        segments = split_marked(q["text"], alternatives=False)
        placed = [s[0] for s in segments if isinstance(s, list)]
        words = list(dict.fromkeys([*placed, *(d.strip() for d in q.get("distractors", []))]))
        words = [w for w in words if w]
        number = {w: i for i, w in enumerate(words, 1)}
        shown = "".join(_esc(s) if isinstance(s, str) else f"[[{number[s[0]]}]]" for s in segments)
        reused = {w for w in placed if placed.count(w) > 1}
        self.ddwtos(quiz, q, self.rich(q["statement"]) + f"<p>{shown}</p>", words, reused)

    def ordering(self, quiz: Any, q: dict[str, Any]) -> None:
        # standard Moodle has no ordering type: numbered slots to drag the items into
        slots = "".join(f"<li>[[{n}]]</li>" for n in range(1, len(q["items"]) + 1))
        text = self.rich(q["statement"]) + f"<ol>{slots}</ol>"
        self.ddwtos(quiz, q, text, list(q["items"]), set())

    def matching(self, quiz: Any, q: dict[str, Any]) -> None:
        question = self.question(quiz, q, "matching", self.rich(q["statement"]))
        self.sub(question, "shuffleanswers", "true")
        self.combined_feedback(question, q)
        for pair in q["pairs"]:
            sub = self.sub(question, "subquestion", format="html")
            self.text(sub, _esc(pair["left"]))
            # Moodle keeps a matching answer as plain text, not HTML
            self.text(self.sub(sub, "answer"), pair["right"])
        self.hint(question, q)

    def flashcards(self, quiz: Any, q: dict[str, Any]) -> None:
        files: dict[str, str] = {}
        cards = []
        for card in q["cards"]:
            media = {k: card[k] for k in ("image", "audio") if k in card}
            cards.append(
                f"<li><p>{self.rich(card['front'])}</p><p>→ {self.rich(card['back'])}</p>"
                f"{self.media_html(media, files)}</li>"
            )
        text = self.rich(q["statement"]) + "<ul>" + "".join(cards) + "</ul>"
        question = self.question(quiz, q, "description", text)
        questiontext = question.find("questiontext")
        for name in sorted(files):
            if questiontext.find(f"file[@name='{name}']") is None:
                self.sub(questiontext, "file", files[name], name=name, path="/", encoding="base64")
        question.find("defaultgrade").text = "0"

    def quiz(self) -> Any:
        from lxml import etree

        meta = self.manifest["metadata"]
        quiz = etree.Element("quiz")
        quiz.append(
            etree.Comment(xml_text(f" Imaginecole Studio: {meta['title']} ").replace("--", "- -"))
        )
        category = self.sub(quiz, "question", type="category")
        path = " ".join(meta["title"].split()).replace("/", "//")
        self.text(self.sub(category, "category"), f"$course$/top/{path}")
        self.field(category, "info", _esc(meta.get("description", "")))
        handlers = {
            "single_choice": self.multichoice,
            "multiple_choice": self.multichoice,
            "true_false": self.truefalse,
            "fill_blanks": self.fill_blanks,
            "drag_words": self.drag_words,
            "matching": self.matching,
            "ordering": self.ordering,
            "flashcards": self.flashcards,
        }
        for q in self.manifest["questions"]:
            handlers[q["kind"]](quiz, q)
        return quiz


def moodle_xml(bundle: Bundle) -> bytes:
    """The Moodle XML file of `bundle`, as bytes; what had to change goes to its warnings."""
    from lxml import etree

    writer = _Writer(bundle)
    quiz = writer.quiz()
    bundle.warnings.extend(str(note) for note in writer.notes)
    return etree.tostring(quiz, xml_declaration=True, encoding="UTF-8", pretty_print=True)


class MoodleXmlExporter(Exporter):
    name = "moodle-xml"
    extension = ".xml"
    description = N_("Moodle XML question bank (with its images and sounds)")

    def default_output(self, bundle: Bundle, out_dir: Path) -> Path:
        return out_dir / f"{bundle.path.name}.moodle.xml"

    def export(self, bundle: Bundle, out: Path) -> Path:
        return write_output(out, moodle_xml(bundle))
