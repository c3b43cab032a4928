"""`imscc`: an IMS Common Cartridge 1.3 (``<name>.imscc``) of a grain, a module or a parcours.

The cartridge is a zip with ``imsmanifest.xml`` (the CC 1.3 profile of IMS Content Packaging
1.2, namespace ``http://www.imsglobal.org/xsd/imsccv1p3/imscp_v1p1``), its metadata in the CC
LOM manifest profile, and one resource per part:

- a grain whose questions are all of a kind the CC QTI profile knows becomes an **assessment**
  (resource type ``imsqti_xmlv1p2/imscc_xmlv1p3/assessment``): one ``assessment.xml`` in QTI
  1.2.1 (namespace ``http://www.imsglobal.org/xsd/ims_qtiasiv1p2``) that the platform (Moodle,
  Canvas, Brightspace, Sakai…) turns into its own quiz. single_choice -> cc.multiple_choice,
  multiple_choice -> cc.multiple_response, true_false -> cc.true_false, a fill_blanks with one
  blank -> cc.fib. Its media go in a ``webcontent`` resource it depends on;
- every other part (a grain with flashcards, matching, ordering, drag_words or several blanks,
  a comic, a podcast, a notebook app) is **webcontent**: its offline page (exports/parts.py)
  with its files, so it plays in the platform as it does from disk.

The organization is one rooted hierarchy: a folder per module (a parcours: in order), an item
per part. A cartridge has no sequencing: prerequisites and completion rules are SCORM 2004's.
The same bundle gives the same bytes. Teacher text only becomes XML text or attribute values
(escaped by lxml); rich text goes into ``mattext texttype="text/html"`` as escaped text.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from imaginecole.i18n import N_, Message

from .base import Bundle, Exporter

CC_NS = "http://www.imsglobal.org/xsd/imsccv1p3/imscp_v1p1"
LOMM_NS = "http://ltsc.ieee.org/xsd/imsccv1p3/LOM/manifest"
LOMR_NS = "http://ltsc.ieee.org/xsd/imsccv1p3/LOM/resource"
QTI12_NS = "http://www.imsglobal.org/xsd/ims_qtiasiv1p2"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
CC_PROFILE = "http://www.imsglobal.org/profile/cc/ccv1p3"
SCHEMA_LOCATION = " ".join(
    [
        CC_NS,
        f"{CC_PROFILE}/ccv1p3_imscp_v1p2_v1p0.xsd",
        LOMM_NS,
        f"{CC_PROFILE}/LOM/ccv1p3_lommanifest_v1p0.xsd",
        LOMR_NS,
        f"{CC_PROFILE}/LOM/ccv1p3_lomresource_v1p0.xsd",
    ]
)
QTI_LOCATION = f"{QTI12_NS} {CC_PROFILE}/ccv1p3_qtiasiv1p2p1_v1p0.xsd"
ASSESSMENT = "imsqti_xmlv1p2/imscc_xmlv1p3/assessment"
WEBCONTENT = "webcontent"
QTI_FILE = "assessment.xml"
# grain question kind -> CC QTI profile
CC_KINDS = {
    "single_choice": "cc.multiple_choice.v0p1",
    "multiple_choice": "cc.multiple_response.v0p1",
    "true_false": "cc.true_false.v0p1",
    "fill_blanks": "cc.fib.v0p1",
}


def _blanks(q: dict[str, Any]) -> list[str | list[str]]:
    from .gift import split_marked

    return split_marked(q.get("text", ""), alternatives=True)


def cc_kind(q: dict[str, Any]) -> str | None:
    """The CC QTI profile of question `q`, or None when CC has none for it."""
    kind = q.get("kind")
    if kind == "fill_blanks":  # cc.fib has one answer field
        return CC_KINDS[kind] if sum(isinstance(s, list) for s in _blanks(q)) == 1 else None
    return CC_KINDS.get(kind)


def is_assessment(manifest: dict[str, Any]) -> bool:
    """A grain whose questions all have a CC QTI profile (and at least one question)."""
    questions = manifest.get("questions") or []
    return (
        manifest.get("type", "grain") == "grain"
        and bool(questions)
        and all(cc_kind(q) for q in questions)
    )


# -- QTI 1.2.1 (CC profile) ------------------------------------------------------------------


def _q(parent: Any, tag: str, text: str | None = None, **attrs: str) -> Any:
    from lxml import etree

    from .qti import xml_text

    element = etree.SubElement(parent, f"{{{QTI12_NS}}}{tag}")
    for key, value in attrs.items():
        element.set(key, xml_text(str(value)))
    if text is not None:
        element.text = xml_text(text)
    return element


def _fields(parent: Any, pairs: list[tuple[str, str]]) -> None:
    metadata = _q(parent, "qtimetadata")
    for label, entry in pairs:
        field = _q(metadata, "qtimetadatafield")
        _q(field, "fieldlabel", label)
        _q(field, "fieldentry", entry)


def _material(parent: Any, html_text: str) -> None:
    _q(_q(parent, "material"), "mattext", html_text, texttype="text/html")


def _statement(q: dict[str, Any]) -> str:
    """The question's statement as HTML, its image (relative src) after it."""
    from html import escape

    text = q.get("statement", "")
    image = (q.get("media") or {}).get("image")
    if image:
        text += f'<p><img src="{escape(image["src"])}" alt="{escape(image.get("alt", ""))}"></p>'
    return text


