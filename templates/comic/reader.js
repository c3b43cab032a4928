/*
 * Imaginecole comic reader: page by page or panel by panel, offline, in one page.
 * Inlined in the page by exports/comic_html.py, after the pages (inline SVG) and the JSON
 * <script id="icr-data"> with {language, direction, strings, pages: [{id, width, height,
 * panels: [{id, rect: [x, y, w, h], alt, lines}]}]}.
 *
 * - Each page is an <svg> whose content sits in an inner <svg class="icr-view">: the reader
 *   zooms on a panel by moving that inner viewBox, and gives the outer frame the panel's shape
 *   (both animated, unless the reader asks for less motion).
 * - The panel of RENDER's <g class="ic-panel" data-panel="ID"> that is current gets the class
 *   icr-current; its alt text and dialogue go to the aria-live region #icr-now.
 * - Buttons, arrow keys (reversed for right-to-left comics) and a horizontal swipe move from
 *   panel to panel, across pages; the page buttons jump to the first panel of a page.
 * - "Read aloud" speaks the current panel with speechSynthesis in the comic's language; the
 *   buttons stay hidden when the browser has no speech synthesis.
 * - When the last panel is reached, an "imaginecole:result" event says the comic is completed
 *   (the Kolibri package reports it through its SCORM shell).
 * No network, no storage: the reader keeps its state in memory, so it works from disk and in a
 * sandboxed iframe.
 */
