/*
 * Imaginecole sequence player: a module or a parcours, offline (exports/site.py).
 * Vanilla ES2017: no framework, no build step, no network, no eval, no innerHTML.
 *
 * The page holds its data in <script type="application/json" id="ics-data">:
 *   {id, kind: "module"|"parcours", title, ui, tracker: "local"|"memory", scorm: bool,
 *    strings: {...},                         // imaginecole/sequence/strings.py, translated
 *    modules: [{id, title, prerequisites: [module ids], completion: {rule, count, score},
 *               parts: [{key, id, type, title, src | srcdoc}]}]}
 *
 * Each part plays in an iframe; its page runs the sequence shell (exports/parts.py), which
 * posts {source: "imaginecole", type: "result", detail: {raw, max, scaled, completion, success}}
 * and {type: "height", detail: {height}} to this window. A part is "not started" until it is
 * opened, then "in progress", then "completed" (its best completed result is kept).
 *
 * A module is completed by its rule: "all" (every part completed), "count" (at least `count`
 * parts completed) or "score" (every part completed, and the mean `scaled` of the scored parts,
 * max > 0, at least `score`). A parcours is completed when every module is; a module whose
 * prerequisites are not completed is locked: shown, with why, not playable.
 *
 * Progress is kept per sequence id in localStorage (tracker "local"), or in memory when the
 * browser refuses storage (a sandboxed iframe) or with tracker "memory". With `scorm`, the
 * overall result is dispatched on this window as "imaginecole:result" for the SCORM shell.
 * When that shell found an LMS, the LMS holds the progress instead of the browser (a classroom
 * computer is shared; the LMS knows the learner): it is read back from the suspend data the
 * shell got at start, and each change is dispatched as "imaginecole:suspend" {data, location}.
 * The suspend data is compact (SCORM 1.2 allows 4096 characters):
 *   {"v": 1, "h": hash of the part keys, "at": position, "p": [[index, completed 0|1, raw, max,
 *    scaled in thousandths, success 0|1], ...]}
 * and is ignored when the parts changed since (another hash).
 */
