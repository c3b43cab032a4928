"""PodcastStudio: record, arrange and build the episodes of a school podcast, in the page.

``PodcastStudio(bundle_dir, language="fr")`` opens the podcast in `bundle_dir` (its draft
if that is newer, see :mod:`imaginecole.widgets.autosave`) on its first episode and shows:

- the segments in order (:class:`PodcastDeck`, ``podcast_studio.js``): each with its
  waveform and two trim handles (drag, or arrow keys: 0.1 s, Shift 1 s), a title (which
  starts a chapter), buttons to move it up or down (or drag it), listen to it, record it
  again and remove it;
- the recorder: the microphone is recorded in the browser and each second of it is sent
  here and written to the disk at once (:mod:`.podcast_recording`), so a closed tab loses
  nothing: the next time the studio opens it offers to recover the recording;
- adding a sound file (WAV, MP3, OGG, M4A, WebM) or a text read by a draft voice;
- the jingle under the introduction (ducked while someone speaks);
- building the episode (the measured loudness is shown, with the episode to listen to),
  and the export buttons.

Every change is one operation (:mod:`.podcast_ops`) saved about a second later.
"""

from __future__ import annotations

import html
from pathlib import Path
from typing import Any

import anywidget
import ipywidgets
from traitlets import Dict, Float, Int, List, Unicode

from ..bundle import MediaError, Problem, add_media, safe_media_name
from ..bundle.media import magic_matches, media_kind
from ..i18n import N_, Message
from . import widget_module
from .autosave import AutosavingEditor
from .form_fields import (
    button,
    check_field,
    error_slot,
    heading,
    html_block,
    row,
    show_errors,
    style_sheet,
    text_field,
)
from .media_upload import MAX_UPLOAD_AUDIO_BYTES
from .podcast_listen import Listening
from .podcast_ops import PodcastOpError, apply_op, episode_at, segments_of
from .podcast_recording import (
    ChunkWriter,
    RecordingError,
    free_media_name,
    leftover_parts,
    recover_part,
)
from .podcast_strings import deck_strings

HERE = Path(__file__).parent
PEAKS = 400
UPLOAD_TYPES = ("wav", "mp3", "ogg", "m4a", "webm")


class PodcastDeck(anywidget.AnyWidget):
    """The segments with their waveforms and trim handles, and the recorder."""

    _esm = widget_module("podcast_studio.js")
    _css = HERE / "podcast_studio.css"
    segments = List(
        help="The episode's segments: id, kind, label, title, duration, trim_start, trim_end, "
        "peaks (0–1)."
    ).tag(sync=True)
    strings = Dict(help="The interface's words, in the interface language.").tag(sync=True)
    preview = Dict(help="{segment, url}: the preview to play (a data: URL).").tag(sync=True)
    recording = Unicode("", help="Name of the recording being received, or empty.").tag(sync=True)
    chunks = Int(0, help="Chunks of the current recording written to the disk.").tag(sync=True)