def _choice_item(item: Any, q: dict[str, Any], strings: Any) -> None:
    if q["kind"] == "true_false":
        choices = [
            {"id": "true", "text": strings("True"), "correct": q["answer"] is True},
            {"id": "false", "text": strings("False"), "correct": q["answer"] is False},
        ]
    else:
        choices = q["choices"]
    multiple = q["kind"] == "multiple_choice"
    presentation = _q(item, "presentation")
    _material(presentation, _statement(q))
    response = _q(
        presentation,
        "response_lid",
        ident="RESPONSE",
        rcardinality="Multiple" if multiple else "Single",
    )
    render = _q(response, "render_choice", shuffle="No")
    for c in choices:
        label = _q(render, "response_label", ident=f"C_{c['id']}")
        _material(label, c["text"])
    processing = _q(item, "resprocessing")
    _q(_q(processing, "outcomes"), "decvar", varname="SCORE", vartype="Decimal", minvalue="0",
       maxvalue="100")  # fmt: skip
    condition = _q(processing, "respcondition", **{"continue": "No"})
    test = _q(condition, "conditionvar")
    if multiple:
        test = _q(test, "and")
        for c in choices:
            parent = test if c["correct"] else _q(test, "not")
            _q(parent, "varequal", f"C_{c['id']}", respident="RESPONSE")
    else:
        right = next(c for c in choices if c["correct"])
        _q(test, "varequal", f"C_{right['id']}", respident="RESPONSE")
    _q(condition, "setvar", "100", action="Set", varname="SCORE")


def _fib_item(item: Any, q: dict[str, Any]) -> None:
    from html import escape

    segments = _blanks(q)
    shown = "".join(escape(s) if isinstance(s, str) else "_____" for s in segments)
    presentation = _q(item, "presentation")
    _material(presentation, f"{_statement(q)}<p>{shown}</p>")
    response = _q(presentation, "response_str", ident="RESPONSE", rcardinality="Single")
    _q(_q(response, "render_fib"), "response_label", ident="answer1", rshuffle="No")
    processing = _q(item, "resprocessing")
    _q(_q(processing, "outcomes"), "decvar", varname="SCORE", vartype="Decimal", minvalue="0",
       maxvalue="100")  # fmt: skip
    answers = next(s for s in segments if isinstance(s, list))
    case = "Yes" if q.get("case_sensitive") else "No"
    for answer in answers:
        condition = _q(processing, "respcondition", **{"continue": "No"})
        _q(_q(condition, "conditionvar"), "varequal", answer, respident="RESPONSE", case=case)
        _q(condition, "setvar", "100", action="Set", varname="SCORE")


