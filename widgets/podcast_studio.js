// PodcastDeck: the segments of an episode (waveform, trim handles, reorder, listen, record
// again, remove) and the recorder. The microphone is recorded with MediaRecorder
// (audio/webm;codecs=opus) in 1 s slices; each slice goes to Python at once as a binary
// buffer ({type: "chunk", seq}), where it is appended to media/<name>.webm.part and synced
// to the disk: closing the tab loses at most the last second. Every other change is a small
// operation ({type: "op", op: {op: "trim", segment, start, end}…}).
// Keyboard: every button is a button; a trim handle is a slider (arrows 0.1 s, Shift 1 s,
// Home / End); a segment moves with its up / down buttons (or by dragging its row).

const STEP = 0.1;
const BIG_STEP = 1;
const TIMESLICE = 1000;

// make, format and clamp: dom_helpers.js, put in front of this module by Python

function textButton(label, className, onClick) {
  const node = make("button", "icpo-button " + (className || ""), { type: "button" });
  node.textContent = label;
  node.addEventListener("click", onClick);
  return node;
}

function render({ model, el }) {
  const S = model.get("strings") || {};
  el.classList.add("icpo");
  el.setAttribute("data-lm-suppress-shortcuts", "true");
  el.setAttribute("data-p-suppress-shortcuts", "true");

  // -- the recorder ------------------------------------------------------------------------
  const recorderBar = make("div", "icpo-recorder");
  const recordButton = textButton("● " + S.record, "icpo-record", () => startRecording(""));
  const stopButton = textButton("■ " + S.stop, "icpo-stop", () => stopRecording());
  stopButton.disabled = true;
  const recordStatus = make("p", "icpo-record-status", { role: "status", "aria-live": "polite" });
  recorderBar.append(recordButton, stopButton, recordStatus);

  // Browsers give the microphone only to secure pages (https:// or localhost): say so
  // rather than offer a record button that cannot work. Uploading a sound still works.
  const cannotRecord = recordingBlocker();
  const blockerId = "icpo-blocked-" + Math.random().toString(36).slice(2, 8);
  const blocker = make("p", "icpo-blocked", { id: blockerId });
  blocker.textContent = cannotRecord;
  blocker.hidden = !cannotRecord;
  recorderBar.prepend(blocker);

  function recordingBlocker() {
    if (!window.isSecureContext) {
      const url = "https://" + window.location.host + "/";
      return format(S.insecure, { url });
    }
    const media = navigator.mediaDevices;
    if (!media || !media.getUserMedia || typeof MediaRecorder === "undefined") {
      return S.unsupported;
    }
    return "";
  }

  function blockRecordButton(button) {
    if (!cannotRecord) return button;
    button.disabled = true;
    button.setAttribute("aria-describedby", blockerId);
    return button;
  }
  blockRecordButton(recordButton);

  function microphoneError(error) {
    const name = error && error.name;
    if (name === "NotAllowedError" || name === "SecurityError") return S.mic_denied;
    if (name === "NotFoundError" || name === "OverconstrainedError") return S.mic_missing;
    return format(S.no_microphone, { error: (error && error.message) || error });
  }

  let recorder = null;
  let stream = null;
  let seq = 0;
  let pending = Promise.resolve();

  async function startRecording(target) {
    if (recorder || cannotRecord) return;
    try {
      stream = await navigator.mediaDevices.getUserMedia({ audio: true });
    } catch (error) {
      recordStatus.textContent = microphoneError(error);
      recordStatus.classList.add("icpo-record-error");
      return;
    }
    recordStatus.classList.remove("icpo-record-error");
    const mime = "audio/webm;codecs=opus";
    const options = MediaRecorder.isTypeSupported(mime) ? { mimeType: mime } : {};
    recorder = new MediaRecorder(stream, options);
    seq = 0;
    model.send({ type: "start", target });
    recorder.addEventListener("dataavailable", (event) => {
      if (!event.data || event.data.size === 0) return;
      const n = seq++;
      // in order: each buffer is read, then sent, before the next one
      pending = pending.then(async () => {
        const buffer = await event.data.arrayBuffer();
        model.send({ type: "chunk", seq: n }, undefined, [buffer]);
      });
    });
    recorder.addEventListener("stop", () => {
      pending = pending.then(() => model.send({ type: "stop" }));
      for (const track of stream.getTracks()) track.stop();
      recorder = null;
      stream = null;
      recordButton.disabled = false;
      stopButton.disabled = true;
      recordButton.focus();
    });
    recorder.start(TIMESLICE);
    recordButton.disabled = true;
    stopButton.disabled = false;
    stopButton.focus();
    recordStatus.textContent = format(S.recording, { seconds: 0 });
  }

  function stopRecording() {
    if (recorder && recorder.state !== "inactive") recorder.stop();
  }

  model.on("change:chunks", () => {
    if (model.get("recording")) {
      recordStatus.textContent = format(S.recording, { seconds: model.get("chunks") });
    }
  });
  model.on("change:recording", () => {
    if (!model.get("recording")) recordStatus.textContent = "";
  });

  // -- the segments ------------------------------------------------------------------------
  const help = make("p", "icpo-help");
  help.textContent = S.trim_help;
  const list = make("ol", "icpo-list", { "aria-label": S.list_label });
  const empty = make("p", "icpo-empty");
  empty.textContent = S.empty;
  const player = make("audio", "icpo-player", { controls: "", "aria-label": S.preview_label });
  player.hidden = true;
  el.append(recorderBar, help, list, empty, player);

  let dragged = null;

  function send(op) {
    model.send({ type: "op", op });
  }

  function drawWave(canvas, peaks) {
    const ctx = canvas.getContext && canvas.getContext("2d");
    if (!ctx) return;
    const w = canvas.width;
    const h = canvas.height;
    ctx.clearRect(0, 0, w, h);
    ctx.fillStyle = "#1d4f91";
    const n = peaks.length;
    for (let i = 0; i < n; i++) {
      const x = Math.floor((i * w) / n);
      const bar = Math.max(1, peaks[i] * h);
      ctx.fillRect(x, (h - bar) / 2, Math.max(1, Math.ceil(w / n)), bar);
    }
  }

  function trimmer(segment) {
    const box = make("div", "icpo-trim");
    const duration = segment.duration || 0;
    const canvas = make("canvas", "icpo-wave", {
      width: "800",
      height: "80",
      role: "img",
      "aria-label": format(S.waveform, { label: segment.label }),
    });
    drawWave(canvas, segment.peaks || []);
    const shadeStart = make("div", "icpo-shade icpo-shade-start");
    const shadeEnd = make("div", "icpo-shade icpo-shade-end");
    let start = segment.trim_start || 0;
    let end = segment.trim_end == null ? duration : segment.trim_end;
    const handles = {};
    function place() {
      const pct = (v) => (duration ? (100 * v) / duration : 0) + "%";
      handles.start.style.left = pct(start);
      handles.end.style.left = pct(end);
      shadeStart.style.width = pct(start);
      shadeEnd.style.left = pct(end);
      shadeEnd.style.width = duration ? 100 - (100 * end) / duration + "%" : "0";
      for (const [name, value] of [["start", start], ["end", end]]) {
        handles[name].setAttribute("aria-valuenow", value.toFixed(1));
        handles[name].setAttribute("aria-valuetext", value.toFixed(1) + " s");
      }
      handles.start.setAttribute("aria-valuemax", Math.max(0, end - 0.1).toFixed(1));
      handles.end.setAttribute("aria-valuemin", (start + 0.1).toFixed(1));
    }
    function commit() {
      send({
        op: "trim",
        segment: segment.id,
        start: Number(start.toFixed(2)),
        end: end >= duration - 0.005 ? null : Number(end.toFixed(2)),
      });
    }
    function setValue(name, value) {
      if (name === "start") start = clamp(value, 0, Math.max(0, end - 0.1));
      else end = clamp(value, start + 0.1, duration);
      place();
    }
    for (const name of ["start", "end"]) {
      const handle = make("div", "icpo-handle icpo-handle-" + name, {
        role: "slider",
        tabindex: "0",
        "aria-label": S["trim_" + name],
        "aria-valuemin": name === "start" ? "0" : "0.1",
        "aria-valuemax": duration.toFixed(1),
        "aria-orientation": "horizontal",
      });
      handle.addEventListener("keydown", (event) => {
        const step = event.shiftKey ? BIG_STEP : STEP;
        const now = name === "start" ? start : end;
        let value = null;
        if (event.key === "ArrowLeft" || event.key === "ArrowDown") value = now - step;
        else if (event.key === "ArrowRight" || event.key === "ArrowUp") value = now + step;
        else if (event.key === "Home") value = 0;
        else if (event.key === "End") value = duration;
        if (value === null) return;
        event.preventDefault();
        event.stopPropagation();
        setValue(name, value);
      });
      handle.addEventListener("keyup", (event) => {
        if (event.key.startsWith("Arrow") || event.key === "Home" || event.key === "End") {
          commit();
        }
      });
      handle.addEventListener("pointerdown", (event) => {
        event.preventDefault();
        handle.focus();
        handle.setPointerCapture(event.pointerId);
        const rect = box.getBoundingClientRect();
        const move = (e) => setValue(name, ((e.clientX - rect.left) / rect.width) * duration);
        const up = () => {
          handle.removeEventListener("pointermove", move);
          handle.removeEventListener("pointerup", up);
          commit();
        };
        handle.addEventListener("pointermove", move);
        handle.addEventListener("pointerup", up);
      });
      handles[name] = handle;
    }
    box.append(canvas, shadeStart, shadeEnd, handles.start, handles.end);
    place();
    return box;
  }

  function row(segment, index, count) {
    const item = make("li", "icpo-segment", { "data-segment": segment.id });
    item.draggable = true;
    const head = make("div", "icpo-segment-head");
    const label = make("p", "icpo-segment-label");
    label.textContent = segment.label;
    const titleId = "icpo-title-" + segment.id + "-" + Math.random().toString(36).slice(2, 8);
    const titleLabel = make("label", "icpo-title-label", { for: titleId });
    titleLabel.textContent = S.title;
    const title = make("input", "icpo-title", { id: titleId, type: "text" });
    title.value = segment.title || "";
    title.addEventListener("change", () =>
      send({ op: "title", segment: segment.id, title: title.value }),
    );
    head.append(label, titleLabel, title);
    const tools = make("div", "icpo-segment-tools", { role: "group", "aria-label": segment.label });
    const up = textButton("↑ " + S.up, "", () =>
      send({ op: "move", segment: segment.id, step: -1 }),
    );
    up.disabled = index === 0;
    const down = textButton("↓ " + S.down, "", () =>
      send({ op: "move", segment: segment.id, step: 1 }),
    );
    down.disabled = index === count - 1;
    const play = textButton("▶ " + S.play, "", () =>
      model.send({ type: "preview", segment: segment.id }),
    );
    const remove = textButton("✖ " + S.remove, "icpo-remove", () =>
      send({ op: "remove", segment: segment.id }),
    );
    tools.append(up, down, play);
    tools.append(
      blockRecordButton(textButton("● " + S.rerecord, "", () => startRecording(segment.id))),
    );
    tools.append(remove);
    item.append(head);
    if (segment.kind !== "speech" && segment.duration > 0) item.append(trimmer(segment));
    item.append(tools);
    item.addEventListener("dragstart", (event) => {
      dragged = segment.id;
      event.dataTransfer.effectAllowed = "move";
    });
    item.addEventListener("dragover", (event) => {
      if (dragged) event.preventDefault();
    });
    item.addEventListener("drop", (event) => {
      event.preventDefault();
      if (dragged && dragged !== segment.id) send({ op: "move", segment: dragged, to: index });
      dragged = null;
    });
    return item;
  }

  function draw() {
    const focused = document.activeElement;
    const focusKey =
      focused && el.contains(focused) && focused.closest(".icpo-segment")
        ? [focused.closest(".icpo-segment").dataset.segment, focused.className, focused.textContent]
        : null;
    const segments = model.get("segments") || [];
    list.replaceChildren(...segments.map((s, i) => row(s, i, segments.length)));
    empty.hidden = segments.length > 0;
    if (focusKey) {
      // after a move or a trim the same control of the same segment keeps the focus
      const again = list.querySelector(`[data-segment="${focusKey[0]}"]`);
      const same =
        again &&
        [...again.querySelectorAll("button, [tabindex], input")].find(
          (n) => n.className === focusKey[1] && n.textContent === focusKey[2] && !n.disabled,
        );
      const fallback = again && again.querySelector("button:not([disabled])");
      if (same || fallback) (same || fallback).focus();
    }
  }

  model.on("change:segments", draw);
  model.on("change:preview", () => {
    const preview = model.get("preview") || {};
    if (!preview.url) return;
    player.src = preview.url;
    player.hidden = false;
    player.play().catch(() => {});
  });
  draw();
  return () => {
    if (recorder && recorder.state !== "inactive") recorder.stop();
  };
}

export default { render };