class PodcastStudio(Listening, AutosavingEditor, ipywidgets.VBox):
    """Editor of one podcast bundle: segments, recorder, jingle, build and export."""

    UNREADABLE = N_("This podcast cannot be opened.")
    OPENED = N_("Opened at {time}; everything is saved.")

    bundle_dir = Unicode(help="The podcast's folder (manifest.json and media/).")
    language = Unicode("fr", help="Language of the interface: fr, en or ar.")
    episode = Int(0, help="Index of the episode shown (0 is the first one).")
    autosave_delay = Float(1.0, help="Seconds between the last edit and the save.")
    heading_level = Int(2, help="HTML level of the section headings.")
    status = Unicode(help="The save status as shown to the teacher (read-only).")
    problems = List(help="Problems of the podcast as edited, as Problem objects (read-only).")

    def __init__(self, bundle_dir: Path | str, language: str = "fr", **kwargs: Any) -> None:
        super().__init__(bundle_dir=str(bundle_dir), language=language, **kwargs)
        self._setup("icpo-studio")
        self.writer: ChunkWriter | None = None
        self._target = ""
        self._choosing = False
        self._peaks: dict[tuple, tuple[float, list[float]]] = {}
        manifest = self._open_as("podcast", "episodes", Message("This folder holds no podcast."))
        if manifest is None:
            return
        if not manifest["episodes"]:
            manifest["episodes"].append({"id": "e1", "title": self.title or "1", "segments": []})
        self.manifest = manifest
        self._build()
        self.observe(self._on_delay, names=["autosave_delay"])
        self._revalidate()
        self.refresh()
        self._opened_status()

    # -- building ---------------------------------------------------------------------------

    def _build(self) -> None:
        _ = self._
        level = self.heading_level
        self.deck = PodcastDeck(strings=deck_strings(self.language))
        self.deck.on_msg(self._on_deck_message)
        self.episode_choice = ipywidgets.Dropdown(options=[("", 0)], description=_("Episode shown"))
        self.episode_choice.style.description_width = "initial"
        self.episode_choice.add_class("icb-field")
        self.episode_choice.observe(self._on_episode_choice, names=["value"])
        self.new_episode_button = button(
            _("New episode"), self.add_episode, icon="plus", kind="quiet"
        )
        self.episode_title = text_field(_("Title of the episode"), "", self._on_episode_title)
        # interrupted recordings
        self.recover_text = html_block("", "icpo-recover-text")
        self.recover_button = button(
            _("Recover it as a segment"), self.recover, icon="life-ring", kind="primary"
        )
        self.discard_button = button(
            _("Delete this recording"), self.discard_leftover, icon="trash", kind="quiet"
        )
        self.recover_box = ipywidgets.VBox(
            [self.recover_text, row([self.recover_button, self.discard_button])]
        )
        self.recover_box.add_class("icpo-recover")
        # a sound file
        self.upload = ipywidgets.FileUpload(
            accept=",".join(f".{t}" for t in UPLOAD_TYPES),
            multiple=False,
            description=_("Add a sound file"),
            icon="upload",
        )
        self.upload.add_class("icb-upload")
        self.upload.observe(self._on_upload, names=["value"])
        self.upload_errors = error_slot()
        upload_help = _(
            "WAV, MP3, OGG, M4A or WebM, up to {mb} MB. It is added after the last segment."
        ).format(mb=MAX_UPLOAD_AUDIO_BYTES >> 20)
        # a text read by the draft voice
        self.speech_text = text_field(
            _("Text to read with the draft voice"),
            "",
            lambda _v: None,
            placeholder=_("A draft narration: record it with your own voice later."),
            multiline=True,
        )
        self.speech_button = button(
            _("Add the text as a segment"), self.add_speech, icon="comment", kind="quiet"
        )
        # the jingle
        self.jingle_check = check_field(
            _("A jingle under the introduction (lowered while someone speaks)"),
            False,
            self._on_jingle_check,
        )
        self.jingle_upload = ipywidgets.FileUpload(
            accept=",".join(f".{t}" for t in UPLOAD_TYPES),
            multiple=False,
            description=_("Choose the jingle"),
            icon="music",
        )
        self.jingle_upload.add_class("icb-upload")
        self.jingle_upload.observe(self._on_jingle_upload, names=["value"])
        self.jingle_line = html_block("", "icpo-jingle-file")
        self.jingle_errors = error_slot()
        # build and export
        self.build_button = button(
            _("Build the episode and listen"), self.build, icon="cogs", kind="primary"
        )
        self.build_result = html_block("", "icpo-build")
        self.build_errors = error_slot()
        from .podcast_export import PodcastExportForm

        self.export_form = PodcastExportForm(self)
        self.children = [
            style_sheet(),
            row([self.status_line, self.notice], "icb-toolbar"),
            self.recover_box,
            heading(_("Episode"), level),
            row([self.episode_choice, self.new_episode_button]),
            self.episode_title,
            heading(_("Segments"), level + 1),
            self.deck,
            heading(_("Add a segment"), level + 1),
            html_block(f"<p class='icb-help'>{html.escape(upload_help)}</p>"),
            self.upload,
            self.upload_errors,
            self.speech_text,
            self.speech_button,
            heading(_("Jingle"), level + 1),
            self.jingle_check,
            self.jingle_upload,
            self.jingle_line,
            self.jingle_errors,
            heading(_("Build and listen"), level + 1),
            self.build_button,
            self.build_errors,
            self.build_result,
            self.export_form,
        ]

    def _on_episode_title(self, title: str) -> None:
        if title.strip() and title != self.current_episode().get("title"):
            self.handle({"op": "episode_title", "title": title})

    def _on_episode_choice(self, change: dict) -> None:
        if self._choosing or change["new"] is None or change["new"] == self.episode:
            return
        self.episode = int(change["new"])
        self.build_result.value = ""
        self.jingle_check.value = bool(self.current_episode().get("intro_jingle"))
        self.refresh()

    def add_episode(self, title: str = "") -> int | None:
        """A new empty episode after the others, shown at once; returns its index."""
        try:
            index = self.apply({"op": "episode_add", "title": title or self._("New episode")})
        except PodcastOpError as exc:
            self.notice.show(exc.render(self.language), "error")
            return None
        self.episode = index
        self.build_result.value = ""
        self.refresh()
        return index

    def close(self) -> None:
        if self.writer is not None:  # what was received stays in the .part, to recover
            self.writer.abandon()
            self.writer = None
        super().close()

    # -- operations -------------------------------------------------------------------------

    def current_episode(self) -> dict[str, Any]:
        return episode_at(self.manifest, self.episode)

    def segments(self) -> list[dict[str, Any]]:
        return segments_of(self.current_episode())

    def apply(self, op: dict[str, Any]) -> Any:
        """Apply one operation (see podcast_ops), show it and save soon.

        Raises PodcastOpError, and changes nothing, when the operation is refused.
        """
        if self.manifest is None:
            raise PodcastOpError("This podcast cannot be opened.")
        edited, result = apply_op(self.manifest, self.episode, op)
        self.manifest = edited
        self._revalidate()
        self.refresh()
        self._save_soon()
        return result

    def handle(self, op: dict[str, Any]) -> bool:
        """Apply an operation from the page; a refused one is explained, not raised."""
        try:
            self.apply(op)
        except PodcastOpError as exc:
            self.notice.show(exc.render(self.language), "error")
            return False
        self.notice.show("")
        return True

    def _revalidate(self) -> list[Problem]:
        from ..bundle import validate_manifest

        try:
            self.problems = validate_manifest(self.manifest, self.bundle_dir)
        except Exception:  # a validator still missing or failing must not close the studio
            self.problems = []
        return self.problems

    # -- the deck's messages ----------------------------------------------------------------

    def _on_deck_message(self, _widget: Any, content: Any, buffers: Any) -> None:
        if not isinstance(content, dict):
            return
        kind = content.get("type")
        try:
            if kind == "start":
                self.start_recording(str(content.get("target") or ""))
            elif kind == "chunk":
                data = bytes(buffers[0]) if buffers else b""
                self.receive_chunk(int(content.get("seq", 0)), data)
            elif kind == "stop":
                self.stop_recording()
            elif kind == "op":
                self.handle(content.get("op") or {})
            elif kind == "preview":
                self.preview_segment(str(content.get("segment") or ""))
        except RecordingError as exc:
            self.notice.show(Message(exc.message_id, **exc.values).render(self.language), "error")

    # -- recording --------------------------------------------------------------------------

    def start_recording(self, target: str = "") -> str:
        """Open media/<name>.webm.part for a new recording (or a new take of `target`)."""
        if self.writer is not None:
            self.writer.abandon()
        from .podcast_ops import new_segment_id

        stem = target or new_segment_id(self.manifest)
        name = free_media_name(self.bundle_dir, stem)
        self.writer = ChunkWriter(self.bundle_dir, name)
        self._target = target
        self.deck.recording = name
        self.deck.chunks = 0
        self.notice.show(self._("Recording… every second is saved as it comes."), "info")
        return name

    def receive_chunk(self, seq: int, data: bytes) -> None:
        """A chunk of the recording: appended to the .part and synced to the disk."""
        if self.writer is None:
            self.start_recording()
        self.writer.append(seq, data)
        self.deck.chunks = self.writer.next_seq

    def stop_recording(self) -> str | None:
        """Finish the recording: the .part becomes a .webm, a segment (or a new take)."""
        writer, self.writer = self.writer, None
        self.deck.recording = ""
        if writer is None:
            return None
        final = writer.finish()
        if final is None:
            self.notice.show(self._("Nothing was recorded."), "warning")
            return None
        src = f"media/{final.name}"
        if self._target and any(s.get("id") == self._target for s in self.segments()):
            self.handle({"op": "source", "segment": self._target, "src": src})
            segment_id = self._target
        else:
            segment_id = self._add_segment({"kind": "recording", "src": src})
        self._warn_if_silent(final)
        return segment_id

    def _add_segment(self, segment: dict[str, Any]) -> str | None:
        try:
            return self.apply({"op": "add", "segment": segment})
        except PodcastOpError as exc:
            self.notice.show(exc.render(self.language), "error")
            return None

    def _warn_if_silent(self, path: Path) -> None:
        try:
            from ..podcast import audio

            silent = audio.is_silent(path)
        except Exception:  # a file ffmpeg cannot read yet: the probe says it elsewhere
            return
        if silent:
            self.notice.show(
                self._(
                    "The recording « {name} » seems silent: check the microphone, then record "
                    "again."
                ).format(name=path.name),
                "warning",
            )
        else:
            self.notice.show(self._("Recording added as a segment."), "ok")

    def _show_leftovers(self) -> None:
        parts = leftover_parts(self.bundle_dir)
        if self.writer is not None:
            parts = [p for p in parts if p != self.writer.part]
        if not parts:
            self.recover_box.layout.display = "none"
            return
        text = self._(
            "A recording was interrupted ({name}, {kb} kB): everything received was kept. "
            "Recover it as a segment?"
        ).format(name=parts[0].name, kb=max(1, parts[0].stat().st_size // 1024))
        self.recover_text.value = f'<p role="alert">{html.escape(text)}</p>'
        self.recover_box.layout.display = None

    def recover(self) -> str | None:
        """Add the oldest interrupted recording as a segment; returns its id."""
        parts = [p for p in leftover_parts(self.bundle_dir) if not self._is_live(p)]
        if not parts:
            return None
        final = recover_part(parts[0])
        segment_id = self._add_segment({"kind": "recording", "src": f"media/{final.name}"})
        self._show_leftovers()
        return segment_id

    def discard_leftover(self) -> None:
        parts = [p for p in leftover_parts(self.bundle_dir) if not self._is_live(p)]
        if parts:
            parts[0].unlink(missing_ok=True)
            self.notice.show(self._("The interrupted recording was deleted."), "info")
        self._show_leftovers()

    def _is_live(self, part: Path) -> bool:
        return self.writer is not None and part == self.writer.part

    # -- uploads and speech -----------------------------------------------------------------

    def _on_upload(self, change: dict) -> None:
        files = change["new"]
        if not files:
            return
        name, content = files[0]["name"], bytes(files[0]["content"])
        self.upload.value = ()
        self.receive_upload(name, content)

    def _check_audio(self, name: str, content: bytes) -> str:
        """The error to show about an uploaded sound, or ""."""
        _ = self._
        try:
            safe = safe_media_name(name)
        except MediaError:
            safe = ""
        ext = safe.rsplit(".", 1)[-1] if safe else ""
        if media_kind(safe or "x") != "audio" or ext not in UPLOAD_TYPES:
            wrong = _("« {name} » is not a sound. Choose an MP3, OGG, M4A, WAV or WebM file.")
            return wrong.format(name=name)
        if len(content) > MAX_UPLOAD_AUDIO_BYTES:
            return _(
                "« {name} » is larger than {mb} MB, so it was not added. Compress it or shorten "
                "it, then choose it again."
            ).format(name=name, mb=MAX_UPLOAD_AUDIO_BYTES >> 20)
        if not magic_matches(ext, content[:16]):
            return _(
                "« {name} » does not contain what its extension says, so it was not added. "
                "Save it again from your editing software."
            ).format(name=name)
        return ""

    def _store_audio(self, name: str, content: bytes, slot: ipywidgets.HTML) -> str | None:
        error = self._check_audio(name, content)
        if not error:
            try:
                src = add_media(self.bundle_dir, content, name)
            except MediaError as exc:
                error = Message(exc.message_id, **exc.values).render(self.language)
        if error:
            show_errors(slot, [error])
            return None
        show_errors(slot, [])
        return src

    def receive_upload(self, name: str, content: bytes) -> str | None:
        """A sound file chosen by the teacher: a new segment, or refused with the reason."""
        src = self._store_audio(name, content, self.upload_errors)
        if src is None:
            return None
        return self._add_segment({"kind": "file", "src": src, "title": Path(name).stem[:200]})

    def add_speech(self, text: str | None = None) -> str | None:
        """A segment read by the draft voice (espeak-ng) from `text` (default: the text box)."""
        text = self.speech_text.value if text is None else text
        voice = str(self.manifest.get("metadata", {}).get("language") or self.language)
        segment_id = self._add_segment({"kind": "speech", "text": text, "voice": voice})
        if segment_id:
            self.speech_text.value = ""
        return segment_id

    # -- jingle -----------------------------------------------------------------------------

    def _on_jingle_check(self, on: bool) -> None:
        has = bool(self.current_episode().get("intro_jingle"))
        if not on and has:
            self.handle({"op": "jingle", "src": None})
        self.jingle_upload.layout.display = None if on else "none"

    def _on_jingle_upload(self, change: dict) -> None:
        files = change["new"]
        if not files:
            return
        name, content = files[0]["name"], bytes(files[0]["content"])
        self.jingle_upload.value = ()
        self.set_jingle(name, content)

    def set_jingle(self, name: str, content: bytes) -> bool:
        """Put the sound `content` under the introduction, ducked while someone speaks."""
        src = self._store_audio(name, content, self.jingle_errors)
        return src is not None and self.handle({"op": "jingle", "src": src})

    # -- showing ----------------------------------------------------------------------------

    def refresh(self) -> None:
        if self.manifest is None:
            return
        episode = self.current_episode()
        options = [
            (f"{n + 1}. {e.get('title', '')}", n) for n, e in enumerate(self.manifest["episodes"])
        ]
        if list(self.episode_choice.options) != options:
            self._choosing = True
            try:
                self.episode_choice.options = options
            finally:
                self._choosing = False
        if self.episode_choice.value != self.episode:
            self._choosing = True
            try:
                self.episode_choice.value = self.episode
            finally:
                self._choosing = False
        if self.episode_title.value != episode.get("title", ""):
            self.episode_title.value = str(episode.get("title", ""))
        self.deck.segments = [self._segment_view(n, s) for n, s in enumerate(self.segments())]
        jingle = episode.get("intro_jingle")
        self.jingle_check.value = bool(jingle) or self.jingle_check.value
        self.jingle_upload.layout.display = None if self.jingle_check.value else "none"
        line = ""
        if jingle:
            name = str(jingle.get("src", "")).removeprefix("media/")
            line = "<p>" + html.escape(self._("Jingle: {name}").format(name=name)) + "</p>"
        self.jingle_line.value = line
        self._show_leftovers()

    def _segment_view(self, n: int, segment: dict[str, Any]) -> dict[str, Any]:
        _ = self._
        kind = segment.get("kind")
        view = {
            "id": segment.get("id", ""),
            "kind": kind,
            "title": segment.get("title", ""),
            "trim_start": segment.get("trim_start") or 0.0,
            "trim_end": segment.get("trim_end"),
            "duration": 0.0,
            "peaks": [],
        }
        if kind == "speech":
            text = str(segment.get("text") or "")
            view["label"] = _("Segment {n}: draft voice, « {text} »").format(
                n=n + 1, text=text[:60] + ("…" if len(text) > 60 else "")
            )
            return view
        src = str(segment.get("src") or "")
        view["label"] = _("Segment {n}: {name}").format(n=n + 1, name=src.removeprefix("media/"))
        view["duration"], view["peaks"] = self._waveform(Path(self.bundle_dir) / src)
        return view

    def _waveform(self, path: Path) -> tuple[float, list[float]]:
        try:
            stat = path.stat()
        except OSError:
            return 0.0, []
        key = (str(path), stat.st_mtime_ns, stat.st_size)
        if key not in self._peaks:
            try:
                from ..podcast import audio

                duration = float(audio.probe(path).duration or 0.0)
                peaks = [round(float(p), 3) for p in audio.peaks(path, n=PEAKS)]
            except Exception:  # not decodable (yet): no waveform, the validator says why
                duration, peaks = 0.0, []
            self._peaks[key] = (duration, peaks)
        return self._peaks[key]
