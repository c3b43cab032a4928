// PlayerPreview: the one player (templates/player/static/player.js) live in a widget.
//
// The Python class builds this widget's module as
//   const PLAYER_SOURCE_ID = "<sha256 of player.js>";
//   <player.js, a classic script that defines globalThis.ImaginecolePlayer>
//   <this file>
// so that no second player exists and nothing is fetched from the network.

// Each preview model imports its own copy of the module; every copy on a page shares the
// first player of the same source, so that the ids the player makes stay unique.
const shared = globalThis.__imaginecolePreviewPlayer;
if (!shared || shared.source !== PLAYER_SOURCE_ID) {
  globalThis.__imaginecolePreviewPlayer = {
    source: PLAYER_SOURCE_ID,
    player: globalThis.ImaginecolePlayer,
  };
}
const Player = globalThis.__imaginecolePreviewPlayer.player;
globalThis.ImaginecolePlayer = Player;

// Typing in the editor changes the manifest at every key: re-mount once the typing pauses.
const REMOUNT_DELAY_MS = 250;

function render({ model, el }) {
  el.classList.add("icpv");
  const frame = document.createElement("div");
  frame.className = "icpv-frame";
  const root = document.createElement("div");
  root.className = "icpv-player";
  const note = document.createElement("p");
  note.className = "icpv-note";
  note.hidden = true;
  frame.appendChild(root);
  el.appendChild(frame);
  el.appendChild(note);

  let handle = null;
  let timer = null;

  function mount() {
    timer = null;
    if (handle) {
      handle.destroy();
      handle = null;
    }
    root.textContent = "";
    const manifest = model.get("manifest") || {};
    const questions = Array.isArray(manifest.questions) ? manifest.questions : [];
    if (!questions.length) {
      const empty = document.createElement("p");
      empty.className = "icpv-empty";
      empty.textContent = model.get("empty_text");
      root.appendChild(empty);
      return;
    }
    try {
      handle = Player.mount(root, manifest, {
        strings: model.get("strings"),
        media: model.get("media"),
        mediaBase: "",
        uiLanguage: model.get("language") || undefined,
        onResult(result) {
          model.set("result", result);
          model.save_changes();
        },
      });
    } catch (error) {
      const failed = document.createElement("p");
      failed.className = "icpv-empty";
      failed.setAttribute("role", "alert");
      failed.textContent = String(error && error.message ? error.message : error);
      root.appendChild(failed);
    }
  }

  function schedule() {
    if (timer !== null) clearTimeout(timer);
    timer = setTimeout(mount, REMOUNT_DELAY_MS);
  }

  function showNote() {
    const text = model.get("note");
    note.textContent = text;
    note.hidden = !text;
  }

  model.on("change:manifest", schedule);
  model.on("change:media", schedule);
  model.on("change:strings", schedule);
  model.on("change:language", schedule);
  model.on("change:note", showNote);
  showNote();
  mount();

  return () => {
    if (timer !== null) clearTimeout(timer);
    if (handle) handle.destroy();
    model.off("change:manifest", schedule);
    model.off("change:media", schedule);
    model.off("change:strings", schedule);
    model.off("change:language", schedule);
    model.off("change:note", showNote);
  };
}

export default { render };
