"""Validating a grain manifest: the published JSON Schema, then what a schema cannot say.

Every problem names its field path (``questions[1].choices``) and reads in
French and in English. Questions are checked against the schema branch of their
own kind, so a teacher reads "at least one answer must be correct" instead of
an unreadable ``oneOf`` error.
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..i18n import ImaginecoleError, Message
from .media import MEDIA_DIR, magic_matches, max_bytes, media_kind
from .richtext import check_text, is_blank

if TYPE_CHECKING:
    import jsonschema

SCHEMA_VERSION = 1
MAX_MANIFEST_BYTES = 2 * 1024 * 1024
CHOICE_KINDS = ("single_choice", "multiple_choice")
MARKED_KINDS = ("fill_blanks", "drag_words")
_MARK = re.compile(r"\*([^*]*)\*")


@cache
def grain_schema() -> dict[str, Any]:
    """The published JSON Schema of manifest.json (draft 2020-12)."""
    return json.loads((Path(__file__).parent / "grain.schema.json").read_text("utf-8"))


@dataclass(frozen=True)
class Problem:
    """One thing wrong in a manifest, at `path` (``questions[2].choices``)."""

    path: str
    message: Message

    def render(self, language: str) -> str:
        field = self.path or Message("(whole manifest)")
        return Message("{field}: {problem}", field=field, problem=self.message).render(language)

    def __str__(self) -> str:
        fr, en = self.render("fr"), self.render("en")
        return fr if fr == en else f"{fr}\n  [en] {en}"


class BundleError(ImaginecoleError):
    """A bundle that cannot be read or saved; `problems` lists every reason."""

    def __init__(self, where: Path | str, problems: list[Problem], kind: str = "grain") -> None:
        self.where = where
        self.problems = problems
        self.message_id = {
            "comic": "The comic {where} is not valid ({count} problem(s)):",
            "podcast": "The podcast {where} is not valid ({count} problem(s)):",
            "notebook-app": "The app {where} is not valid ({count} problem(s)):",
            "module": "The module {where} is not valid ({count} problem(s)):",
            "parcours": "The parcours {where} is not valid ({count} problem(s)):",
        }.get(kind, "The grain {where} is not valid ({count} problem(s)):")
        self.values = {"where": where, "count": len(problems)}
        Exception.__init__(self, self.render("fr") + "\n\n[en]\n" + self.render("en"))

    def render(self, language: str) -> str:
        head = Message(self.message_id, **self.values).render(language)
        return head + "".join(f"\n- {p.render(language)}" for p in self.problems)


def field_path(parts: list[Any] | tuple[Any, ...]) -> str:
    text = ""
    for part in parts:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def duplicate_id(seen: dict[str, str], value: Any, at: str) -> list[Problem]:
    """The problem when the id `value` (at `at`, ``….id``) is one of `seen` (id -> the place
    that holds it first), which then holds it; for comics and podcasts."""
    if not isinstance(value, str):
        return []
    if value in seen:
        return [
            Problem(
                at,
                Message(
                    "the id « {id} » is already used by {other}; give each one its own id",
                    id=value,
                    other=seen[value],
                ),
            )
        ]
    seen[value] = at.rsplit(".", 1)[0]
    return []


def _short(value: Any, limit: int = 40) -> str:
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    return text if len(text) <= limit else text[:limit] + "…"


# -- the schema, split by question kind ------------------------------------------------


@cache
def _validators() -> tuple[Any, dict[str, Any], Any]:
    """(manifest without questions' details, one validator per question kind, base)."""
    import jsonschema  # lazily: the CLI builds its parser without validating anything

    schema = grain_schema()
    cls = jsonschema.Draft202012Validator
    checker = cls.FORMAT_CHECKER
    shell = copy.deepcopy(schema)
    shell["$defs"]["question"] = {"type": "object"}
    defs = schema["$defs"]
    per_kind = {}
    for branch in defs["question"]["oneOf"]:
        kind = branch["properties"]["kind"]
        sub = {"$defs": defs, "allOf": [{"$ref": "#/$defs/questionBase"}, branch]}
        for name in kind.get("enum", [kind.get("const")]):
            per_kind[name] = cls(sub, format_checker=checker)
    base = cls({"$defs": defs, "$ref": "#/$defs/questionBase"}, format_checker=checker)
    return cls(shell, format_checker=checker), per_kind, base


_TYPE_MESSAGES = {
    "string": "wrong type: expected text",
    "boolean": "wrong type: expected true or false",
    "number": "wrong type: expected a number",
    "integer": "wrong type: expected a whole number",
    "array": "wrong type: expected a list",
    "object": "wrong type: expected a group of fields",
}


def _pattern_message(path: list[Any], value: Any) -> Message:
    last = path[-1] if path else ""
    if last == "src":
        return Message(
            "« {value} » must be a file inside media/, such as media/photo.jpg "
            "(no sub-folder, no ..)",
            value=_short(value),
        )
    if last == "text":
        return Message("mark at least one blank between asterisks, such as *answer*")
    if last == "id" and len(path) == 1:
        return Message("« {value} » is not a UUID", value=_short(value))
    if last == "id":
        return Message(
            "« {value} » is not a valid id: use 1 to 40 letters, digits, - or _",
            value=_short(value),
        )
    if last == "language":
        return Message(
            "« {value} » is not a BCP 47 language code (fr, en, ar, wo…)", value=_short(value)
        )
    if last == "learning_time":
        return Message(
            "« {value} » is not an ISO 8601 duration such as PT10M or PT1H30M",
            value=_short(value),
        )
    return Message("« {value} » does not have the expected form", value=_short(value))


def _describe(error: jsonschema.ValidationError, kind: str | None) -> Message | str:
    v, rule, value = error.validator, error.validator_value, error.instance
    if v == "required":
        missing = re.findall(r"'([^']+)' is a required property", error.message)
        return Message("required field « {field} » is missing", field=", ".join(missing))
    if v == "additionalProperties":
        extra = ", ".join(re.findall(r"'([^']+)'", error.message))
        if kind and not error.absolute_path:
            return Message(
                "field(s) {fields} are not used by « {kind} » questions; "
                "remove them or change the kind",
                fields=extra,
                kind=kind,
            )
        return Message("unknown field(s) {fields}; check the spelling", fields=extra)
    if v == "enum":
        return Message(
            "« {value} » is not allowed; use one of: {allowed}",
            value=_short(value),
            allowed=", ".join(str(x) for x in rule),
        )
    if v == "const":
        return Message("must be {value}", value=json.dumps(rule))
    if v == "type":
        if rule in _TYPE_MESSAGES:
            return Message(_TYPE_MESSAGES[rule])
        return Message("wrong type: expected {type}", type=rule)
    if v == "minLength":
        if rule == 1:
            return Message("must not be empty")
        return Message("too short: at least {n} character(s) are needed", n=rule)
    if v == "maxLength":
        return Message(
            "too long: {length} characters, at most {n} are allowed", length=len(value), n=rule
        )
    if v == "minItems":
        return Message("at least {n} item(s) are needed, found {count}", n=rule, count=len(value))
    if v == "maxItems":
        return Message("at most {n} item(s) are allowed, found {count}", n=rule, count=len(value))
    if v in ("minProperties", "maxProperties"):
        return Message("give exactly one of « image » or « audio »")
    if v == "pattern":
        return _pattern_message(list(error.absolute_path), value)
    if v in ("minimum", "maximum", "exclusiveMinimum"):
        return Message(
            "« {value} » is out of range ({rule} {limit})",
            value=_short(value),
            rule=v,
            limit=rule,
        )
    if v == "format":
        return Message(
            "« {value} » is not a date and time such as 2026-01-31T10:00:00Z", value=_short(value)
        )
    return error.message


def _schema_problems(manifest: Any) -> list[Problem]:
    shell, per_kind, base = _validators()
    problems = []

    def collect(validator: Any, instance: Any, prefix: list[Any], kind: str | None) -> None:
        for error in validator.iter_errors(instance):
            path = prefix + list(error.absolute_path)
            problems.append(Problem(field_path(path), _describe(error, kind)))

    collect(shell, manifest, [], None)
    if isinstance(manifest, dict) and isinstance(manifest.get("questions"), list):
        for index, question in enumerate(manifest["questions"]):
            if not isinstance(question, dict):
                continue
            kind = question.get("kind")
            validator = per_kind.get(kind) if isinstance(kind, str) else None
            collect(validator or base, question, ["questions", index], kind if validator else None)
    return problems


# -- what the schema cannot say ---------------------------------------------------------


def _choice_problems(q: dict[str, Any], at: str) -> list[Problem]:
    choices = q.get("choices")
    if not isinstance(choices, list) or not all(isinstance(c, dict) for c in choices):
        return []
    problems = []
    flags = [c.get("correct") for c in choices]
    if all(isinstance(f, bool) for f in flags):
        n = flags.count(True)
        if q["kind"] == "single_choice" and n != 1:
            problems.append(
                Problem(
                    f"{at}.choices",
                    Message(
                        "exactly one answer must be correct, found {n}; "
                        "use multiple_choice for several right answers",
                        n=n,
                    ),
                )
            )
        elif q["kind"] == "multiple_choice" and n == 0:
            problems.append(
                Problem(f"{at}.choices", Message("at least one answer must be correct"))
            )
    ids = [c.get("id") for c in choices]
    for j, choice in enumerate(choices):
        if ids.index(choice.get("id")) != j:
            problems.append(
                Problem(
                    f"{at}.choices[{j}].id",
                    Message("« {id} » is already used by another choice", id=choice.get("id")),
                )
            )
        if isinstance(choice.get("text"), str) and is_blank(choice["text"]):
            problems.append(Problem(f"{at}.choices[{j}].text", Message("must not be empty")))
    weights = [c.get("weight") for c in choices]
    if q["kind"] == "multiple_choice" and any(isinstance(w, int | float) for w in weights):
        positive = sum(w for w in weights if isinstance(w, int | float) and w > 0)
        if abs(positive - 100) > 1:
            problems.append(
                Problem(
                    f"{at}.choices",
                    Message(
                        "the positive weights add up to {total}%; they must add up to 100%",
                        total=round(positive, 2),
                    ),
                )
            )
        for j, (w, flag) in enumerate(zip(weights, flags, strict=True)):
            if isinstance(w, int | float) and isinstance(flag, bool) and (w > 0) != flag:
                problems.append(
                    Problem(
                        f"{at}.choices[{j}].weight",
                        Message("a correct answer has a positive weight, a wrong one does not"),
                    )
                )
    return problems


def _marked_problems(q: dict[str, Any], at: str) -> list[Problem]:
    text = q.get("text")
    if not isinstance(text, str) or not _MARK.search(text):
        return []  # the schema already says a mark is missing
    if text.count("*") % 2:
        return [Problem(f"{at}.text", Message("an asterisk * is not closed"))]
    for mark in _MARK.findall(text):
        parts = mark.split("/") if q["kind"] == "fill_blanks" else [mark]
        if any(not p.strip() for p in parts):
            return [
                Problem(
                    f"{at}.text",
                    Message("the blank *{mark}* holds an empty answer", mark=_short(mark)),
                )
            ]
    return []


def _duplicates(values: list[Any], at: str) -> list[Problem]:
    seen: dict[str, int] = {}
    problems = []
    for j, value in enumerate(values):
        key = json.dumps(value, sort_keys=True)
        if key in seen:
            problems.append(
                Problem(
                    f"{at}[{j}]",
                    Message("the same as item {first}; every item must differ", first=seen[key]),
                )
            )
        seen.setdefault(key, j)
    return problems


def _question_problems(manifest: dict[str, Any]) -> list[Problem]:
    problems = []
    grain_kind = manifest.get("kind")
    first_id: dict[str, int] = {}
    for i, q in enumerate(manifest.get("questions") or []):
        if not isinstance(q, dict):
            continue
        at = f"questions[{i}]"
        kind = q.get("kind")
        if grain_kind != "question_set" and isinstance(grain_kind, str) and kind != grain_kind:
            problems.append(
                Problem(
                    f"{at}.kind",
                    Message(
                        "a « {grain} » grain holds only « {grain} » questions; "
                        "make the grain a question_set to mix kinds",
                        grain=grain_kind,
                    ),
                )
            )
        qid = q.get("id")
        if isinstance(qid, str):
            if qid in first_id:
                problems.append(
                    Problem(
                        f"{at}.id",
                        Message(
                            "« {id} » is already used by questions[{first}]",
                            id=qid,
                            first=first_id[qid],
                        ),
                    )
                )
            first_id.setdefault(qid, i)
        if isinstance(q.get("statement"), str) and is_blank(q["statement"]):
            problems.append(
                Problem(f"{at}.statement", Message("the statement is empty; write the question"))
            )
        if kind in CHOICE_KINDS:
            problems += _choice_problems(q, at)
        elif kind in MARKED_KINDS:
            problems += _marked_problems(q, at)
        elif kind == "matching" and isinstance(q.get("pairs"), list):
            lefts = [p.get("left") for p in q["pairs"] if isinstance(p, dict)]
            problems += [
                Problem(p.path + ".left", p.message) for p in _duplicates(lefts, f"{at}.pairs")
            ]
        elif kind == "ordering" and isinstance(q.get("items"), list):
            problems += _duplicates(q["items"], f"{at}.items")
        elif kind == "flashcards" and isinstance(q.get("cards"), list):
            for j, card in enumerate(q["cards"]):
                for side in ("front", "back"):
                    if isinstance(card, dict) and isinstance(card.get(side), str):
                        if is_blank(card[side]):
                            problems.append(
                                Problem(f"{at}.cards[{j}].{side}", Message("must not be empty"))
                            )
    return problems


_RICH = re.compile(
    r"^questions\[\d+\]\.(statement|choices\[\d+\]\.text|cards\[\d+\]\.(front|back))$"
)


def string_fields(value: Any, parts: list[Any] | None = None):
    """(path, text) of every string in `value` (a manifest), the path as problems name it."""
    parts = parts or []
    if isinstance(value, str):
        yield field_path(parts), value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from string_fields(item, [*parts, key])
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from string_fields(item, [*parts, index])


def _text_problems(manifest: dict[str, Any]) -> list[Problem]:
    problems = []
    for path, text in string_fields(manifest):
        why = check_text(text, rich=bool(_RICH.match(path)))
        if why is not None:
            problems.append(Problem(path, why))
    return problems


def _media_refs(manifest: dict[str, Any]):
    """(path of the src field, expected kind, src) for every media reference."""
    for i, q in enumerate(manifest.get("questions") or []):
        if not isinstance(q, dict):
            continue
        holders = [(f"questions[{i}].media", q.get("media"))]
        for j, card in enumerate(q.get("cards") or []):
            holders.append((f"questions[{i}].cards[{j}]", card))
        for at, holder in holders:
            if not isinstance(holder, dict):
                continue
            for kind in ("image", "audio"):
                item = holder.get(kind)
                if isinstance(item, dict) and isinstance(item.get("src"), str):
                    yield f"{at}.{kind}.src", kind, item["src"]


def media_file(bundle_dir: Path, src: str, cap: int) -> Path | Message:
    """The file `src` (media/NAME) of the bundle in `bundle_dir`, or why it cannot be used:
    missing, or larger than `cap` bytes."""
    folder = (bundle_dir / MEDIA_DIR).resolve()
    path = (bundle_dir / src).resolve()
    if path.parent != folder or not path.is_file():
        return Message("the file « {src} » is missing from the bundle; add it again", src=src)
    size = path.stat().st_size
    if size > cap:
        return Message(
            "« {src} » is {size:.1f} MB; the limit is {mb} MB. Make it smaller first",
            src=src,
            size=size / 1024 / 1024,
            mb=cap >> 20,
        )
    return path


def _media_problems(manifest: dict[str, Any], bundle_dir: Path | None) -> list[Problem]:
    problems = []
    for at, kind, src in _media_refs(manifest):
        name = src.rsplit("/", 1)[-1]
        if media_kind(name) != kind:
            problems.append(
                Problem(
                    at,
                    Message(
                        "« {src} » is not an allowed image file (.{ext})"
                        if kind == "image"
                        else "« {src} » is not an allowed sound file (.{ext})",
                        src=_short(src),
                        ext=name.rsplit(".", 1)[-1] if "." in name else "",
                    ),
                )
            )
            continue
        if bundle_dir is None or not src.startswith(f"{MEDIA_DIR}/") or "/" in src[6:]:
            continue  # without the folder only the name can be checked; the schema did
        folder = (bundle_dir / MEDIA_DIR).resolve()
        path = (bundle_dir / src).resolve()
        if path.parent != folder or not path.is_file():
            problems.append(
                Problem(at, Message("the file « {src} » is missing from the bundle", src=src))
            )
            continue
        size = path.stat().st_size
        if size > max_bytes(name):
            problems.append(
                Problem(
                    at,
                    Message("« {src} » is larger than {mb} MB", src=src, mb=max_bytes(name) >> 20),
                )
            )
        else:
            with path.open("rb") as fh:
                head = fh.read(16)
            if not magic_matches(name.rsplit(".", 1)[-1], head):
                problems.append(
                    Problem(
                        at,
                        Message("« {src} » does not contain what its extension says", src=src),
                    )
                )
    return problems


def curriculum_checks() -> tuple[tuple[str, Any, str], ...]:
    """(metadata key, loader of a country's entries, message when not found) for each field."""
    from ..curricula import levels, subjects

    return (
        (
            "level",
            levels,
            "« {value} » is not a level of the {country} curriculum; use one of: {allowed}",
        ),
        (
            "subject",
            subjects,
            "« {value} » is not a subject of the {country} curriculum; use one of: {allowed}",
        ),
    )


def _curriculum_problems(manifest: dict[str, Any]) -> list[Problem]:
    meta = manifest.get("metadata")
    if not isinstance(meta, dict) or not isinstance(meta.get("country"), str):
        return []
    country = meta["country"]
    problems = []
    for key, loader, message in curriculum_checks():
        value = meta.get(key)
        if not isinstance(value, str):
            continue
        try:
            allowed = [item["id"] for item in loader(country)]
        except ImaginecoleError:
            return []  # an unknown country is already a schema problem
        if value not in allowed:
            problems.append(
                Problem(
                    f"metadata.{key}",
                    Message(
                        message,
                        value=_short(value),
                        country=country,
                        allowed=", ".join(allowed),
                    ),
                )
            )
    return problems


def path_order(problem: Problem, depth: int | None = None) -> list[tuple[int, Any]]:
    """Sort key of `problem` by its path's first `depth` parts (all by default), numbers as
    numbers (questions[2] before questions[10]); sorting is stable within."""
    parts = [p for p in re.split(r"[\[\].]+", problem.path) if p]
    return [(0, int(p), "") if p.isdigit() else (1, 0, p) for p in parts[:depth]]


def _sort_key(problem: Problem) -> list[tuple[int, Any]]:
    return path_order(problem, 2)  # by question


def problems_by_place(
    manifest: Any,
    schema_problems: Callable[[Any], list[Problem]],
    checks: Iterable[Callable[[dict[str, Any]], list[Problem]]],
    key: Callable[[Problem], Any],
) -> list[Problem]:
    """The `schema_problems` of `manifest`, then, when it is an object, those its `checks`
    find at a path not named yet (one message per place is enough), sorted by `key`."""
    problems = schema_problems(manifest)
    if not isinstance(manifest, dict):
        return problems
    seen = {p.path for p in problems}
    for check in checks:
        for problem in check(manifest):
            if problem.path not in seen:
                problems.append(problem)
                seen.add(problem.path)
    return sorted(problems, key=key)


def validate_manifest(manifest: Any, bundle_dir: Path | str | None = None) -> list[Problem]:
    """Every problem of `manifest` (a decoded manifest.json); empty when valid.

    With `bundle_dir`, the media files it references are checked too. A comic
    (``type: "comic"``) is checked by `imaginecole.comic.validate_comic`, a podcast by
    `imaginecole.podcast.validate_podcast`.
    """
    try:
        size = len(json.dumps(manifest, ensure_ascii=False).encode("utf-8"))
    except (TypeError, ValueError):
        return [Problem("", Message("the manifest holds values that are not JSON"))]
    if size > MAX_MANIFEST_BYTES:
        # one clear message rather than a flood of "too long" for every field
        return [
            Problem(
                "",
                Message(
                    "the manifest is {mb:.1f} MB; the limit is {limit} MB. "
                    "Split the text into several grains or put long texts in media files",
                    mb=size / 1024 / 1024,
                    limit=MAX_MANIFEST_BYTES >> 20,
                ),
            )
        ]
    if isinstance(manifest, dict) and manifest.get("type") == "comic":
        from ..comic.validate import validate_comic  # a comic bundle has its own schema

        return validate_comic(manifest, bundle_dir)
    if isinstance(manifest, dict) and manifest.get("type") == "podcast":
        from ..podcast.validate import validate_podcast  # a podcast bundle has its own schema

        return validate_podcast(manifest, bundle_dir)
    if isinstance(manifest, dict) and manifest.get("type") == "notebook-app":
        from ..app.validate import validate_app  # a notebook app has its own schema

        return validate_app(manifest, bundle_dir)
    if isinstance(manifest, dict) and manifest.get("type") in ("module", "parcours"):
        from ..sequence.validate import validate_sequence  # modules and parcours: their schemas

        return validate_sequence(manifest, bundle_dir)
    folder = Path(bundle_dir) if bundle_dir is not None else None
    checks = (
        _text_problems,
        _question_problems,
        lambda m: _media_problems(m, folder),
        _curriculum_problems,
    )
    return problems_by_place(manifest, _schema_problems, checks, _sort_key)