(function () {
  'use strict';

  const SWIPE = 50;  // px a finger must travel to turn
  const ZOOM_MS = 320;
  const PAD = 0.04;  // margin around a zoomed panel, as a part of its size

  const data = JSON.parse(document.getElementById('icr-data').textContent);
  const strings = data.strings || {};
  const rtl = data.direction === 'rtl';
  const root = document.getElementById('icr');
  const byId = (id) => document.getElementById(id);

  function t(key, values) {
    let text = strings[key] || key;
    Object.keys(values || {}).forEach((name) => {
      text = text.split('{' + name + '}').join(String(values[name]));
    });
    return text;
  }

  // every panel in reading order, across pages
  const order = [];
  data.pages.forEach((page, pageIndex) => {
    page.panels.forEach((panel, panelIndex) => {
      order.push({page: pageIndex, index: panelIndex, panel: panel});
    });
  });

  const figures = Array.prototype.slice.call(document.querySelectorAll('.icr-page'));
  const views = figures.map((figure) => figure.querySelector('svg.icr-view'));
  const state = {position: 0, panelMode: false, completed: false, frames: {}};

  if (!order.length || figures.length !== data.pages.length) return;

  // ---- drawing

  function highlight(pageIndex) {
    const view = views[pageIndex];
    let rect = view.querySelector('.icr-highlight');
    if (!rect) {
      rect = document.createElementNS(view.namespaceURI, 'rect');
      rect.setAttribute('class', 'icr-highlight');
      rect.setAttribute('aria-hidden', 'true');
      view.appendChild(rect);
    }
    return rect;
  }

  function padded(box) {
    const dx = box[2] * PAD;
    const dy = box[3] * PAD;
    return [box[0] - dx, box[1] - dy, box[2] + 2 * dx, box[3] + 2 * dy];
  }

  function reducedMotion() {
    return window.matchMedia && window.matchMedia('(prefers-reduced-motion: reduce)').matches;
  }

  function currentBox(view) {
    const parts = (view.getAttribute('viewBox') || '').split(/[\s,]+/).map(Number);
    return parts.length === 4 && parts.every(isFinite) ? parts : null;
  }

  // the frame on screen takes the shape of what it shows: the page, or the zoomed panel
  function setFrame(pageIndex, box, height) {
    const page = data.pages[pageIndex];
    const outer = figures[pageIndex].querySelector('svg');
    const view = views[pageIndex];
    const h = Math.round(height * 10) / 10;
    outer.setAttribute('viewBox', '0 0 ' + page.width + ' ' + h);
    outer.style.setProperty('--icr-ratio', (page.width / h).toFixed(4));
    view.setAttribute('height', String(h));
    view.setAttribute('viewBox', box.map((v) => Math.round(v * 10) / 10).join(' '));
  }

  // moves the view to `box` in a frame `height` tall, smoothly unless less motion is asked for
  function zoomTo(pageIndex, box, height, animate) {
    const view = views[pageIndex];
    const from = currentBox(view);
    const fromHeight = Number(view.getAttribute('height')) || height;
    if (state.frames[pageIndex]) cancelAnimationFrame(state.frames[pageIndex]);
    if (!animate || !from || reducedMotion() || !window.requestAnimationFrame) {
      setFrame(pageIndex, box, height);
      return;
    }
    const start = performance.now();
    const step = (now) => {
      const k = Math.min(1, (now - start) / ZOOM_MS);
      const ease = k < 0.5 ? 2 * k * k : 1 - Math.pow(-2 * k + 2, 2) / 2;
      setFrame(pageIndex, from.map((v, i) => v + (box[i] - v) * ease),
        fromHeight + (height - fromHeight) * ease);
      state.frames[pageIndex] = k < 1 ? requestAnimationFrame(step) : 0;
    };
    state.frames[pageIndex] = requestAnimationFrame(step);
  }

  function draw(animate) {
    const item = order[state.position];
    const page = data.pages[item.page];
    const panel = item.panel;
    figures.forEach((figure, i) => { figure.hidden = i !== item.page; });
    const figure = figures[item.page];
    const outer = figure.querySelector('svg');
    outer.classList.toggle('icr-zoomed', state.panelMode);
    figure.querySelectorAll('.ic-panel').forEach((g) => {
      g.classList.toggle('icr-current', g.getAttribute('data-panel') === panel.id);
    });
    const mark = highlight(item.page);
    mark.setAttribute('x', panel.rect[0]);
    mark.setAttribute('y', panel.rect[1]);
    mark.setAttribute('width', panel.rect[2]);
    mark.setAttribute('height', panel.rect[3]);
    const box = state.panelMode ? padded(panel.rect) : [0, 0, page.width, page.height];
    zoomTo(item.page, box, page.width * box[3] / box[2], animate);
    // a webtoon is taller than the screen: bring the panel in sight
    if (animate && !state.panelMode && figure.classList.contains('icr-tall')
        && typeof mark.scrollIntoView === 'function') {
      mark.scrollIntoView({block: 'nearest', behavior: reducedMotion() ? 'auto' : 'smooth'});
    }
  }

  // ---- the text of the current panel

  function announce() {
    const item = order[state.position];
    const page = t('page_of', {n: item.page + 1, total: data.pages.length});
    byId('icr-page-status').textContent = page;
    byId('icr-where').textContent = page + ' · '
      + t('panel_of', {n: item.index + 1, total: data.pages[item.page].panels.length});
    byId('icr-alt').textContent = item.panel.alt;
    const list = byId('icr-lines');
    list.textContent = '';
    item.panel.lines.forEach((line) => {
      const li = document.createElement('li');
      li.textContent = line;
      list.appendChild(li);
    });
    list.hidden = !item.panel.lines.length;
    document.querySelectorAll('.icr-sound').forEach((sound) => {
      const mine = sound.getAttribute('data-panel') === item.panel.id;
      if (!mine) {
        const audio = sound.querySelector('audio');
        if (audio && !audio.paused) audio.pause();
      }
      sound.hidden = !mine;
    });
  }

  function setDisabled(button, disabled) {
    button.setAttribute('aria-disabled', disabled ? 'true' : 'false');
  }

  function updateButtons() {
    const item = order[state.position];
    setDisabled(byId('icr-prev'), state.position === 0);
    setDisabled(byId('icr-next'), state.position === order.length - 1);
    setDisabled(byId('icr-prev-page'), item.page === 0);
    setDisabled(byId('icr-next-page'), item.page === data.pages.length - 1);
  }

  function complete() {
    if (state.completed || state.position !== order.length - 1) return;
    state.completed = true;
    const detail = {completion: 'completed', raw: 0, max: 0, scaled: 1, answered: 0, total: 0};
    window.dispatchEvent(new CustomEvent('imaginecole:result', {detail: detail}));
  }

  function go(position, animate) {
    if (position < 0 || position >= order.length) return;
    const moved = position !== state.position;
    state.position = position;
    if (moved) stopSpeaking();
    draw(animate !== false);
    announce();
    updateButtons();
    complete();
  }

  function firstOfPage(pageIndex) {
    for (let i = 0; i < order.length; i += 1) {
      if (order[i].page === pageIndex) return i;
    }
    return -1;
  }

  const next = () => go(state.position + 1);
  const previous = () => go(state.position - 1);
  const nextPage = () => {
    const found = firstOfPage(order[state.position].page + 1);
    if (found >= 0) go(found);
  };
  const previousPage = () => {
    const found = firstOfPage(order[state.position].page - 1);
    if (found >= 0) go(found);
  };

  // ---- read aloud

  const synth = 'speechSynthesis' in window ? window.speechSynthesis : null;
  const canSpeak = Boolean(synth && typeof synth.speak === 'function'
    && typeof window.SpeechSynthesisUtterance === 'function');

  function stopSpeaking() {
    if (canSpeak && typeof synth.cancel === 'function') synth.cancel();
  }

  function voiceFor(language) {
    const base = language.split('-')[0].toLowerCase();
    const voices = typeof synth.getVoices === 'function' ? synth.getVoices() || [] : [];
    return voices.find((v) => (v.lang || '').toLowerCase() === language.toLowerCase())
      || voices.find((v) => (v.lang || '').toLowerCase().split(/[-_]/)[0] === base) || null;
  }

  function speak() {
    const panel = order[state.position].panel;
    const text = [panel.alt].concat(panel.lines).filter(Boolean).join('\n');
    stopSpeaking();
    const utterance = new SpeechSynthesisUtterance(text);
    utterance.lang = data.language;
    const voice = voiceFor(data.language);
    if (voice) utterance.voice = voice;
    synth.speak(utterance);
  }

  // ---- attribution

  function copyAttribution() {
    const area = byId('icr-attribution-text');
    const status = byId('icr-copied');
    area.focus();
    area.select();
    const done = () => { status.textContent = t('copied'); };
    const manual = () => { status.textContent = t('copy_by_hand'); };
    if (navigator.clipboard && typeof navigator.clipboard.writeText === 'function') {
      navigator.clipboard.writeText(area.value).then(done, manual);
    } else {
      manual();
    }
  }

  // ---- input

  function typing(target) {
    if (!target || !target.tagName) return false;
    const tag = target.tagName.toLowerCase();
    return target.isContentEditable || ['input', 'textarea', 'select', 'audio', 'video']
      .indexOf(tag) >= 0;
  }

  function onKey(event) {
    if (event.defaultPrevented || event.altKey || event.ctrlKey || event.metaKey) return;
    if (typing(event.target)) return;
    const forward = rtl ? 'ArrowLeft' : 'ArrowRight';
    const back = rtl ? 'ArrowRight' : 'ArrowLeft';
    if (event.key === forward) next();
    else if (event.key === back) previous();
    else return;
    event.preventDefault();
  }

  function onButton(id, action) {
    byId(id).addEventListener('click', (event) => {
      if (event.currentTarget.getAttribute('aria-disabled') === 'true') return;
      action();
    });
  }

  function swipes(area) {
    let start = null;
    area.addEventListener('pointerdown', (event) => {
      start = {x: event.clientX, y: event.clientY};
    });
    area.addEventListener('pointercancel', () => { start = null; });
    area.addEventListener('pointerup', (event) => {
      if (!start) return;
      const dx = event.clientX - start.x;
      const dy = event.clientY - start.y;
      start = null;
      if (Math.abs(dx) >= SWIPE && Math.abs(dx) > 1.5 * Math.abs(dy)) {
        // the finger pulls the next panel in from the side the comic is read towards
        if ((dx < 0) !== rtl) next();
        else previous();
        return;
      }
      if (Math.abs(dx) < 10 && Math.abs(dy) < 10) {
        const g = event.target.closest ? event.target.closest('.ic-panel') : null;
        const id = g && g.getAttribute('data-panel');
        const found = order.findIndex((item) => item.panel.id === id);
        if (found >= 0) go(found);
      }
    });
  }

  function toggleMode() {
    state.panelMode = !state.panelMode;
    byId('icr-mode').setAttribute('aria-pressed', state.panelMode ? 'true' : 'false');
    draw(true);
  }

  // ---- start

  root.classList.add('icr-js');
  ['icr-tools', 'icr-nav', 'icr-help', 'icr-now'].forEach((id) => { byId(id).hidden = false; });
  if (canSpeak) {
    byId('icr-read').hidden = false;
    byId('icr-stop').hidden = false;
    onButton('icr-read', speak);
    onButton('icr-stop', stopSpeaking);
  }
  byId('icr-copy').hidden = false;
  onButton('icr-copy', copyAttribution);
  onButton('icr-mode', toggleMode);
  onButton('icr-next', next);
  onButton('icr-prev', previous);
  onButton('icr-next-page', nextPage);
  onButton('icr-prev-page', previousPage);
  document.addEventListener('keydown', onKey);
  swipes(byId('icr-pages'));
  window.addEventListener('pagehide', stopSpeaking);
  go(0, false);
}());
