"""`qti21`: an IMS content package of QTI 2.1 items and one assessment test.

The zip holds ``imsmanifest.xml`` (IMS CP 1.1; resources ``imsqti_item_xmlv2p1`` and
``imsqti_test_xmlv2p1``, every file listed), one ``item-<question id>.xml`` per assessable
question, ``assessment.xml`` and the media the items show.

Scoring follows player.js: each item computes RAW (percent for choices, a count of right
blanks, gaps, pairs or positions otherwise), then ``SCORE = points × RAW / denominator``.
The test sums SCORE and sets PASS when ``SCORE ≥ MAXSCORE × PASS_MARK``.

| grain | QTI 2.1 |
|---|---|
| single_choice | choiceInteraction maxChoices=1, mapping (weights give partial credit) |
| multiple_choice | choiceInteraction maxChoices=0, mapping: weights, else +100/k and -100/k |
| true_false | choiceInteraction with "true" and "false" labelled in the grain's language |
| fill_blanks | one textEntryInteraction per blank, mapping of the alternatives, caseSensitive |
| drag_words | gapMatchInteraction: one gapText per word (distractors too), one gap per blank |
| matching | matchInteraction, two simpleMatchSets, directedPair left → right |
| ordering | orderInteraction; one point share per item in its place |
| flashcards | not assessable: left out, named in a rubricBlock (view author) of the test |

Feedback (correct, incorrect, per choice, general) is modalFeedback on the FEEDBACK outcome;
a hint is a modalFeedback shown after a wrong answer. Rich text becomes XHTML in the QTI
namespace: only QTI 2.1 elements are written (``u`` becomes ``span class="underline"``,
``dir`` becomes ``class="dir-rtl"``; QTI 2.1 has neither).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from imaginecole.i18n import N_, Message

from .base import Bundle, Exporter, ExportError

QTI_NS = "http://www.imsglobal.org/xsd/imsqti_v2p1"
QTI_XSD = "http://www.imsglobal.org/xsd/qti/qtiv2p1/imsqti_v2p1.xsd"
CP_NS = "http://www.imsglobal.org/xsd/imscp_v1p1"
CP_XSD = "http://www.imsglobal.org/xsd/imscp_v1p1.xsd"
MD_NS = "http://www.imsglobal.org/xsd/imsmd_v1p2"
MD_XSD = "http://www.imsglobal.org/xsd/imsmd_v1p2p4.xsd"
XSI_NS = "http://www.w3.org/2001/XMLSchema-instance"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
TEST_FILE = "assessment.xml"
NOT_ASSESSED = frozenset({"flashcards"})

_INLINE = frozenset({"strong", "b", "em", "i", "sub", "sup", "span", "a", "br", "u"})
_BLOCK = frozenset({"p", "ul", "ol", "li"})
_NOT_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def xml_text(text: str) -> str:
    """`text` without the characters XML 1.0 cannot hold."""
    return _NOT_XML.sub("", text)


def _num(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else repr(float(value))


def qti(tag: str, parent: Any = None, text: str | None = None, **attrs: Any) -> Any:
    """An element in the QTI namespace; attribute values may be bool or numbers."""
    from lxml import etree

    name = f"{{{QTI_NS}}}{tag}"
    if parent is None:
        element = etree.Element(name, nsmap={None: QTI_NS, "xsi": XSI_NS})
    else:
        element = etree.SubElement(parent, name)
    for key, value in attrs.items():
        key = XML_LANG if key == "xml_lang" else key
        if isinstance(value, bool):
            value = "true" if value else "false"
        elif isinstance(value, int | float):
            value = _num(value)
        element.set(key, xml_text(str(value)))
    if text is not None:
        element.text = xml_text(text)
    return element


def _append_text(element: Any, text: str | None) -> None:
    if not text:
        return
    text = xml_text(text)
    if len(element):
        element[-1].tail = (element[-1].tail or "") + text
    else:
        element.text = (element.text or "") + text


# -- rich text -> XHTML in the QTI namespace ---------------------------------------------------


def add_rich(parent: Any, html_text: str, *, inline: bool = False) -> None:
    """Append the rich-text subset `html_text` to `parent` as QTI 2.1 XHTML.

    Anything outside the subset is dropped (scripts and the like with their content) or
    unwrapped (other tags keep their text), so even a forged manifest gives a valid item.
    """
    from lxml import html as lxml_html

    from imaginecole.bundle.richtext import DANGEROUS_TAGS

    if not html_text.strip():
        return
    root = lxml_html.fragment_fromstring(html_text, create_parent="div")
    _copy(root, parent, inline=inline, in_link=False, drop=DANGEROUS_TAGS)


def _copy(src: Any, dst: Any, *, inline: bool, in_link: bool, drop: frozenset[str]) -> None:
    from imaginecole.bundle.richtext import DIRECTIONS, _scheme_ok

    _append_text(dst, src.text)
    for child in src:
        tag = child.tag.lower() if isinstance(child.tag, str) else None
        if tag is None or tag in drop:  # comments, processing instructions, scripts
            _append_text(dst, child.tail)
            continue
        keep = tag in _INLINE or (tag in _BLOCK and not inline)
        if tag == "a" and (
            in_link or not _scheme_ok(child.get("href", "")) or not child.get("href")
        ):
            keep = False
        if tag == "li":  # lists are copied by _list_items; a stray li is unwrapped
            keep = False
        if not keep:
            _copy(child, dst, inline=inline, in_link=in_link, drop=drop)
            _append_text(dst, child.tail)
            continue
        if tag == "u":
            out = qti("span", dst, **{"class": "underline"})
        elif tag == "br":
            out = qti("br", dst)
        elif tag in ("ul", "ol"):
            out = qti(tag, dst)
            _list_items(child, out, drop)
            _append_text(dst, child.tail)
            continue
        else:
            out = qti(tag, dst)
        if tag == "a":
            out.set("href", xml_text(child.get("href")))
        if tag == "span":
            if child.get("lang"):
                out.set(XML_LANG, xml_text(child.get("lang")))
            if child.get("dir") in DIRECTIONS:
                out.set("class", f"dir-{child.get('dir')}")
        if tag != "br":
            _copy(child, out, inline=tag not in ("li",), in_link=in_link or tag == "a", drop=drop)
        _append_text(dst, child.tail)


def _list_items(src: Any, out: Any, drop: frozenset[str]) -> None:
    """A list keeps only li children: stray text and tags go into an li of their own."""
    if src.text and src.text.strip():
        qti("li", out, text=src.text)
    for child in src:
        if isinstance(child.tag, str) and child.tag.lower() not in drop:
            _copy(child, qti("li", out), inline=False, in_link=False, drop=drop)
        if child.tail and child.tail.strip():
            qti("li", out, text=child.tail)
    if not len(out):
        qti("li", out)


# -- expressions ---------------------------------------------------------------------------------


def _x(tag: str, *children: Any, text: str | None = None, **attrs: Any) -> Any:
    element = qti(tag, text=text, **attrs)
    for child in children:
        element.append(child)
    return element


def _var(identifier: str) -> Any:
    return _x("variable", identifier=identifier)


def _base(base_type: str, value: Any) -> Any:
    return _x(
        "baseValue", text=_num(value) if base_type == "float" else str(value), baseType=base_type
    )


def _set(identifier: str, expression: Any) -> Any:
    return _x("setOutcomeValue", expression, identifier=identifier)


def _declare(parent: Any, identifier: str, cardinality: str, base_type: str, **attrs: Any) -> Any:
    return qti(
        "responseDeclaration",
        parent,
        identifier=identifier,
        cardinality=cardinality,
        baseType=base_type,
        **attrs,
    )


def _outcome(parent: Any, identifier: str, base_type: str, default: Any, **attrs: Any) -> None:
    cardinality = "multiple" if default is None else "single"
    outcome = qti("outcomeDeclaration", parent, identifier=identifier, cardinality=cardinality,
                  baseType=base_type, **attrs)  # fmt: skip
    if default is not None:
        _values(outcome, "defaultValue", [default if isinstance(default, str) else _num(default)])


def _values(parent: Any, tag: str, values: list[str]) -> None:
    holder = qti(tag, parent)
    for value in values:
        qti("value", holder, text=value)


# -- items ---------------------------------------------------------------------------------------


@dataclass
class _Parts:
    """What one kind adds to an item."""

    raw: Any = None  # expression for RAW, or None when `rules` compute it
    rules: list[Any] = field(default_factory=list)
    denominator: float = 1.0
    correct: Any = None  # boolean expression: everything right
    choice_feedback: dict[str, str] = field(default_factory=dict)


def _choice_parts(q: dict[str, Any], decl: Any, body: Any, shuffle: bool, strings: Any) -> _Parts:
    kind = q["kind"]
    if kind == "true_false":
        choices = [
            {"id": "true", "label": strings("True"), "correct": q["answer"] is True},
            {"id": "false", "label": strings("False"), "correct": q["answer"] is False},
        ]
        ident = {c["id"]: c["id"] for c in choices}
        shuffle = False
    else:
        choices = q["choices"]
        ident = {c["id"]: f"C_{c['id']}" for c in choices}
    multiple = kind == "multiple_choice"
    response = _declare(decl, "RESPONSE", "multiple" if multiple else "single", "identifier")
    _values(response, "correctResponse", [ident[c["id"]] for c in choices if c["correct"]])
    # the player's rules, in percent of the points (floored at 0, capped at 100)
    weighted = any(isinstance(c.get("weight"), int | float) for c in choices)
    right = sum(1 for c in choices if c["correct"]) or 1
    mapping = qti("mapping", response, defaultValue=0, lowerBound=0, upperBound=100)
    for c in choices:
        if multiple and not weighted:
            value: float = (100 if c["correct"] else -100) / right
        elif isinstance(c.get("weight"), int | float):
            value = c["weight"] if multiple else max(0, min(100, c["weight"]))
        else:
            value = 100 if c["correct"] and not multiple else 0
        if value:
            qti("mapEntry", mapping, mapKey=ident[c["id"]], mappedValue=value)
    interaction = qti(
        "choiceInteraction",
        body,
        responseIdentifier="RESPONSE",
        shuffle=shuffle,
        maxChoices=0 if multiple else 1,
    )
    for c in choices:
        choice = qti("simpleChoice", interaction, identifier=ident[c["id"]])
        if "label" in c:
            choice.text = c["label"]
        else:
            add_rich(choice, c["text"])
    feedback = {ident[c["id"]]: c["feedback"] for c in choices if c.get("feedback")}
    return _Parts(
        raw=_x("mapResponse", identifier="RESPONSE"),
        denominator=100,
        correct=_x("match", _var("RESPONSE"), _x("correct", identifier="RESPONSE")),
        choice_feedback=feedback,
    )


def _all_right(count: int) -> Any:
    return _x("gte", _var("RAW"), _base("float", count))


def _fill_blanks_parts(q: dict[str, Any], decl: Any, body: Any) -> _Parts:
    from .gift import split_marked

    case = bool(q.get("case_sensitive"))
    para = qti("p", body, **{"class": "cloze"})
    maps = []
    n = 0
    for segment in split_marked(q["text"], alternatives=True):
        if isinstance(segment, str):
            _append_text(para, segment)
            continue
        n += 1
        rid = f"RESPONSE_{n}"
        response = _declare(decl, rid, "single", "string")
        _values(response, "correctResponse", [segment[0]])
        mapping = qti("mapping", response, defaultValue=0, upperBound=1)
        seen = set()
        for answer in segment:
            key = answer if case else answer.casefold()
            if key not in seen:
                seen.add(key)
                qti("mapEntry", mapping, mapKey=answer, mappedValue=1, caseSensitive=case)
        length = max(len(a) for a in segment)
        qti("textEntryInteraction", para, responseIdentifier=rid, expectedLength=length)
        maps.append(_x("mapResponse", identifier=rid))
    return _Parts(
        raw=_x("sum", *maps),
        denominator=n,
        correct=_all_right(n),
    )


def _pairs_response(decl: Any, pairs: list[str]) -> None:
    response = _declare(decl, "RESPONSE", "multiple", "directedPair")
    _values(response, "correctResponse", pairs)
    mapping = qti("mapping", response, defaultValue=0, lowerBound=0, upperBound=len(pairs))
    for pair in pairs:
        qti("mapEntry", mapping, mapKey=pair, mappedValue=1)


def _drag_words_parts(q: dict[str, Any], decl: Any, body: Any) -> _Parts:
    from .gift import split_marked

    segments = split_marked(q["text"], alternatives=False)
    placed = [s[0] for s in segments if isinstance(s, list)]
    words = list(dict.fromkeys([*placed, *(d.strip() for d in q.get("distractors", []))]))
    words = [w for w in words if w]
    word_id = {w: f"W{i}" for i, w in enumerate(words, 1)}
    interaction = qti("gapMatchInteraction", responseIdentifier="RESPONSE", shuffle=True)
    for word in words:
        # matchMax 0: a word may fill several gaps, as in the player
        qti("gapText", interaction, text=word, identifier=word_id[word], matchMax=0)
    para = qti("p", interaction, **{"class": "cloze"})
    pairs = []
    for segment in segments:
        if isinstance(segment, str):
            _append_text(para, segment)
            continue
        gap = f"G{len(pairs) + 1}"
        qti("gap", para, identifier=gap)
        pairs.append(f"{word_id[segment[0]]} {gap}")
    _pairs_response(decl, pairs)
    body.append(interaction)
    return _Parts(
        raw=_x("mapResponse", identifier="RESPONSE"),
        denominator=len(pairs),
        correct=_all_right(len(pairs)),
    )


def _matching_parts(q: dict[str, Any], decl: Any, body: Any) -> _Parts:
    rights = list(dict.fromkeys(p["right"] for p in q["pairs"]))
    right_id = {r: f"R{i}" for i, r in enumerate(rights, 1)}
    pairs = [f"L{i} {right_id[p['right']]}" for i, p in enumerate(q["pairs"], 1)]
    _pairs_response(decl, pairs)
    interaction = qti(
        "matchInteraction",
        body,
        responseIdentifier="RESPONSE",
        shuffle=True,
        maxAssociations=len(pairs),
    )
    lefts = qti("simpleMatchSet", interaction)
    for i, pair in enumerate(q["pairs"], 1):
        qti("simpleAssociableChoice", lefts, text=pair["left"], identifier=f"L{i}", matchMax=1)
    answers = qti("simpleMatchSet", interaction)
    for right in rights:
        qti("simpleAssociableChoice", answers, text=right, identifier=right_id[right], matchMax=0)
    return _Parts(
        raw=_x("mapResponse", identifier="RESPONSE"),
        denominator=len(pairs),
        correct=_all_right(len(pairs)),
    )


def _ordering_parts(q: dict[str, Any], decl: Any, body: Any) -> _Parts:
    ids = [f"I{i}" for i in range(1, len(q["items"]) + 1)]
    response = _declare(decl, "RESPONSE", "ordered", "identifier")
    _values(response, "correctResponse", ids)
    # shuffle is required: the items are written in their right order
    interaction = qti("orderInteraction", body, responseIdentifier="RESPONSE", shuffle=True)
    for ident, item in zip(ids, q["items"], strict=True):
        qti("simpleChoice", interaction, text=item, identifier=ident)
    rules = [_set("RAW", _base("float", 0))]
    for n, ident in enumerate(ids, 1):  # each item in its place counts alone, as in the player
        at = _x("match", _x("index", _var("RESPONSE"), n=n), _base("identifier", ident))
        add = _set("RAW", _x("sum", _var("RAW"), _base("float", 1)))
        rules.append(_x("responseCondition", _x("responseIf", at, add)))
    return _Parts(
        rules=rules,
        denominator=len(ids),
        correct=_x("match", _var("RESPONSE"), _x("correct", identifier="RESPONSE")),
    )


def _media(body: Any, media: dict[str, Any], media_type: Any) -> None:
    if "image" in media:
        image = media["image"]
        attrs = {k: image[k] for k in ("width", "height") if k in image}
        qti("img", qti("p", body), src=image["src"], alt=image["alt"], **attrs)
    if "audio" in media:
        audio = media["audio"]
        # the transcript is the object's fallback content, its text alternative
        qti(
            "object",
            qti("p", body),
            text=audio["transcript"],
            data=audio["src"],
            type=media_type(audio["src"]),
        )


def item_identifier(q: dict[str, Any]) -> str:
    return f"Q-{q['id']}"


def build_item(q: dict[str, Any], manifest: dict[str, Any], media_type: Any, version: str) -> Any:
    """The assessmentItem element of one question."""
    from imaginecole.i18n import translations
    from imaginecole.player import ui_language

    language = manifest["metadata"].get("language", "fr")
    strings = translations(ui_language(language)).gettext
    settings = manifest.get("settings", {})
    points = q.get("points", 1)
    statement = qti("div", **{"class": "statement"})
    add_rich(statement, q["statement"])
    shown = " ".join("".join(statement.itertext()).split())  # what a learner reads
    title = q.get("title") or shown[:80] or q["id"]
    item = qti(
        "assessmentItem",
        identifier=item_identifier(q),
        title=title,
        adaptive=False,
        timeDependent=False,
        xml_lang=language,
        toolName="Imaginecole Studio",
        toolVersion=version,
    )
    item.set(f"{{{XSI_NS}}}schemaLocation", f"{QTI_NS} {QTI_XSD}")
    declarations = qti("declarations")  # a holder: its children move into the item
    body = qti("itemBody")
    body.append(statement)
    _media(body, q.get("media", {}), media_type)
    kind = q["kind"]
    if kind in ("single_choice", "multiple_choice", "true_false"):
        parts = _choice_parts(q, declarations, body, bool(settings.get("shuffle_choices")), strings)
    elif kind == "fill_blanks":
        parts = _fill_blanks_parts(q, declarations, body)
    elif kind == "drag_words":
        parts = _drag_words_parts(q, declarations, body)
    elif kind == "matching":
        parts = _matching_parts(q, declarations, body)
    elif kind == "ordering":
        parts = _ordering_parts(q, declarations, body)
    else:
        raise ValueError(kind)
    for declaration in list(declarations):
        item.append(declaration)
    _outcome(item, "SCORE", "float", 0, normalMaximum=points, normalMinimum=0)
    _outcome(item, "MAXSCORE", "float", points)
    _outcome(item, "RAW", "float", 0)
    _outcome(item, "FEEDBACK", "identifier", None)
    item.append(body)

    feedback = q.get("feedback", {})
    processing = qti("responseProcessing", item)
    for rule in parts.rules if parts.raw is None else [_set("RAW", parts.raw)]:
        processing.append(rule)
    score = _x(
        "product",
        _base("float", points),
        _x("divide", _var("RAW"), _base("float", parts.denominator)),
    )
    processing.append(_set("SCORE", score))
    wrong = [_base("identifier", "incorrect")]
    if q.get("hint"):
        wrong.append(_base("identifier", "hint"))
    processing.append(
        _x(
            "responseCondition",
            _x(
                "responseIf",
                parts.correct,
                _set("FEEDBACK", _x("multiple", _base("identifier", "correct"))),
            ),
            _x("responseElse", _set("FEEDBACK", _x("multiple", *wrong))),
        )
    )
    if parts.choice_feedback:
        processing.append(_set("FEEDBACK", _x("multiple", _var("FEEDBACK"), _var("RESPONSE"))))
    if feedback.get("general"):
        processing.append(
            _set("FEEDBACK", _x("multiple", _var("FEEDBACK"), _base("identifier", "general")))
        )

    shown = [(k, feedback.get(k), None) for k in ("correct", "incorrect")]
    shown += [(k, v, None) for k, v in parts.choice_feedback.items()]
    shown += [("general", feedback.get("general"), None), ("hint", q.get("hint"), strings("Hint"))]
    for identifier, text, heading in shown:
        if text:
            modal = qti(
                "modalFeedback",
                item,
                text=text,
                outcomeIdentifier="FEEDBACK",
                showHide="show",
                identifier=identifier,
            )
            if heading:
                modal.set("title", heading)
    return item


# -- test and package ----------------------------------------------------------------------------


def build_test(
    manifest: dict[str, Any],
    items: list[tuple[dict[str, Any], str]],
    notes: list[str],
    version: str,
) -> Any:
    """The assessmentTest: one part, one section, SCORE summed, PASS from the pass mark."""
    settings = manifest.get("settings", {})
    meta = manifest["metadata"]
    total = sum(q.get("points", 1) for q, _ in items)
    pass_mark = settings.get("pass_mark", 0.5)
    test = qti(
        "assessmentTest",
        identifier=f"T-{manifest['id']}",
        title=meta["title"],
        toolName="Imaginecole Studio",
        toolVersion=version,
    )
    test.set(f"{{{XSI_NS}}}schemaLocation", f"{QTI_NS} {QTI_XSD}")
    mastery = total * pass_mark
    _outcome(test, "SCORE", "float", 0, normalMaximum=total, normalMinimum=0, masteryValue=mastery)
    _outcome(test, "MAXSCORE", "float", total)
    _outcome(test, "PASS_MARK", "float", pass_mark, interpretation="share of MAXSCORE to pass")
    _outcome(test, "PASS", "boolean", "false")
    part = qti(
        "testPart", test, identifier="P1", navigationMode="nonlinear", submissionMode="individual"
    )
    qti(
        "itemSessionControl",
        part,
        maxAttempts=0 if settings.get("allow_retry", True) else 1,
        showFeedback=True,
        allowReview=True,
        showSolution=bool(settings.get("show_solutions", True)),
    )
    section = qti("assessmentSection", part, identifier="S1", title=meta["title"], visible=True)
    if settings.get("shuffle_questions"):
        qti("ordering", section, shuffle=True)
    if notes:
        rubric = qti("rubricBlock", section, view="author")
        for note in notes:
            qti("p", rubric, text=note)
    for q, href in items:
        qti("assessmentItemRef", section, identifier=item_identifier(q), href=href)
    processing = qti("outcomeProcessing", test)
    processing.append(_set("SCORE", _x("sum", _x("testVariables", variableIdentifier="SCORE"))))
    processing.append(
        _set("PASS", _x("gte", _var("SCORE"), _x("product", _var("MAXSCORE"), _var("PASS_MARK"))))
    )
    return test


def build_manifest(
    manifest: dict[str, Any], resources: list[tuple[str, str, list[str], list[str]]]
) -> Any:
    """imsmanifest.xml: resources are (identifier, type, files, dependencies); files[0] is href."""
    from lxml import etree

    meta = manifest["metadata"]
    language = meta.get("language", "fr")

    def cp(tag: str, parent: Any = None, text: str | None = None, **attrs: str) -> Any:
        name = f"{{{CP_NS}}}{tag}"
        element = (
            etree.Element(name, nsmap={None: CP_NS, "imsmd": MD_NS, "xsi": XSI_NS})
            if parent is None
            else etree.SubElement(parent, name)
        )
        for key, value in attrs.items():
            element.set(key, xml_text(value))
        if text is not None:
            element.text = xml_text(text)
        return element

    def md(tag: str, parent: Any, text: str | None = None, lang: str | None = None) -> Any:
        element = etree.SubElement(parent, f"{{{MD_NS}}}{tag}")
        if lang:
            element.set(XML_LANG, lang)
        if text is not None:
            element.text = xml_text(text)
        return element

    root = cp("manifest", identifier=f"MANIFEST-{manifest['id']}")
    root.set(f"{{{XSI_NS}}}schemaLocation", f"{CP_NS} {CP_XSD} {MD_NS} {MD_XSD}")
    metadata = cp("metadata", root)
    cp("schema", metadata, "QTIv2.1 Package")
    cp("schemaversion", metadata, "1.0.0")
    general = md("general", md("lom", metadata))
    md("langstring", md("title", general), meta["title"], language)
    md("language", general, language)
    if meta.get("description"):
        md("langstring", md("description", general), meta["description"], language)
    rights = md("rights", general.getparent())
    md("langstring", md("description", rights), meta.get("licence", ""), "x-none")
    cp("organizations", root)
    holder = cp("resources", root)
    for identifier, kind, files, dependencies in resources:
        resource = cp("resource", holder, identifier=identifier, type=kind, href=files[0])
        for name in files:
            cp("file", resource, href=name)
        for dependency in dependencies:
            cp("dependency", resource, identifierref=dependency)
    return root


def _xml_bytes(element: Any) -> bytes:
    from lxml import etree

    etree.cleanup_namespaces(element)
    return etree.tostring(element, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def package_entries(bundle: Bundle) -> tuple[list[tuple[str, bytes]], list[Message]]:
    """Every (name, bytes) of the package, and the notes about what was left out."""
    from importlib.metadata import PackageNotFoundError, version

    from imaginecole.player import ui_language

    try:
        tool_version = version("imaginecole")
    except PackageNotFoundError:
        tool_version = "0"
    manifest = bundle.manifest
    language = ui_language(manifest["metadata"].get("language", "fr"))
    notes: list[Message] = []
    entries, items, resources = [], [], []
    for q in manifest["questions"]:
        if q["kind"] in NOT_ASSESSED:
            notes.append(
                Message(
                    "Question « {id} » ({kind}) is not in the QTI package: "
                    "flashcards have nothing to assess.",
                    id=q["id"],
                    kind=q["kind"],
                )
            )
            continue
        item = build_item(q, manifest, bundle.media_type, tool_version)
        href = f"item-{q['id']}.xml"
        entries.append((href, _xml_bytes(item)))
        items.append((q, href))
        media = sorted({m["src"] for m in q.get("media", {}).values()})
        resources.append((f"RES-{item_identifier(q)}", "imsqti_item_xmlv2p1", [href, *media], []))
    if not items:
        raise ExportError(
            "The grain « {title} » has no question QTI can assess (flashcards are not "
            "assessed); export it as html or scorm instead.",
            title=manifest["metadata"]["title"],
        )
    # the note in the package speaks the grain's language; the warnings are bilingual
    shown = [note.render(language) for note in notes]
    entries.append((TEST_FILE, _xml_bytes(build_test(manifest, items, shown, tool_version))))
    resources.insert(0, ("RES-TEST", "imsqti_test_xmlv2p1", [TEST_FILE], [r[0] for r in resources]))
    entries.append(("imsmanifest.xml", _xml_bytes(build_manifest(manifest, resources))))
    for name in sorted({m for r in resources for m in r[2] if m.startswith("media/")}):
        entries.append((name, bundle.media_bytes(name)))
    return entries, notes


class Qti21Exporter(Exporter):
    name = "qti21"
    extension = ".zip"
    description = N_("QTI 2.1 content package (items and test, for assessment platforms)")

    def default_output(self, bundle: Bundle, out_dir: Path) -> Path:
        return out_dir / f"{bundle.path.name}.qti21.zip"

    def export(self, bundle: Bundle, out: Path) -> Path:
        from .archive import write_zip

        entries, notes = package_entries(bundle)
        bundle.warnings.extend(str(note) for note in notes)
        return write_zip(out, entries)
