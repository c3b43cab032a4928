/*
 * Imaginecole player: plays every grain kind of grain.schema.json, version 1.
 * Vanilla ES2017: no framework, no build step, no network, no eval.
 *
 *   const player = ImaginecolePlayer.mount(rootElement, manifest, {
 *     strings: {check: "Vérifier", ...},   // from imaginecole.player.player_strings(language)
 *     mediaBase: "./",                     // prefix of "media/<file>" paths
 *     media: {"media/a.png": "data:..."},  // optional: URLs that replace given media paths
 *     uiLanguage: "fr",                    // optional: language of the strings
 *     showTitle: true,                     // optional: render the grain title as <h1>
 *     onResult(result) {}, onEvent(ev) {}
 *   });
 *   player.result(); player.reset(); player.destroy();
 *
 * Result, reported through onResult after every check and dispatched on window as the
 * CustomEvent "imaginecole:result" with the same detail:
 *   {raw, max, scaled, success, completion: "completed"|"incomplete", answered, total,
 *    perQuestion: [{id, raw, max, response, correct}], grain}
 *
 * Scoring rules:
 *   - a question earns `points` (default 1) times the share it got right;
 *   - single choice: the chosen choice's weight (percent, floored at 0) if it has one, else all
 *     or nothing; multiple choice: weights summed (floor 0, cap 100 %) when any choice has one,
 *     else +1/k per right choice ticked and -1/k per wrong one ticked (k right choices), floor 0;
 *   - fill_blanks, drag_words, matching, ordering: each blank, gap, pair or position counts
 *     alone (trimmed, spaces collapsed, case-insensitive unless case_sensitive);
 *   - flashcards are answered once every card has been turned. Alone (every question of the
 *     grain is flashcards) they have no score: max 0; scaled is then 1 once completed, and
 *     success follows completion. Beside scored questions, turning every card earns its points.
 *
 * Question sets show every question on one page. Each question has its own "Check" button
 * (Enter in a text field checks too); a summary under the questions keeps the score, the
 * number of checked questions and, once every question is checked, passed or not passed.
 */