def assessment_xml(manifest: dict[str, Any]) -> Any:
    """The grain's questions as one CC QTI 1.2.1 assessment (``questestinterop``)."""
    from lxml import etree

    from imaginecole.i18n import translations
    from imaginecole.player import ui_language

    meta = manifest["metadata"]
    strings = translations(ui_language(meta.get("language", "fr"))).gettext
    settings = manifest.get("settings") or {}
    root = etree.Element(f"{{{QTI12_NS}}}questestinterop", nsmap={None: QTI12_NS, "xsi": XSI})
    root.set(f"{{{XSI}}}schemaLocation", QTI_LOCATION)
    assessment = _q(root, "assessment", ident=f"A-{manifest['id']}", title=meta["title"])
    attempts = "unlimited" if settings.get("allow_retry", True) else "1"
    _fields(
        assessment,
        [
            ("cc_profile", "cc.exam.v0p1"),
            ("qmd_assessmenttype", "Examination"),
            ("cc_maxattempts", attempts),
        ],
    )
    section = _q(assessment, "section", ident="S-1")
    for q in manifest["questions"]:
        item = _q(section, "item", ident=f"Q-{q['id']}", title=q.get("title") or q["id"])
        metadata = _q(item, "itemmetadata")
        _fields(
            metadata,
            [("cc_profile", cc_kind(q) or ""), ("cc_weighting", str(q.get("points", 1)))],
        )
        if q["kind"] == "fill_blanks":
            _fib_item(item, q)
        else:
            _choice_item(item, q, strings)
    return root


# -- the cartridge -----------------------------------------------------------------------------


def _lom_general(parent: Any, ns: str, manifest: dict[str, Any]) -> Any:
    """The CC LOM profile's record (general: title, language, description, keywords)."""
    from lxml import etree

    from .qti import xml_text

    meta = manifest.get("metadata") or {}
    language = meta.get("language") or "fr"

    def sub(node: Any, name: str, text: str | None = None) -> Any:
        element = etree.SubElement(node, f"{{{ns}}}{name}")
        if text is not None:
            element.text = xml_text(text)
        return element

    def langstring(node: Any, name: str, text: str) -> None:
        sub(sub(node, name), "string", text).set("language", language)

    lom = sub(parent, "lom")
    general = sub(lom, "general")
    langstring(general, "title", meta.get("title", ""))
    sub(general, "language", language)
    if meta.get("description"):
        langstring(general, "description", meta["description"])
    for keyword in meta.get("keywords") or []:
        langstring(general, "keyword", keyword)
    return lom


def cartridge_manifest(
    manifest: dict[str, Any],
    folders: list[tuple[str, list[tuple[str, str]]]],
    resources: list[tuple[str, str, str | None, list[str], list[str]]],
) -> Any:
    """``imsmanifest.xml``. `folders`: (title, [(item title, resource id)]) in order, a folder
    with an empty title putting its items at the top; `resources`: (identifier, type, href,
    files, dependencies)."""
    from lxml import etree

    from .qti import xml_text

    def cc(parent: Any, tag: str, text: str | None = None, **attrs: str) -> Any:
        element = etree.SubElement(parent, f"{{{CC_NS}}}{tag}")
        for key, value in attrs.items():
            element.set(key, xml_text(value))
        if text is not None:
            element.text = xml_text(text)
        return element

    root = etree.Element(
        f"{{{CC_NS}}}manifest",
        nsmap={None: CC_NS, "lomimscc": LOMM_NS, "lom": LOMR_NS, "xsi": XSI},
    )
    root.set("identifier", f"imaginecole-{manifest['id']}")
    root.set(f"{{{XSI}}}schemaLocation", SCHEMA_LOCATION)
    metadata = cc(root, "metadata")
    cc(metadata, "schema", "IMS Common Cartridge")
    cc(metadata, "schemaversion", "1.3.0")
    _lom_general(metadata, LOMM_NS, manifest)

    organization = cc(
        cc(root, "organizations"), "organization", identifier="org", structure="rooted-hierarchy"
    )
    top = cc(organization, "item", identifier="root")  # the CC root item has no title
    for n, (title, items) in enumerate(folders, 1):
        parent = top
        if title:
            parent = cc(top, "item", identifier=f"folder-{n:02d}")
            cc(parent, "title", title)
        for item_title, resource in items:
            item = cc(parent, "item", identifier=f"item-{resource}", identifierref=resource)
            cc(item, "title", item_title)

    holder = cc(root, "resources")
    for identifier, kind, href, files, dependencies in resources:
        attrs = {"identifier": identifier, "type": kind}
        if href:
            attrs["href"] = href
        resource = cc(holder, "resource", **attrs)
        for name in files:
            cc(resource, "file", href=name)
        for dependency in dependencies:
            cc(resource, "dependency", identifierref=dependency)
    return root