(function () {
  'use strict';

  const data = JSON.parse(document.getElementById('ics-data').textContent);
  const strings = data.strings || {};
  const modules = data.modules || [];
  const byId = (id) => document.getElementById(id);
  const percents = new Intl.NumberFormat(data.ui || 'fr', {style: 'percent', maximumFractionDigits: 0});
  const isParcours = data.kind === 'parcours';
  const KEY = 'imaginecole.sequence.' + data.id;

  function t(key, values) {
    let text = strings[key] || key;
    Object.keys(values || {}).forEach((name) => {
      text = text.split('{' + name + '}').join(String(values[name]));
    });
    return text;
  }

  function el(tag, attrs, children) {
    const node = document.createElement(tag);
    Object.keys(attrs || {}).forEach((name) => {
      const value = attrs[name];
      if (value === null || value === undefined || value === false) return;
      if (name === 'text') node.textContent = value;
      else if (name === 'className') node.className = value;
      else node.setAttribute(name, value === true ? '' : String(value));
    });
    (children || []).forEach((child) => {
      if (child !== null && child !== undefined) node.append(child);
    });
    return node;
  }

  // ---- storage: the LMS, else localStorage when allowed, else memory

  const lms = data.scorm && window.ImaginecoleScorm && window.ImaginecoleScorm.session
    && window.ImaginecoleScorm.session.connected ? window.ImaginecoleScorm.session : null;

  function makeStore(tracker) {
    let memory = null;
    let local = null;
    if (lms) {
      return {
        persistent: true,
        load() {
          return decodeSuspend(lms.resumeData());
        },
        save(value) {
          memory = value;
          window.dispatchEvent(new CustomEvent('imaginecole:suspend', {detail: {
            data: encodeSuspend(value),
            location: String(Math.max(0, positions.findIndex((p) => p.key === value.at))),
          }}));
        },
      };
    }
    if (tracker === 'local') {
      try {
        local = window.localStorage;
        const probe = KEY + '.probe';
        local.setItem(probe, '1');
        local.removeItem(probe);
      } catch (error) {
        local = null;  // refused (a sandbox, private mode): progress lives in memory
      }
    }
    return {
      persistent: Boolean(local),
      load() {
        if (local) {
          try {
            const text = local.getItem(KEY);
            if (text) return JSON.parse(text);
          } catch (error) { /* unreadable: start afresh */ }
        }
        return memory;
      },
      save(value) {
        memory = value;
        if (local) {
          try { local.setItem(KEY, JSON.stringify(value)); } catch (error) { /* full */ }
        }
      },
    };
  }

  function num(value) {
    const n = Number(value);
    return isFinite(n) ? n : 0;
  }

  function clamp01(n) {
    return Math.min(1, Math.max(0, n));
  }

  function cleanProgress(raw) {
    const progress = {parts: {}, at: 'home'};
    if (!raw || typeof raw !== 'object') return progress;
    const known = {};
    modules.forEach((m) => m.parts.forEach((p) => { known[p.key] = true; }));
    const parts = raw.parts && typeof raw.parts === 'object' ? raw.parts : {};
    Object.keys(parts).forEach((key) => {
      const r = parts[key];
      if (!known[key] || !r || (r.status !== 'started' && r.status !== 'completed')) return;
      progress.parts[key] = {status: r.status, raw: num(r.raw), max: num(r.max),
        scaled: clamp01(num(r.scaled)), success: Boolean(r.success)};
    });
    if (typeof raw.at === 'string') progress.at = raw.at;
    return progress;
  }

  // ---- the model: positions, part and module states

  const positions = [{kind: 'home', key: 'home'}];
  modules.forEach((module, m) => {
    module.parts.forEach((part) => {
      positions.push({kind: 'part', key: part.key, module: m, part: part});
    });
  });
  positions.push({kind: 'summary', key: 'summary'});
  const totalParts = positions.length - 2;

  // ---- the LMS's suspend data (see the header)

  function fnv1a(text) {
    let hash = 0x811c9dc5;
    for (let i = 0; i < text.length; i += 1) {
      hash ^= text.charCodeAt(i);
      hash = Math.imul(hash, 0x01000193) >>> 0;
    }
    return hash.toString(36);
  }

  const partsHash = fnv1a(positions.map((p) => p.key).join('\n'));

  function encodeSuspend(value) {
    const rows = [];
    positions.forEach((position, index) => {
      const r = position.kind === 'part' ? value.parts[position.key] : null;
      if (!r) return;
      rows.push([index, r.status === 'completed' ? 1 : 0, r.raw, r.max,
        Math.round(r.scaled * 1000), r.success ? 1 : 0]);
    });
    const at = positions.findIndex((p) => p.key === value.at);
    return JSON.stringify({v: 1, h: partsHash, at: Math.max(0, at), p: rows});
  }

  function decodeSuspend(text) {
    let kept = null;
    try {
      kept = text ? JSON.parse(text) : null;
    } catch (error) {
      return null;  // not ours, or damaged: start afresh
    }
    if (!kept || kept.v !== 1 || kept.h !== partsHash || !Array.isArray(kept.p)) return null;
    const parts = {};
    kept.p.forEach((row) => {
      const position = Array.isArray(row) ? positions[num(row[0])] : null;
      if (!position || position.kind !== 'part') return;
      parts[position.key] = {status: row[1] ? 'completed' : 'started', raw: row[2], max: row[3],
        scaled: num(row[4]) / 1000, success: Boolean(row[5])};
    });
    const at = positions[num(kept.at)];
    return {parts: parts, at: at ? at.key : 'home'};
  }

  const store = makeStore(data.tracker);
  let progress = cleanProgress(store.load());

  function record(part) {
    return progress.parts[part.key] || null;
  }

  function moduleState(module) {
    let done = 0;
    let started = false;
    let scored = 0;
    let scaledSum = 0;
    let raw = 0;
    let max = 0;
    module.parts.forEach((part) => {
      const r = record(part);
      if (!r) return;
      started = true;
      if (r.status !== 'completed') return;
      done += 1;
      if (r.max > 0) {
        scored += 1;
        scaledSum += r.scaled;
        raw += r.raw;
        max += r.max;
      }
    });
    const total = module.parts.length;
    const rule = (module.completion && module.completion.rule) || 'all';
    const average = scored ? scaledSum / scored : null;
    let completed = done === total;
    if (rule === 'count') {
      completed = done >= Math.min(total, Math.max(1, num(module.completion.count) || total));
    } else if (rule === 'score') {
      completed = done === total && (average === null || average >= num(module.completion.score) - 1e-9);
    }
    return {done, total, started, average, scored, scaledSum, raw, max, completed,
      allDone: done === total};
  }

  function states() {
    return modules.map(moduleState);
  }

  // titles of the prerequisites of module `m` not completed yet (empty: open)
  function missing(m, all) {
    const ids = modules[m].prerequisites || [];
    return ids.map((id) => modules.findIndex((x) => x.id === id))
      .filter((i) => i >= 0 && !all[i].completed)
      .map((i) => t('quoted', {title: modules[i].title}));
  }

  function isOpen(position, all) {
    return position.kind !== 'part' || missing(position.module, all).length === 0;
  }

  function overall(all) {
    let done = 0;
    let scored = 0;
    let scaledSum = 0;
    let raw = 0;
    let max = 0;
    all.forEach((s) => {
      done += s.done;
      scored += s.scored;
      scaledSum += s.scaledSum;
      raw += s.raw;
      max += s.max;
    });
    const completed = all.length > 0 && all.every((s) => s.completed);
    return {done, total: totalParts, average: scored ? scaledSum / scored : null, raw, max,
      completed, modulesDone: all.filter((s) => s.completed).length};
  }

  function partStateText(part) {
    const r = record(part);
    if (!r) return t('not_started');
    if (r.status !== 'completed') return t('in_progress');
    if (r.max > 0) return t('completed') + ' · ' + t('score', {percent: percents.format(r.scaled)});
    return t('completed');
  }

  function ruleText(module) {
    const c = module.completion || {};
    if (c.rule === 'count') {
      return t('rule_count', {count: Math.min(module.parts.length, num(c.count) || 1),
        total: module.parts.length});
    }
    if (c.rule === 'score') return t('rule_score', {percent: percents.format(num(c.score))});
    return t('rule_all');
  }

  // ---- the page

  const nav = byId('ics-nav');
  const toggle = byId('ics-toggle');
  const live = byId('ics-live');
  const views = {home: byId('ics-home'), part: byId('ics-part'), summary: byId('ics-summary')};
  const prev = byId('ics-prev');
  const next = byId('ics-next');
  const start = byId('ics-start');
  let frame = byId('ics-frame');
  let current = 0;
  let frameKey = null;

  function announce(text) {
    live.textContent = '';
    window.setTimeout(() => { live.textContent = text; }, 50);
  }

  function navButton(index, label, detail, extraClass) {
    const button = el('button', {type: 'button', className: 'ics-nav-item ' + (extraClass || ''),
      'data-pos': index}, [el('span', {className: 'ics-nav-name', text: label})]);
    if (detail) button.append(el('span', {className: 'ics-nav-state', text: detail}));
    if (index === current) button.setAttribute('aria-current', 'step');
    button.addEventListener('click', () => {
      go(index, true);
      closeNavOnSmall();
    });
    return button;
  }

  function renderNav(all) {
    const focused = document.activeElement && nav.contains(document.activeElement)
      ? document.activeElement.getAttribute('data-pos') : null;
    const list = el('ol', {className: 'ics-nav-list'});
    list.append(el('li', {}, [navButton(0, t('introduction'))]));
    let index = 1;
    modules.forEach((module, m) => {
      const lockedBy = missing(m, all);
      const items = el('ol', {className: 'ics-nav-parts'});
      module.parts.forEach((part) => {
        const label = part.title;
        const type = t('type_' + part.type);
        if (lockedBy.length) {
          items.append(el('li', {className: 'ics-nav-locked'}, [
            el('span', {className: 'ics-nav-name', text: label}),
            el('span', {className: 'ics-nav-state', text: type + ' · ' + t('locked')}),
          ]));
        } else {
          items.append(el('li', {}, [navButton(index, label, type + ' · ' + partStateText(part))]));
        }
        index += 1;
      });
      if (isParcours) {
        const state = all[m];
        const status = lockedBy.length ? t('locked_because', {modules: lockedBy.join(', ')})
          : (state.completed ? t('module_completed') : t('parts_completed', {done: state.done, total: state.total}));
        const headId = 'ics-nav-m' + m;
        list.append(el('li', {className: 'ics-nav-module' + (lockedBy.length ? ' is-locked' : '')}, [
          el('p', {className: 'ics-nav-module-title', id: headId, text: module.title}),
          el('p', {className: 'ics-nav-module-state', text: status}),
          items,
        ]));
        items.setAttribute('aria-labelledby', headId);
      } else {
        list.append(el('li', {className: 'ics-nav-module'}, [items]));
      }
    });
    list.append(el('li', {}, [navButton(positions.length - 1, t('summary'))]));
    nav.replaceChildren(list);
    if (focused !== null) {
      const again = nav.querySelector('[data-pos="' + focused + '"]');
      if (again) again.focus();
    }
  }

  function renderProgress(all) {
    const o = overall(all);
    const ratio = o.total ? o.done / o.total : 0;
    const text = t('progress_text', {done: o.done, total: o.total, percent: percents.format(ratio)});
    const bar = byId('ics-bar');
    bar.setAttribute('aria-valuenow', String(Math.round(ratio * 100)));
    bar.setAttribute('aria-valuetext', text);
    byId('ics-bar-fill').style.inlineSize = (ratio * 100) + '%';
    byId('ics-progress-text').textContent = text;
  }

  function firstToPlay(all, m) {
    // the first part not completed of module m (or of any open module), else the summary
    for (let i = 1; i < positions.length - 1; i += 1) {
      const p = positions[i];
      if (m !== undefined && p.module !== m) continue;
      if (isOpen(p, all) && !(record(p.part) && record(p.part).status === 'completed')) return i;
    }
    if (m !== undefined) return positions.findIndex((p) => p.module === m);
    return positions.length - 1;
  }

  function renderHome(all) {
    byId('ics-rule').textContent = isParcours ? t('rule_parcours') : ruleText(modules[0]);
    const any = Object.keys(progress.parts).length > 0;
    start.textContent = any ? t('resume') : t('start');
    start.hidden = false;
    if (!isParcours) return;
    modules.forEach((module, m) => {
      const item = views.home.querySelector('.ics-module[data-module="' + module.id + '"]');
      if (!item) return;
      const lockedBy = missing(m, all);
      const state = all[m];
      item.querySelector('.ics-module-rule').textContent = ruleText(module);
      item.querySelector('.ics-module-status').textContent = lockedBy.length
        ? t('locked_because', {modules: lockedBy.join(', ')})
        : (state.completed ? t('module_completed')
          : t('parts_completed', {done: state.done, total: state.total}));
      item.classList.toggle('is-locked', lockedBy.length > 0);
      const action = item.querySelector('.ics-module-action');
      if (lockedBy.length) {
        action.replaceChildren();
      } else if (!action.firstChild) {
        const button = el('button', {type: 'button', className: 'ics-btn',
          text: t('start_module', {title: module.title})});
        button.addEventListener('click', () => go(firstToPlay(states(), m), true));
        action.append(button);
      }
    });
  }

  function renderSummary(all) {
    const body = byId('ics-summary-body');
    const blocks = [];
    modules.forEach((module, m) => {
      const state = all[m];
      const lockedBy = missing(m, all);
      const rows = module.parts.map((part) => {
        const r = record(part);
        const status = !r ? t('not_started') : (r.status === 'completed' ? t('completed') : t('in_progress'));
        const score = r && r.status === 'completed' && r.max > 0
          ? percents.format(r.scaled) + ' (' + r.raw + ' / ' + r.max + ')' : t('no_score');
        return el('tr', {}, [el('th', {scope: 'row', text: part.title}),
          el('td', {text: status}), el('td', {text: score})]);
      });
      const table = el('table', {className: 'ics-table'}, [
        el('caption', {text: module.title}),
        el('thead', {}, [el('tr', {}, [el('th', {scope: 'col', text: t('col_part')}),
          el('th', {scope: 'col', text: t('col_status')}), el('th', {scope: 'col', text: t('col_score')})])]),
        el('tbody', {}, rows),
      ]);
      const verdict = state.completed ? t('module_completed') : t('module_not_completed');
      blocks.push(el('section', {className: 'ics-summary-module' + (state.completed ? ' is-done' : ''),
        'data-module': module.id}, [
        el('div', {className: 'ics-table-box'}, [table]),
        el('p', {className: 'ics-sum-rule', text: ruleText(module)}),
        el('p', {className: 'ics-sum-done', text: t('parts_completed', {done: state.done, total: state.total})}),
        el('p', {className: 'ics-sum-average', text: state.average === null ? t('average_none')
          : t('average', {percent: percents.format(state.average)})}),
        lockedBy.length ? el('p', {className: 'ics-sum-locked', text: t('locked_because', {modules: lockedBy.join(', ')})}) : null,
        el('p', {className: 'ics-sum-verdict', text: verdict}),
      ]));
    });
    const o = overall(all);
    const lines = [el('h3', {text: t('overall')})];
    if (isParcours) lines.push(el('p', {className: 'ics-sum-rule', text: t('rule_parcours')}));
    lines.push(el('p', {className: 'ics-sum-done', text: t('parts_completed', {done: o.done, total: o.total})}));
    if (isParcours) {
      lines.push(el('p', {className: 'ics-sum-modules',
        text: t('modules_completed', {done: o.modulesDone, total: modules.length})}));
    }
    lines.push(el('p', {className: 'ics-sum-average', text: o.average === null ? t('average_none')
      : t('average', {percent: percents.format(o.average)})}));
    lines.push(el('p', {className: 'ics-sum-verdict', text: o.completed ? t('overall_done') : t('overall_not_done')}));
    blocks.push(el('section', {className: 'ics-summary-overall' + (o.completed ? ' is-done' : ''), id: 'ics-overall'}, lines));
    body.replaceChildren(...blocks);
  }

  function newFrame(part) {
    const fresh = el('iframe', {className: 'ics-frame', id: 'ics-frame', title: part.title,
      allow: 'autoplay; fullscreen'});
    if (typeof part.srcdoc === 'string') fresh.srcdoc = part.srcdoc;
    else fresh.src = part.src;
    frame.replaceWith(fresh);
    frame = fresh;
    frameKey = part.key;
  }

  function clearFrame() {
    if (frameKey === null) return;
    const blank = el('iframe', {className: 'ics-frame', id: 'ics-frame', title: ''});
    frame.replaceWith(blank);
    frame = blank;
    frameKey = null;
  }

  function renderPart(position, all) {
    const part = position.part;
    const n = positions.indexOf(position);
    const where = t('part_n', {n: n, total: totalParts});
    byId('ics-where').textContent = isParcours
      ? where + ' · ' + t('in_module', {title: modules[position.module].title}) : where;
    byId('ics-part-title').textContent = part.title;
    byId('ics-part-status').textContent = t('type_' + part.type) + ' · ' + partStateText(part);
    if (frameKey !== part.key) newFrame(part);
    return all;
  }

  function step(from, delta, all) {
    let i = from + delta;
    while (i > 0 && i < positions.length - 1 && !isOpen(positions[i], all)) i += delta;
    return Math.min(positions.length - 1, Math.max(0, i));
  }

  function render() {
    const all = states();
    const position = positions[current];
    Object.keys(views).forEach((name) => {
      views[name].hidden = name !== position.kind;
    });
    if (position.kind === 'part') renderPart(position, all);
    else clearFrame();
    renderHome(all);
    if (position.kind === 'summary') renderSummary(all);
    renderNav(all);
    renderProgress(all);
    prev.hidden = current === 0;
    next.hidden = current === positions.length - 1;
    return all;
  }

  function save() {
    progress.at = positions[current].key;
    store.save(progress);
  }

  function go(index, byUser) {
    const all = states();
    if (index < 0 || index >= positions.length || !isOpen(positions[index], all)) return;
    current = index;
    const position = positions[current];
    if (position.kind === 'part' && !record(position.part)) {
      progress.parts[position.part.key] = {status: 'started', raw: 0, max: 0, scaled: 0, success: false};
    }
    save();
    render();
    report();
    if (byUser) {
      const heading = position.kind === 'part' ? byId('ics-part-title')
        : (position.kind === 'summary' ? byId('ics-summary-title') : byId('ics-home-title'));
      heading.focus();
      if (position.kind === 'part') {
        announce(t('announce_part', {title: position.part.title, n: current, total: totalParts}));
      }
    }
  }

  // ---- results from the parts

  function onResult(part, detail) {
    const before = states();
    const completed = detail.completion === 'completed';
    const result = {status: completed ? 'completed' : 'started', raw: num(detail.raw),
      max: Math.max(0, num(detail.max)), scaled: clamp01(num(detail.scaled)), success: Boolean(detail.success)};
    const old = record(part);
    if (old && old.status === 'completed') {
      if (!completed) return;  // a new attempt under way does not undo a completion
      if (old.max > 0 && result.scaled < old.scaled) return;  // the best result is kept
    }
    progress.parts[part.key] = result;
    save();
    const after = render();
    report();
    const said = [];
    if (completed && !(old && old.status === 'completed')) said.push(t('announce_completed', {title: part.title}));
    modules.forEach((module, m) => {
      if (after[m].completed && !before[m].completed) said.push(t('announce_module', {title: module.title}));
      if (missing(m, before).length && !missing(m, after).length) {
        said.push(t('announce_unlocked', {title: module.title}));
      }
    });
    if (said.length) announce(said.join(' '));
  }

  window.addEventListener('message', (event) => {
    const message = event.data;
    if (!message || message.source !== 'imaginecole' || !message.detail) return;
    if (!frame || event.source !== frame.contentWindow) return;
    const position = positions[current];
    if (position.kind !== 'part' || frameKey !== position.part.key) return;
    if (message.type === 'height') {
      const height = num(message.detail.height);
      if (height > 0) frame.style.blockSize = Math.min(Math.max(height + 16, 320), 30000) + 'px';
    } else if (message.type === 'result') {
      onResult(position.part, message.detail);
    }
  });

  // the overall result, for the SCORM shell inlined before this script
  function report() {
    if (!data.scorm) return;
    const all = states();
    const o = overall(all);
    const rule = !isParcours && modules[0] && modules[0].completion ? modules[0].completion.rule : 'all';
    const allDone = all.every((s) => s.allDone);
    const detail = {
      raw: o.raw, max: o.max,
      scaled: o.average === null ? (o.completed ? 1 : 0) : o.average,
      completion: o.completed || (rule === 'score' && allDone) ? 'completed' : 'incomplete',
      success: o.completed, answered: o.done, total: o.total,
    };
    window.dispatchEvent(new CustomEvent('imaginecole:result', {detail: detail}));
  }

  // ---- controls

  prev.addEventListener('click', () => go(step(current, -1, states()), true));
  next.addEventListener('click', () => go(step(current, 1, states()), true));
  start.addEventListener('click', () => go(firstToPlay(states()), true));

  const small = window.matchMedia('(max-width: 59.99rem)');

  function setNavOpen(open) {
    toggle.setAttribute('aria-expanded', open ? 'true' : 'false');
    nav.classList.toggle('is-open', open);
  }

  function closeNavOnSmall() {
    if (small.matches) setNavOpen(false);
  }

  toggle.hidden = false;
  toggle.addEventListener('click', () => {
    const open = toggle.getAttribute('aria-expanded') !== 'true';
    setNavOpen(open);
    if (open) {
      const first = nav.querySelector('[aria-current]') || nav.querySelector('button');
      if (first) first.focus();
    }
  });
  nav.addEventListener('keydown', (event) => {
    if (event.key === 'Escape' && small.matches && nav.classList.contains('is-open')) {
      setNavOpen(false);
      toggle.focus();
    }
  });

  byId('ics-memory').hidden = store.persistent;

  // ---- start where the learner was

  const saved = positions.findIndex((p) => p.key === progress.at);
  current = saved >= 0 && isOpen(positions[saved], states()) ? saved : 0;
  render();
  report();
}());
