/* The podcast page: chapters and transcript cues move their episode's player; the cue being
   heard is highlighted (aria-current) and its chapter marked. When an episode is heard to its
   end, an "imaginecole:result" event says the podcast is completed (the Kolibri package reports
   it through its SCORM shell). No network, no storage. */
(function () {
  "use strict";
  var completed = false;
  var complete = function () {
    if (completed) {
      return;
    }
    completed = true;
    var detail = {completion: "completed", raw: 0, max: 0, scaled: 1, answered: 0, total: 0};
    window.dispatchEvent(new CustomEvent("imaginecole:result", {detail: detail}));
  };
  var episodes = document.querySelectorAll(".icq-episode");
  Array.prototype.forEach.call(episodes, function (episode) {
    var audio = episode.querySelector("audio");
    if (!audio) {
      return;
    }
    var cues = episode.querySelectorAll(".icq-cue");
    var chapters = episode.querySelectorAll(".icq-chapter");
    var help = episode.querySelector(".icq-help");
    if (help) {
      help.hidden = false;
    }
    var seek = function (event) {
      var start = parseFloat(event.currentTarget.getAttribute("data-start"));
      if (isNaN(start)) {
        return;
      }
      audio.currentTime = start;
      var playing = audio.play();
      if (playing && playing.catch) {
        playing.catch(function () {});  // no sound allowed yet: the position is set all the same
      }
      mark(start);
    };
    var mark = function (now) {
      Array.prototype.forEach.call(cues, function (cue) {
        var on = now >= parseFloat(cue.getAttribute("data-start")) &&
          now < parseFloat(cue.getAttribute("data-end"));
        if (on) {
          cue.setAttribute("aria-current", "true");
        } else {
          cue.removeAttribute("aria-current");
        }
      });
      var current = null;
      Array.prototype.forEach.call(chapters, function (chapter) {
        if (now >= parseFloat(chapter.getAttribute("data-start"))) {
          current = chapter;
        }
      });
      Array.prototype.forEach.call(chapters, function (chapter) {
        if (chapter === current) {
          chapter.setAttribute("aria-current", "true");
        } else {
          chapter.removeAttribute("aria-current");
        }
      });
    };
    Array.prototype.forEach.call(cues, function (b) { b.addEventListener("click", seek); });
    Array.prototype.forEach.call(chapters, function (b) { b.addEventListener("click", seek); });
    audio.addEventListener("timeupdate", function () { mark(audio.currentTime); });
    audio.addEventListener("seeked", function () { mark(audio.currentTime); });
    audio.addEventListener("ended", complete);
  });
}());