def _xml(element: Any) -> bytes:
    from lxml import etree

    return etree.tostring(element, xml_declaration=True, encoding="UTF-8", pretty_print=True)


class ImsccExporter(Exporter):
    name = "imscc"
    extension = ".imscc"
    bundle_types = frozenset({"grain", "module", "parcours"})
    description = N_("IMS Common Cartridge 1.3 (.imscc) for a learning platform, quizzes in QTI")

    def entries(self, bundle: Bundle) -> list[tuple[str, bytes | Path]]:
        """Every file of the cartridge, imsmanifest.xml included."""
        from .parts import part_files
        from .scorm import SequencePart, sequence_parts, slug

        if bundle.type in ("module", "parcours"):
            from .scorm import resolve_sequence

            seq = resolve_sequence(bundle)
            parts = sequence_parts(seq)
            titles = [(m.get("metadata") or {}).get("title", "") for m, _, _ in seq.modules()]
        else:
            from imaginecole.sequence import Item

            item = Item({}, bundle.path, bundle.manifest)
            parts = [SequencePart(1, 0, item, f"01-{slug(bundle.title)}")]
            titles = [""]
        entries: list[tuple[str, bytes | Path]] = []
        resources: list[tuple[str, str, str | None, list[str], list[str]]] = []
        folders: list[tuple[str, list[tuple[str, str]]]] = [(t, []) for t in titles]
        for part in parts:
            rid = f"res-{part.folder}"
            manifest = part.item.manifest
            if is_assessment(manifest):
                xml_name = f"{part.folder}/{QTI_FILE}"
                entries.append((xml_name, _xml(assessment_xml(manifest))))
                media = part.bundle.media_paths()
                dependencies = []
                if media:
                    names = [f"{part.folder}/{m}" for m in media]
                    entries += [(f"{part.folder}/{m}", part.bundle.media_bytes(m)) for m in media]
                    resources.append((f"{rid}-media", WEBCONTENT, None, names, []))
                    dependencies.append(f"{rid}-media")
                resources.append((rid, ASSESSMENT, None, [xml_name], dependencies))
            else:
                found = part_files(part.bundle, "")
                names = sorted(f"{part.folder}/{name}" for name, _ in found)
                entries += [(f"{part.folder}/{name}", data) for name, data in found]
                resources.append((rid, WEBCONTENT, f"{part.folder}/index.html", names, []))
                if manifest.get("type", "grain") == "grain" and manifest.get("questions"):
                    bundle.warnings.append(
                        str(
                            Message(
                                "« {title} » is a web page in the cartridge, not a quiz: Common "
                                "Cartridge quizzes take single and multiple choice, true/false "
                                "and one-blank questions only.",
                                title=part.item.title,
                            )
                        )
                    )
            folders[part.module][1].append((part.item.title, rid))
        root = cartridge_manifest(bundle.manifest, folders, resources)
        entries.append(("imsmanifest.xml", _xml(root)))
        return entries

    def export(self, bundle: Bundle, out: Path) -> Path:
        from .archive import write_zip

        entries = self.entries(bundle)
        stored = [name for name, _ in entries if name.endswith((".mp3", ".opus", ".ogg"))]
        return write_zip(out, entries, stored=stored)