(function (global) {
  'use strict';

  // strings:begin (English defaults; PLAYER_STRINGS in imaginecole/player.py is the same list)
  const DEFAULT_STRINGS = {
    check: "Check",
    retry: "Try again",
    show_solution: "Show the solution",
    start_again: "Start again",
    hint: "Hint",
    transcript: "Transcript",
    question_n: "Question {n} of {total}",
    true: "True",
    false: "False",
    instructions_single_choice: "Choose one answer.",
    instructions_multiple_choice: "Tick every right answer.",
    instructions_true_false: "True or false?",
    instructions_fill_blanks: "Type the missing words.",
    instructions_drag_words: "Choose the right word for each gap, or drag a word onto a gap.",
    instructions_matching: "Choose the match of each item, or drag an answer onto an item.",
    instructions_ordering: "Put the items in the right order with the Move up and Move down buttons, or drag them.",
    instructions_flashcards: "Turn each card to see its back.",
    blank_label: "Blank {n}",
    gap_label: "Gap {n}",
    choose: "Choose…",
    words_to_place: "Words to place",
    answers_to_match: "Answers to match",
    move_up: "Move up",
    move_down: "Move down",
    move_up_item: "Move up: {item}",
    move_down_item: "Move down: {item}",
    moved: "“{item}” is now in position {position} of {total}.",
    feedback_right: "Well done, that is right!",
    feedback_partial: "Partly right.",
    feedback_wrong: "That is not the right answer.",
    score: "Score: {raw} out of {max}",
    mark_right: "right",
    mark_wrong: "wrong",
    mark_solution: "right answer",
    solution: "Solution: {answer}",
    solution_order: "The right order:",
    flip: "Turn the card",
    card_n: "Card {n} of {total}",
    previous_card: "Previous card",
    next_card: "Next card",
    front: "Front",
    back: "Back",
    cards_turned: "Cards turned: {n} of {total}",
    cards_done: "You have turned every card. Well done!",
    summary: "Your result",
    summary_score: "Score: {raw} out of {max} ({percent})",
    summary_answered: "Questions checked: {n} of {total}",
    passed: "Passed: well done!",
    not_passed: "Not passed yet: you need {percent} to pass.",
    in_progress: "Check every question to see your result.",
    cannot_play: "This grain cannot be played: {error}",
  };
  // strings:end

  const RTL_LANGUAGES = ['ar', 'arc', 'ckb', 'dv', 'fa', 'he', 'ps', 'sd', 'ug', 'ur', 'yi'];
  const UI_LANGUAGES = ['fr', 'en', 'ar'];
  const MEDIA_PATH = /^media\/[A-Za-z0-9][A-Za-z0-9._-]{0,120}$/;
  // The manifest's sanitised rich-text subset; anything else is dropped again, defensively.
  const RICH_TAGS = {
    P: [], BR: [], STRONG: [], B: [], EM: [], I: [], U: [], UL: [], OL: [], LI: [],
    A: ['href'], SUB: [], SUP: [], SPAN: ['lang', 'dir'],
  };
  const UNWRAP_ONLY = /^(div|font|small|big|mark|code|abbr|cite|q|s|del|ins|h[1-6]|blockquote|pre)$/i;
  const KINDS = ['single_choice', 'multiple_choice', 'true_false', 'fill_blanks', 'drag_words',
    'matching', 'ordering', 'flashcards'];
  let mountCount = 0;

  function baseLanguage(code) {
    return String(code || '').toLowerCase().split('-')[0];
  }

  function el(tag, props, children) {
    const node = document.createElement(tag);
    Object.keys(props || {}).forEach((key) => {
      const value = props[key];
      if (value === undefined || value === null || value === false) return;
      if (key === 'text') node.textContent = String(value);
      else if (key === 'className') node.className = value;
      else if (key === 'hidden') node.hidden = true;
      else node.setAttribute(key, value === true ? '' : String(value));
    });
    (children || []).forEach((child) => { if (child) node.appendChild(child); });
    return node;
  }

  // Teacher rich text: parsed in an inert <template>, cleaned to the subset, then adopted.
  function rich(node, html) {
    const template = document.createElement('template');
    template.innerHTML = String(html == null ? '' : html);
    clean(template.content);
    node.appendChild(template.content);
    return node;
  }

  function clean(parent) {
    Array.from(parent.childNodes).forEach((node) => {
      if (node.nodeType === 3) return;
      if (node.nodeType !== 1) { node.remove(); return; }
      const allowed = node instanceof HTMLElement && RICH_TAGS[node.tagName];
      if (!allowed) {
        if (UNWRAP_ONLY.test(node.tagName)) {
          clean(node);
          node.replaceWith.apply(node, Array.from(node.childNodes));
        } else {
          node.remove();
        }
        return;
      }
      Array.from(node.attributes).forEach((attr) => {
        if (allowed.indexOf(attr.name) < 0) node.removeAttribute(attr.name);
      });
      if (node.tagName === 'A') {
        const href = node.getAttribute('href') || '';
        if (!/^(https?:|mailto:|#)/i.test(href.trim())) node.removeAttribute('href');
        node.setAttribute('rel', 'noopener noreferrer');
        node.setAttribute('target', '_blank');
      }
      if (node.hasAttribute('dir') && ['ltr', 'rtl', 'auto'].indexOf(node.getAttribute('dir')) < 0) {
        node.removeAttribute('dir');
      }
      clean(node);
    });
  }

  function format(template, values) {
    return String(template).replace(/\{(\w+)\}/g, (match, key) => (
      Object.prototype.hasOwnProperty.call(values, key) ? String(values[key]) : match));
  }

  function normalise(text, caseSensitive) {
    const value = String(text == null ? '' : text).normalize('NFC')
      .replace(/[\u2018\u2019\u02bc]/g, "'").replace(/\s+/g, ' ').trim();
    return caseSensitive ? value : value.toLocaleLowerCase();
  }

  function shuffle(list) {
    const copy = list.slice();
    for (let i = copy.length - 1; i > 0; i -= 1) {
      const j = Math.floor(Math.random() * (i + 1));
      const swap = copy[i];
      copy[i] = copy[j];
      copy[j] = swap;
    }
    return copy;
  }

  // "Le *chat/chaton* dort" -> [{text}, {answers: ["chat", "chaton"]}, {text}]
  function parseMarked(text, alternatives) {
    return String(text).split(/\*([^*]+)\*/).map((part, i) => {
      if (i % 2 === 0) return {text: part};
      const answers = alternatives ? part.split('/') : [part];
      return {answers: answers.map((a) => a.trim()).filter(Boolean)};
    }).filter((seg) => seg.text !== '' && !(seg.answers && !seg.answers.length));
  }

  function clamp01(x) {
    return Math.max(0, Math.min(1, x));
  }

  function round(x) {
    return Math.round(x * 1e6) / 1e6;
  }

  function mount(root, manifest, options) {
    if (!root || !manifest || typeof manifest !== 'object') {
      throw new TypeError('ImaginecolePlayer.mount(rootElement, manifest, options)');
    }
    options = options || {};
    const prefix = 'icp' + (mountCount += 1);
    const metadata = manifest.metadata || {};
    const language = metadata.language || 'fr';
    const base = baseLanguage(language);
    const uiLanguage = options.uiLanguage || (UI_LANGUAGES.indexOf(base) >= 0 ? base : 'fr');
    const direction = RTL_LANGUAGES.indexOf(base) >= 0 ? 'rtl' : 'ltr';
    const strings = Object.assign({}, DEFAULT_STRINGS, options.strings || {});
    const settings = Object.assign({
      pass_mark: 0.5, shuffle_questions: false, shuffle_choices: false,
      allow_retry: true, show_solutions: true,
    }, manifest.settings || {});
    const mediaBase = options.mediaBase !== undefined ? String(options.mediaBase) : './';
    const mediaMap = options.media || {};
    let models = [];
    let summary = null;
    let announcer = null;
    let announcedCompletion = false;

    const t = (key, values) => format(strings[key] !== undefined ? strings[key] : key, values || {});
    const numbers = numberFormat({maximumFractionDigits: 2});
    const percents = numberFormat({style: 'percent', maximumFractionDigits: 0});

    function numberFormat(opts) {
      try {
        return new Intl.NumberFormat(uiLanguage, Object.assign({numberingSystem: 'latn'}, opts));
      } catch (error) {
        return new Intl.NumberFormat('fr', opts);
      }
    }

    // Interface text carries its own language when the grain is in a local language.
    function ui(node) {
      if (baseLanguage(uiLanguage) !== base) node.setAttribute('lang', uiLanguage);
      return node;
    }

    function button(label, className, props) {
      return ui(el('button', Object.assign({type: 'button', className: 'icp-btn ' + (className || ''),
        text: label}, props || {})));
    }

    function mediaSource(path) {
      if (!MEDIA_PATH.test(String(path || ''))) return null;
      if (Object.prototype.hasOwnProperty.call(mediaMap, path)) return mediaMap[path];
      return mediaBase + path;
    }

    function emit(event) {
      if (typeof options.onEvent !== 'function') return;
      try { options.onEvent(event); } catch (error) { console.error(error); }
    }

    function announce(message) {
      // A trailing no-break space toggles so that the same message is announced twice.
      const again = announcer.textContent === message;
      announcer.textContent = again ? message + '\u00a0' : message;
    }

    function renderMedia(media) {
      if (!media) return null;
      if (media.image) {
        const src = mediaSource(media.image.src);
        if (!src) return null;
        const img = el('img', {src, alt: media.image.alt || '', width: media.image.width,
          height: media.image.height, decoding: 'async'});
        return el('div', {className: 'icp-media'}, [img]);
      }
      if (media.audio) {
        const src = mediaSource(media.audio.src);
        if (!src) return null;
        const audio = el('audio', {src, controls: true, preload: 'metadata'});
        const transcript = el('details', {className: 'icp-transcript'}, [
          ui(el('summary', {text: t('transcript')})),
          el('p', {className: 'icp-transcript-text', text: media.audio.transcript}),
        ]);
        return el('div', {className: 'icp-media icp-media-audio'}, [audio, transcript]);
      }
      return null;
    }

    function markText(node, ok, text) {
      node.textContent = '';
      node.appendChild(el('span', {className: 'icp-mark-icon', 'aria-hidden': 'true', text: ok ? '✓' : '✗'}));
      node.appendChild(ui(el('span', {className: 'icp-mark-text', text})));
      node.hidden = false;
    }

    // Pointer dragging is an extra for mouse and touch; every drag has a keyboard twin.
    function pointerDrag(source, handle, targets, label, onDrop) {
      handle.addEventListener('pointerdown', (down) => {
        const fieldset = source.closest('fieldset');
        if (down.button !== 0 || (fieldset && fieldset.disabled)) return;
        if (down.target.closest('button, select, input, a')) return;
        let ghost = null;
        let over = null;
        const move = (ev) => {
          if (!ghost) {
            if (Math.abs(ev.clientX - down.clientX) + Math.abs(ev.clientY - down.clientY) < 6) return;
            ghost = el('div', {className: 'icp-ghost', 'aria-hidden': 'true', text: label()});
            root.appendChild(ghost);
            source.classList.add('is-dragging');
          }
          ev.preventDefault();
          ghost.style.left = (ev.clientX + 12) + 'px';
          ghost.style.top = (ev.clientY + 12) + 'px';
          const hit = document.elementFromPoint(ev.clientX, ev.clientY);
          const target = hit ? targets().find((node) => node !== source && node.contains(hit)) : null;
          if (target !== over) {
            if (over) over.classList.remove('is-over');
            over = target || null;
            if (over) over.classList.add('is-over');
          }
        };
        const end = (ev) => {
          handle.removeEventListener('pointermove', move);
          handle.removeEventListener('pointerup', end);
          handle.removeEventListener('pointercancel', end);
          if (!ghost) return;
          ghost.remove();
          source.classList.remove('is-dragging');
          if (over) {
            over.classList.remove('is-over');
            if (ev.type === 'pointerup') onDrop(over);
          }
        };
        try { handle.setPointerCapture(down.pointerId); } catch (error) { /* synthetic events */ }
        handle.addEventListener('pointermove', move);
        handle.addEventListener('pointerup', end);
        handle.addEventListener('pointercancel', end);
      });
    }

    // ---- kinds: each returns {response(), evaluate(response), mark(ev), solution(), clear(), focusTarget()}

    function choiceKind(ctx, choices, multiple) {
      const list = el('ul', {className: 'icp-choices'});
      const rows = choices.map((choice, i) => {
        const inputId = ctx.qid + '-c' + i;
        const input = el('input', {type: multiple ? 'checkbox' : 'radio', name: ctx.qid, id: inputId,
          value: choice.id});
        const text = el('span', {className: 'icp-choice-text'});
        if (choice.html !== undefined) rich(text, choice.html);
        else ui(text).textContent = choice.text;
        const mark = el('span', {className: 'icp-mark', hidden: true});
        const label = el('label', {className: 'icp-choice-label', for: inputId}, [input, text, mark]);
        const feedback = el('p', {className: 'icp-choice-feedback', id: inputId + '-feedback', hidden: true});
        list.appendChild(el('li', {className: 'icp-choice'}, [label, feedback]));
        return {choice, input, mark, feedback, li: list.lastChild};
      });
      ctx.body.appendChild(list);
      const weighted = choices.some((c) => typeof c.weight === 'number');
      return {
        response() {
          const ids = rows.filter((r) => r.input.checked).map((r) => r.choice.id);
          return multiple ? ids : (ids.length ? ids[0] : null);
        },
        evaluate() {
          const picked = rows.filter((r) => r.input.checked).map((r) => r.choice);
          const exact = rows.every((r) => r.input.checked === Boolean(r.choice.correct));
          if (!multiple) {
            const chosen = picked[0];
            if (!chosen) return {fraction: 0, correct: false};
            const fraction = typeof chosen.weight === 'number'
              ? clamp01(chosen.weight / 100) : (chosen.correct ? 1 : 0);
            return {fraction, correct: Boolean(chosen.correct)};
          }
          if (weighted) {
            const sum = picked.reduce((total, c) => total + (typeof c.weight === 'number' ? c.weight : 0), 0);
            return {fraction: clamp01(sum / 100), correct: exact};
          }
          const right = choices.filter((c) => c.correct).length;
          if (!right) return {fraction: picked.length ? 0 : 1, correct: exact};
          const gained = picked.reduce((total, c) => total + (c.correct ? 1 : -1), 0) / right;
          return {fraction: clamp01(gained), correct: exact};
        },
        mark() {
          rows.forEach((r) => {
            if (!r.input.checked) return;
            const ok = Boolean(r.choice.correct);
            r.li.classList.add(ok ? 'is-right' : 'is-wrong');
            markText(r.mark, ok, t(ok ? 'mark_right' : 'mark_wrong'));
            if (r.choice.feedback) {
              r.feedback.textContent = r.choice.feedback;
              r.feedback.hidden = false;
              r.input.setAttribute('aria-describedby', r.feedback.id);
            }
          });
        },
        solution() {
          rows.forEach((r) => {
            if (!r.choice.correct) return;
            r.li.classList.add('is-solution');
            if (!r.input.checked) markText(r.mark, true, t('mark_solution'));
          });
        },
        clear() {
          rows.forEach((r) => {
            r.li.classList.remove('is-right', 'is-wrong', 'is-solution');
            r.mark.hidden = true;
            r.mark.textContent = '';
            r.feedback.hidden = true;
            r.input.removeAttribute('aria-describedby');
          });
        },
        focusTarget() {
          const checked = rows.find((r) => r.input.checked);
          return (checked || rows[0]).input;
        },
      };
    }

    // Shared by fill_blanks (text inputs) and drag_words (selects): a text with gaps.
    function gapKind(ctx, segments, makeControl, matches) {
      const text = el('p', {className: 'icp-cloze'});
      const gaps = [];
      segments.forEach((seg) => {
        if (seg.text !== undefined) {
          text.appendChild(document.createTextNode(seg.text));
          return;
        }
        const n = gaps.length + 1;
        const controlId = ctx.qid + '-g' + n;
        const control = makeControl(seg, controlId, n);
        const mark = el('span', {className: 'icp-mark', id: controlId + '-mark', hidden: true});
        const solution = ui(el('span', {className: 'icp-solution', id: controlId + '-solution', hidden: true}));
        const wrap = el('span', {className: 'icp-gap'}, [control.label, control.input, mark, solution]);
        text.appendChild(wrap);
        gaps.push({answers: seg.answers, input: control.input, mark, solution, wrap});
      });
      ctx.body.appendChild(text);
      const outcome = () => gaps.map((g) => matches(g));
      return {
        gaps,
        response() { return gaps.map((g) => g.input.value.trim()); },
        evaluate() {
          const ok = outcome();
          const right = ok.filter(Boolean).length;
          return {fraction: gaps.length ? right / gaps.length : 0, correct: right === gaps.length, ok};
        },
        mark(ev) {
          gaps.forEach((g, i) => {
            g.wrap.classList.add(ev.ok[i] ? 'is-right' : 'is-wrong');
            markText(g.mark, ev.ok[i], t(ev.ok[i] ? 'mark_right' : 'mark_wrong'));
            g.input.setAttribute('aria-describedby', g.mark.id);
          });
        },
        solution() {
          const ok = outcome();
          gaps.forEach((g, i) => {
            if (ok[i]) return;
            g.solution.textContent = t('solution', {answer: g.answers[0]});
            g.solution.hidden = false;
            g.input.setAttribute('aria-describedby', g.mark.id + ' ' + g.solution.id);
          });
        },
        clear() {
          gaps.forEach((g) => {
            g.wrap.classList.remove('is-right', 'is-wrong');
            g.mark.hidden = true;
            g.solution.hidden = true;
            g.input.removeAttribute('aria-describedby');
          });
        },
        focusTarget() { return gaps.length ? gaps[0].input : null; },
      };
    }

    function fillBlanksKind(ctx, q) {
      const caseSensitive = Boolean(q.case_sensitive);
      return gapKind(ctx, parseMarked(q.text, true), (seg, controlId, n) => {
        const longest = Math.max.apply(null, seg.answers.map((a) => a.length));
        return {
          label: ui(el('label', {className: 'icp-vh', for: controlId, text: t('blank_label', {n})})),
          input: el('input', {type: 'text', id: controlId, className: 'icp-blank', autocomplete: 'off',
            autocapitalize: 'off', spellcheck: 'false', size: Math.max(5, Math.min(24, longest + 3))}),
        };
      }, (gap) => {
        const given = normalise(gap.input.value, caseSensitive);
        return given !== '' && gap.answers.some((a) => normalise(a, caseSensitive) === given);
      });
    }

    function sortedUnique(words) {
      const seen = [];
      words.forEach((w) => { if (seen.indexOf(w) < 0) seen.push(w); });
      return seen.sort((a, b) => a.localeCompare(b, language));
    }

    function selectControl(controlId, labelNode, words) {
      const select = el('select', {id: controlId, className: 'icp-select'},
        [ui(el('option', {value: '', text: t('choose')}))].concat(
          words.map((w) => el('option', {value: w, text: w}))));
      return {label: labelNode, input: select};
    }

    function setSelect(select, value) {
      select.value = value;
      select.dispatchEvent(new Event('change', {bubbles: true}));
    }

    function wordBank(ctx, words, titleKey, targets, onDrop) {
      const titleId = ctx.qid + '-bank';
      const list = el('ul', {className: 'icp-bank', 'aria-labelledby': titleId});
      words.forEach((word) => {
        const chip = el('li', {className: 'icp-chip', text: word});
        list.appendChild(chip);
        pointerDrag(chip, chip, targets, () => word, (target) => onDrop(target, word));
      });
      return el('div', {className: 'icp-bank-wrap'}, [
        ui(el('p', {className: 'icp-bank-title', id: titleId, text: t(titleKey)})), list]);
    }

    function dragWordsKind(ctx, q) {
      const segments = parseMarked(q.text, false);
      const words = sortedUnique(segments.filter((s) => s.answers).map((s) => s.answers[0])
        .concat(Array.isArray(q.distractors) ? q.distractors : []));
      const kind = gapKind(ctx, segments, (seg, controlId, n) => selectControl(controlId,
        ui(el('label', {className: 'icp-vh', for: controlId, text: t('gap_label', {n})})), words),
      (gap) => gap.input.value === gap.answers[0]);
      kind.gaps.forEach((g) => g.wrap.classList.add('icp-drop'));
      const bank = wordBank(ctx, words, 'words_to_place', () => kind.gaps.map((g) => g.wrap),
        (target, word) => setSelect(target.querySelector('select'), word));
      ctx.body.insertBefore(bank, ctx.body.firstChild);
      return kind;
    }

    function matchingKind(ctx, q) {
      const pairs = (q.pairs || []).map((p) => ({left: String(p.left), right: String(p.right)}));
      const rights = sortedUnique(pairs.map((p) => p.right));
      const list = el('ul', {className: 'icp-pairs'});
      const rows = pairs.map((pair, i) => {
        const controlId = ctx.qid + '-m' + i;
        const control = selectControl(controlId,
          el('label', {className: 'icp-pair-left', for: controlId, text: pair.left}), rights);
        const mark = el('span', {className: 'icp-mark', id: controlId + '-mark', hidden: true});
        const solution = ui(el('span', {className: 'icp-solution', id: controlId + '-solution', hidden: true}));
        const li = el('li', {className: 'icp-pair icp-drop'}, [control.label,
          el('span', {className: 'icp-pair-right'}, [control.input, mark, solution])]);
        list.appendChild(li);
        return {pair, select: control.input, mark, solution, li};
      });
      ctx.body.appendChild(wordBank(ctx, rights, 'answers_to_match', () => rows.map((r) => r.li),
        (target, word) => setSelect(target.querySelector('select'), word)));
      ctx.body.appendChild(list);
      const outcome = () => rows.map((r) => r.select.value === r.pair.right);
      return {
        response() { return rows.map((r) => ({left: r.pair.left, right: r.select.value || null})); },
        evaluate() {
          const ok = outcome();
          const right = ok.filter(Boolean).length;
          return {fraction: right / rows.length, correct: right === rows.length, ok};
        },
        mark(ev) {
          rows.forEach((r, i) => {
            r.li.classList.add(ev.ok[i] ? 'is-right' : 'is-wrong');
            markText(r.mark, ev.ok[i], t(ev.ok[i] ? 'mark_right' : 'mark_wrong'));
            r.select.setAttribute('aria-describedby', r.mark.id);
          });
        },
        solution() {
          const ok = outcome();
          rows.forEach((r, i) => {
            if (ok[i]) return;
            r.solution.textContent = t('solution', {answer: r.pair.right});
            r.solution.hidden = false;
            r.select.setAttribute('aria-describedby', r.mark.id + ' ' + r.solution.id);
          });
        },
        clear() {
          rows.forEach((r) => {
            r.li.classList.remove('is-right', 'is-wrong');
            r.mark.hidden = true;
            r.solution.hidden = true;
            r.select.removeAttribute('aria-describedby');
          });
        },
        focusTarget() { return rows[0].select; },
      };
    }

    function orderingKind(ctx, q) {
      const items = (q.items || []).map(String);
      let order = items.map((_, i) => i);
      if (items.length > 1) {
        const solved = (o) => o.every((idx, pos) => items[idx] === items[pos]);
        for (let tries = 0; tries < 20 && solved(order); tries += 1) order = shuffle(order);
      }
      const list = el('ol', {className: 'icp-order'});
      const rows = order.map((idx) => {
        const text = items[idx];
        const up = button('', 'icp-btn-icon', {'aria-label': t('move_up_item', {item: text}), title: t('move_up')});
        up.appendChild(el('span', {'aria-hidden': 'true', text: '↑'}));
        const down = button('', 'icp-btn-icon', {'aria-label': t('move_down_item', {item: text}), title: t('move_down')});
        down.appendChild(el('span', {'aria-hidden': 'true', text: '↓'}));
        const grip = el('span', {className: 'icp-grip', 'aria-hidden': 'true', text: '⠿'});
        const mark = el('span', {className: 'icp-mark', hidden: true});
        const li = el('li', {className: 'icp-order-item'}, [grip,
          el('span', {className: 'icp-order-text', text}), mark,
          el('span', {className: 'icp-order-buttons'}, [up, down])]);
        const row = {text, li, up, down, mark};
        up.addEventListener('click', () => move(row, -1));
        down.addEventListener('click', () => move(row, 1));
        pointerDrag(li, grip, () => rows.map((r) => r.li), () => text, (target) => {
          const all = Array.from(list.children);
          const to = all.indexOf(target);
          list.insertBefore(li, all.indexOf(li) < to ? target.nextSibling : target);
          moved(row);
        });
        list.appendChild(li);
        return row;
      });
      ctx.body.appendChild(list);
      const solutionBox = el('div', {className: 'icp-solution-block', hidden: true});
      ctx.body.appendChild(solutionBox);

      function current() {
        return Array.from(list.children).map((li) => rows.find((r) => r.li === li));
      }
      function refresh() {
        current().forEach((r, i, all) => {
          r.up.setAttribute('aria-disabled', String(i === 0));
          r.down.setAttribute('aria-disabled', String(i === all.length - 1));
        });
      }
      function moved(row) {
        refresh();
        const position = current().indexOf(row) + 1;
        announce(t('moved', {item: row.text, position, total: rows.length}));
        emit({type: 'moved', question: q.id, item: row.text, position});
      }
      // The neighbour moves, not the row itself, so that the pressed button keeps the focus.
      function move(row, delta) {
        if (ctx.fieldset.disabled) return;
        const all = Array.from(list.children);
        const from = all.indexOf(row.li);
        const to = from + delta;
        if (to < 0 || to >= all.length) return;
        if (delta < 0) list.insertBefore(all[to], row.li.nextSibling);
        else list.insertBefore(all[to], row.li);
        moved(row);
      }
      refresh();
      const outcome = () => current().map((r, i) => r.text === items[i]);
      return {
        response() { return current().map((r) => r.text); },
        evaluate() {
          const ok = outcome();
          const right = ok.filter(Boolean).length;
          return {fraction: right / items.length, correct: right === items.length, ok};
        },
        mark(ev) {
          current().forEach((r, i) => {
            r.li.classList.add(ev.ok[i] ? 'is-right' : 'is-wrong');
            markText(r.mark, ev.ok[i], t(ev.ok[i] ? 'mark_right' : 'mark_wrong'));
          });
        },
        solution() {
          solutionBox.textContent = '';
          solutionBox.appendChild(ui(el('p', {className: 'icp-solution-title', text: t('solution_order')})));
          solutionBox.appendChild(el('ol', {}, items.map((text) => el('li', {text}))));
          solutionBox.hidden = false;
        },
        clear() {
          rows.forEach((r) => {
            r.li.classList.remove('is-right', 'is-wrong');
            r.mark.hidden = true;
          });
          solutionBox.hidden = true;
        },
        focusTarget() { return current()[0].down; },
      };
    }

    function flashcardsKind(ctx, q) {
      const cards = q.cards || [];
      const turned = new Set();
      let index = 0;
      let showingBack = false;
      const count = ui(el('p', {className: 'icp-card-count'}));
      const side = ui(el('p', {className: 'icp-card-side'}));
      const face = el('div', {className: 'icp-card-face'});
      const media = el('div', {className: 'icp-card-media'});
      // Only the face is live: a turn announces the new side without re-reading the media.
      const card = el('div', {className: 'icp-card'}, [
        el('div', {className: 'icp-card-live', 'aria-live': 'polite', 'aria-atomic': 'true'}, [side, face]),
        media]);
      const previous = button(t('previous_card'), 'icp-btn-nav icp-btn-previous');
      const flip = button(t('flip'), 'icp-btn-primary icp-btn-flip');
      const next = button(t('next_card'), 'icp-btn-nav icp-btn-next');
      previous.insertBefore(el('span', {className: 'icp-arrow', 'aria-hidden': 'true', text: '←'}), previous.firstChild);
      next.appendChild(el('span', {className: 'icp-arrow', 'aria-hidden': 'true', text: '→'}));
      const progress = ui(el('p', {className: 'icp-card-progress'}));
      ctx.body.appendChild(el('div', {className: 'icp-cards'}, [count, card,
        el('div', {className: 'icp-card-actions'}, [flip, previous, next]), progress]));

      function render(newCard) {
        const current = cards[index];
        count.textContent = t('card_n', {n: index + 1, total: cards.length});
        side.textContent = t(showingBack ? 'back' : 'front');
        face.textContent = '';
        rich(face, showingBack ? current.back : current.front);
        card.classList.toggle('is-back', showingBack);
        if (newCard) {
          media.textContent = '';
          const image = current.image ? renderMedia({image: current.image}) : null;
          const audio = current.audio ? renderMedia({audio: current.audio}) : null;
          if (image) media.appendChild(image);
          if (audio) media.appendChild(audio);
        }
        previous.setAttribute('aria-disabled', String(index === 0));
        next.setAttribute('aria-disabled', String(index === cards.length - 1));
        progress.textContent = t('cards_turned', {n: turned.size, total: cards.length});
      }
      function go(delta) {
        const to = index + delta;
        if (to < 0 || to >= cards.length) return;
        index = to;
        showingBack = false;
        render(true);
      }
      flip.addEventListener('click', () => {
        showingBack = !showingBack;
        const first = showingBack && !turned.has(index);
        if (first) turned.add(index);
        render(false);
        if (first) {
          emit({type: 'card-turned', question: q.id, card: index});
          if (turned.size === cards.length) ctx.complete(turned.size);
        }
      });
      previous.addEventListener('click', () => go(-1));
      next.addEventListener('click', () => go(1));
      render(true);
      return {};
    }

    function kindFor(ctx, q) {
      switch (q.kind) {
        case 'single_choice':
        case 'multiple_choice': {
          const choices = (q.choices || []).map((c) => ({id: c.id, html: c.text, correct: c.correct,
            weight: c.weight, feedback: c.feedback}));
          return choiceKind(ctx, settings.shuffle_choices ? shuffle(choices) : choices,
            q.kind === 'multiple_choice');
        }
        case 'true_false': {
          const kind = choiceKind(ctx, [
            {id: 'true', text: t('true'), correct: q.answer === true},
            {id: 'false', text: t('false'), correct: q.answer === false},
          ], false);
          const response = kind.response;
          kind.response = () => { const r = response(); return r === null ? null : r === 'true'; };
          return kind;
        }
        case 'fill_blanks': return fillBlanksKind(ctx, q);
        case 'drag_words': return dragWordsKind(ctx, q);
        case 'matching': return matchingKind(ctx, q);
        case 'ordering': return orderingKind(ctx, q);
        default: return flashcardsKind(ctx, q);
      }
    }

    // ---- one question: fieldset, legend, media, hint, body, actions, feedback

    function buildQuestion(q, index, total, scoreFlashcards) {
      const qid = prefix + '-q' + (index + 1);
      const isCards = q.kind === 'flashcards';
      const points = typeof q.points === 'number' && q.points > 0 ? q.points : 1;
      const model = {
        q, max: isCards && !scoreFlashcards ? 0 : points,
        state: {checked: false, raw: 0, response: null, correct: false},
      };
      const section = el('section', {className: 'icp-question icp-kind-' + q.kind, 'data-question-id': q.id});
      const form = el('form', {className: 'icp-form', novalidate: true});
      const fieldset = el('fieldset', {className: 'icp-fieldset'});
      const legend = el('legend', {className: 'icp-legend'});
      const numberId = qid + '-number';
      if (total > 1) {
        legend.appendChild(ui(el('span', {className: 'icp-qnum', id: numberId,
          text: t('question_n', {n: index + 1, total})})));
      }
      legend.appendChild(rich(el('span', {className: 'icp-statement'}), q.statement));
      fieldset.appendChild(legend);
      const media = renderMedia(q.media);
      if (media) fieldset.appendChild(media);
      fieldset.appendChild(ui(el('p', {className: 'icp-instructions', text: t('instructions_' + q.kind)})));
      const body = el('div', {className: 'icp-body'});
      fieldset.appendChild(body);
      if (q.hint) {
        fieldset.appendChild(el('details', {className: 'icp-hint'}, [
          ui(el('summary', {text: t('hint')})), el('p', {text: q.hint})]));
      }
      form.appendChild(fieldset);
      const actions = el('div', {className: 'icp-actions'});
      const feedback = el('div', {className: 'icp-feedback', role: 'status', tabindex: '-1', id: qid + '-feedback'});
      form.appendChild(actions);
      form.appendChild(feedback);
      section.appendChild(form);
      model.section = section;

      function showFeedback(kindClass, title, lines) {
        feedback.className = 'icp-feedback ' + kindClass;
        feedback.textContent = '';
        const head = ui(el('p', {className: 'icp-feedback-title'}));
        head.appendChild(el('span', {className: 'icp-feedback-icon', 'aria-hidden': 'true',
          text: kindClass === 'is-right' ? '✓' : (kindClass === 'is-wrong' ? '✗' : '◐')}));
        head.appendChild(document.createTextNode(' ' + title));
        feedback.appendChild(head);
        lines.filter(Boolean).forEach((line) => {
          const p = el('p', {text: line.text});
          feedback.appendChild(line.ui ? ui(p) : p);
        });
      }

      const ctx = {
        qid, body, fieldset,
        complete(turnedCount) {
          model.state = {checked: true, raw: model.max, response: turnedCount, correct: true};
          showFeedback('is-right', t('cards_done'), []);
          emit({type: 'checked', question: q.id, raw: model.max, max: model.max, correct: true});
          report();
        },
      };
      const kind = kindFor(ctx, q);
      if (isCards) return model;

      const check = button(t('check'), 'icp-btn-primary icp-btn-check', {type: 'submit',
        'aria-describedby': total > 1 ? numberId : null});
      const retry = button(t('retry'), 'icp-btn-retry', {hidden: true});
      const solution = button(t('show_solution'), 'icp-btn-solution', {hidden: true});
      actions.appendChild(check);
      actions.appendChild(retry);
      actions.appendChild(solution);

      form.addEventListener('submit', (ev) => {
        ev.preventDefault();
        if (fieldset.disabled) return;
        const response = kind.response();
        const result = kind.evaluate(response);
        const raw = round(result.fraction * model.max);
        model.state = {checked: true, raw, response, correct: result.correct};
        fieldset.disabled = true;
        kind.mark(result);
        const kindClass = result.correct ? 'is-right' : (raw > 0 ? 'is-partial' : 'is-wrong');
        const title = t(result.correct ? 'feedback_right' : (raw > 0 ? 'feedback_partial' : 'feedback_wrong'));
        const teacher = q.feedback && (result.correct ? q.feedback.correct : q.feedback.incorrect);
        showFeedback(kindClass, title, [
          {text: t('score', {raw: numbers.format(raw), max: numbers.format(model.max)}), ui: true},
          teacher ? {text: teacher} : null,
        ]);
        check.hidden = true;
        retry.hidden = !(settings.allow_retry && !result.correct);
        solution.hidden = !(settings.show_solutions && !result.correct);
        (retry.hidden ? (solution.hidden ? feedback : solution) : retry).focus();
        emit({type: 'checked', question: q.id, raw, max: model.max, correct: result.correct});
        report();
      });
      retry.addEventListener('click', () => {
        fieldset.disabled = false;
        kind.clear();
        feedback.className = 'icp-feedback';
        feedback.textContent = '';
        check.hidden = false;
        retry.hidden = true;
        solution.hidden = true;
        const target = kind.focusTarget();
        (target || check).focus();
        emit({type: 'retried', question: q.id});
      });
      solution.addEventListener('click', () => {
        kind.solution();
        solution.hidden = true;
        (retry.hidden ? feedback : retry).focus();
        emit({type: 'solution-shown', question: q.id});
      });
      return model;
    }

    // ---- results and summary

    function computeResult() {
      let raw = 0;
      let max = 0;
      let answered = 0;
      const perQuestion = models.map((m) => {
        max += m.max;
        if (m.state.checked) {
          raw += m.state.raw;
          answered += 1;
        }
        return {id: m.q.id, raw: m.state.checked ? m.state.raw : 0, max: m.max,
          response: m.state.checked ? m.state.response : null, correct: m.state.checked && m.state.correct};
      });
      const total = models.length;
      const completed = total > 0 && answered === total;
      raw = round(raw);
      max = round(max);
      const scaled = max > 0 ? round(clamp01(raw / max)) : (completed ? 1 : 0);
      const passMark = typeof settings.pass_mark === 'number' ? settings.pass_mark : 0.5;
      return {
        raw, max, scaled,
        success: max > 0 ? scaled >= passMark : completed,
        completion: completed ? 'completed' : 'incomplete',
        answered, total, perQuestion, grain: manifest.id || null,
      };
    }

    function buildSummary() {
      const titleId = prefix + '-summary';
      const bar = el('span', {className: 'icp-meter-bar'});
      const score = ui(el('p', {className: 'icp-summary-score'}));
      const answered = ui(el('p', {className: 'icp-summary-answered'}));
      const verdict = ui(el('p', {className: 'icp-summary-verdict'}));
      const again = button(t('start_again'), 'icp-btn-again', {hidden: true});
      again.addEventListener('click', () => {
        build();
        const first = root.querySelector('.icp-question input, .icp-question select, .icp-question button');
        if (first) first.focus();
      });
      const section = el('section', {className: 'icp-summary', 'aria-labelledby': titleId}, [
        ui(el('h2', {className: 'icp-summary-title', id: titleId, text: t('summary')})),
        el('div', {className: 'icp-meter', 'aria-hidden': 'true'}, [bar]),
        score, answered, verdict, again]);
      return {section, bar, score, answered, verdict, again};
    }

    function updateSummary(result) {
      if (!summary) return;
      const passMark = typeof settings.pass_mark === 'number' ? settings.pass_mark : 0.5;
      summary.bar.style.inlineSize = (result.scaled * 100) + '%';
      summary.score.textContent = t('summary_score', {raw: numbers.format(result.raw),
        max: numbers.format(result.max), percent: percents.format(result.scaled)});
      summary.score.hidden = result.max === 0;
      summary.answered.textContent = t('summary_answered', {n: result.answered, total: result.total});
      const done = result.completion === 'completed';
      summary.verdict.textContent = !done ? t('in_progress')
        : (result.success ? t('passed') : t('not_passed', {percent: percents.format(passMark)}));
      summary.section.classList.toggle('is-passed', done && result.success);
      summary.section.classList.toggle('is-failed', done && !result.success);
      summary.again.hidden = !(done && settings.allow_retry);
    }

    function report() {
      const result = computeResult();
      updateSummary(result);
      if (summary && result.completion === 'completed' && !announcedCompletion) {
        announcedCompletion = true;
        announce(summary.verdict.textContent + ' ' + (result.max ? summary.score.textContent : ''));
      }
      if (result.completion === 'completed') emit({type: 'completed', result: computeResult()});
      if (typeof options.onResult === 'function') {
        try { options.onResult(computeResult()); } catch (error) { console.error(error); }
      }
      global.dispatchEvent(new CustomEvent('imaginecole:result', {detail: computeResult()}));
    }

    function build() {
      root.textContent = '';
      root.classList.add('icp');
      root.setAttribute('lang', language);
      root.setAttribute('dir', direction);
      announcedCompletion = false;
      summary = null;
      const questions = (Array.isArray(manifest.questions) ? manifest.questions : [])
        .filter((q) => q && KINDS.indexOf(q.kind) >= 0);
      if (options.showTitle !== false && metadata.title) {
        root.appendChild(el('h1', {className: 'icp-title', text: metadata.title}));
      }
      if (options.showTitle !== false && metadata.description) {
        root.appendChild(el('p', {className: 'icp-description', text: metadata.description}));
      }
      if (!questions.length) {
        root.appendChild(ui(el('p', {className: 'icp-error', role: 'alert',
          text: t('cannot_play', {error: 'questions'})})));
        models = [];
        return;
      }
      const ordered = settings.shuffle_questions ? shuffle(questions) : questions;
      const scoreFlashcards = questions.some((q) => q.kind !== 'flashcards');
      const list = el('div', {className: 'icp-questions'});
      models = ordered.map((q, i) => buildQuestion(q, i, ordered.length, scoreFlashcards));
      models.forEach((m) => list.appendChild(m.section));
      root.appendChild(list);
      if (ordered.length > 1 || manifest.kind === 'question_set') {
        summary = buildSummary();
        root.appendChild(summary.section);
        updateSummary(computeResult());
      }
      announcer = el('div', {className: 'icp-vh', role: 'status', 'aria-live': 'polite'});
      root.appendChild(announcer);
    }

    build();
    return {
      result: computeResult,
      reset() { build(); },
      destroy() {
        root.textContent = '';
        models = [];
      },
    };
  }

  global.ImaginecolePlayer = {mount, version: 1, strings: Object.assign({}, DEFAULT_STRINGS)};
}(typeof window !== 'undefined' ? window : this));
