/*
 * Imaginecole SCORM shell: reports the player's results to the LMS, SCORM 1.2 or 2004.
 * Inlined in the SCO's index.html by exports/scorm.py, after the player has mounted, then
 *   ImaginecoleScorm.start({version: "1.2" | "2004", passMark: 0.5, scored: true, suspend: false});
 *
 * - Finds the LMS's API object (API for 1.2, API_1484_11 for 2004) in this window, its parents
 *   (at most 500 hops) and then the opener's; a window of another origin is skipped, not fatal.
 * - Initializes, keeps the start time, and on every "imaginecole:result" sets the score, the
 *   status and the session time, then commits. Terminates once, on pagehide or unload.
 * - SCORM 1.2 reports the score in percent (min 0, max 100): the LMS compares it with the
 *   manifest's masteryscore, which is the pass mark in percent too. SCORM 2004 reports the
 *   grain's own points (raw, max) and scaled; the manifest's minNormalizedMeasure is the pass mark.
 * - With `suspend` (the sequence player as one SCO): the suspend data the LMS kept from the last
 *   session is read at start (ImaginecoleScorm.session.resumeData()), each "imaginecole:suspend"
 *   event ({data, location}) is saved as cmi.suspend_data and the location, and an unfinished
 *   session exits with "suspend", so that the LMS resumes it next time.
 * - Without an LMS (a page opened from disk), the grain still plays: one console.info, no error.
 * No network: the shell only calls the API object the LMS put in a window above it.
 */
(function (global) {
  'use strict';

  const MAX_HOPS = 500;

  function lookIn(win, name) {
    let hops = 0;
    while (win && hops <= MAX_HOPS) {
      try {
        const api = win[name];
        if (api && typeof api === 'object') return api;
      } catch (error) {
        // another origin: its properties are out of reach, its parent is not
      }
      let parent = null;
      try { parent = win.parent; } catch (error) { return null; }
      if (!parent || parent === win) return null;
      win = parent;
      hops += 1;
    }
    return null;
  }

  function findApi(name) {
    const found = lookIn(global, name);
    if (found) return found;
    const openers = [];
    try { if (global.opener) openers.push(global.opener); } catch (error) { /* closed */ }
    try { if (global.top && global.top.opener) openers.push(global.top.opener); } catch (error) { /* */ }
    for (const opener of openers) {
      const api = lookIn(opener, name);
      if (api) return api;
    }
    return null;
  }

  function pad(number, width) {
    let text = String(number);
    while (text.length < width) text = '0' + text;
    return text;
  }

  // SCORM 1.2 CMITimespan: HHHH:MM:SS.SS
  function timespan12(ms) {
    let cs = Math.max(0, Math.round(ms / 10));
    const hours = Math.min(9999, Math.floor(cs / 360000));
    cs -= hours * 360000;
    const minutes = Math.floor(cs / 6000);
    cs -= minutes * 6000;
    const seconds = Math.floor(cs / 100);
    cs -= seconds * 100;
    return pad(hours, 4) + ':' + pad(minutes, 2) + ':' + pad(seconds, 2) + '.' + pad(cs, 2);
  }

  // SCORM 2004 timeinterval: ISO 8601 duration, PTnHnMn.nnS
  function duration2004(ms) {
    let cs = Math.max(0, Math.round(ms / 10));
    const hours = Math.floor(cs / 360000);
    cs -= hours * 360000;
    const minutes = Math.floor(cs / 6000);
    cs -= minutes * 6000;
    const seconds = Math.floor(cs / 100);
    cs -= seconds * 100;
    return 'PT' + hours + 'H' + minutes + 'M' + seconds + (cs ? '.' + pad(cs, 2) : '') + 'S';
  }

  function decimal(value) {
    return String(Math.round(value * 10000) / 10000);
  }

  const DIALECTS = {
    '1.2': {
      apiName: 'API',
      initialize: 'LMSInitialize', getValue: 'LMSGetValue', setValue: 'LMSSetValue',
      commit: 'LMSCommit', terminate: 'LMSFinish', lastError: 'LMSGetLastError',
      alreadyStarted: '101',
      // CMIString4096 and CMIString255
      suspend: {data: 'cmi.suspend_data', max: 4096, location: 'cmi.core.lesson_location',
        locationMax: 255, exit: 'cmi.core.exit'},
      sessionTime: (ms) => ['cmi.core.session_time', timespan12(ms)],
      values(result, config) {
        const done = result.completion === 'completed';
        const pairs = [];
        const percent = result.max > 0 ? Math.round(result.scaled * 10000) / 100 : null;
        if (percent !== null) {
          pairs.push(['cmi.core.score.min', '0'], ['cmi.core.score.max', '100'],
            ['cmi.core.score.raw', String(percent)]);
        }
        let status = 'incomplete';
        if (done && !config.scored) status = 'completed';
        else if (done) status = result.scaled >= config.passMark ? 'passed' : 'failed';
        pairs.push(['cmi.core.lesson_status', status]);
        return pairs;
      },
    },
    '2004': {
      apiName: 'API_1484_11',
      initialize: 'Initialize', getValue: 'GetValue', setValue: 'SetValue', commit: 'Commit',
      terminate: 'Terminate', lastError: 'GetLastError', alreadyStarted: '103',
      suspend: {data: 'cmi.suspend_data', max: 64000, location: 'cmi.location',
        locationMax: 1000, exit: 'cmi.exit'},
      sessionTime: (ms) => ['cmi.session_time', duration2004(ms)],
      values(result, config) {
        const done = result.completion === 'completed';
        const pairs = [];
        if (result.max > 0) {
          pairs.push(['cmi.score.min', '0'], ['cmi.score.max', decimal(result.max)],
            ['cmi.score.raw', decimal(result.raw)], ['cmi.score.scaled', decimal(result.scaled)]);
        }
        if (result.total > 0) {
          pairs.push(['cmi.progress_measure', decimal(result.answered / result.total)]);
        }
        pairs.push(['cmi.completion_status', done ? 'completed' : 'incomplete']);
        let success = 'unknown';
        if (done && !config.scored) success = 'passed';
        else if (done) success = result.scaled >= config.passMark ? 'passed' : 'failed';
        pairs.push(['cmi.success_status', success]);
        return pairs;
      },
    },
  };

  function start(options) {
    const config = {
      version: options && options.version === '2004' ? '2004' : '1.2',
      passMark: options && typeof options.passMark === 'number' ? options.passMark : 0.5,
      scored: !(options && options.scored === false),
      suspend: Boolean(options && options.suspend),
    };
    const dialect = DIALECTS[config.version];
    const api = findApi(dialect.apiName);
    const state = {api: null, startedAt: Date.now(), finished: false, completed: false,
      resumed: ''};

    function call(method, ...args) {
      if (!state.api || typeof state.api[method] !== 'function') return 'false';
      try {
        return String(state.api[method](...args));
      } catch (error) {
        return 'false';  // an LMS failing must never stop the grain
      }
    }

    if (api && typeof api[dialect.initialize] === 'function') {
      state.api = api;
      // a SCO reloaded in the same launch finds the session open: it goes on reporting
      if (call(dialect.initialize, '') !== 'true'
          && call(dialect.lastError) !== dialect.alreadyStarted) state.api = null;
    }
    if (!state.api) {
      console.info('Imaginecole : aucune plateforme SCORM trouvée, le grain se joue sans suivi. '
        + '/ No SCORM LMS found: the grain plays without tracking.');
    }

    function setAll(pairs) {
      for (const [name, value] of pairs) call(dialect.setValue, name, value);
    }

    const keys = dialect.suspend;
    if (state.api && config.suspend) {
      const kept = call(dialect.getValue, keys.data);
      state.resumed = call(dialect.lastError) === '0' ? kept : '';
    }

    function onSuspend(event) {
      if (!state.api || !config.suspend || state.finished || !event || !event.detail) return;
      const text = String(event.detail.data || '');
      const location = String(event.detail.location || '');
      if (text.length > keys.max) {
        console.warn('Imaginecole : progression trop longue pour la plateforme (' + text.length
          + ' > ' + keys.max + ' caractères). / Progress too long for the LMS.');
        return;
      }
      setAll([[keys.data, text]]);
      if (location.length <= keys.locationMax) setAll([[keys.location, location]]);
      call(dialect.commit, '');
    }

    function onResult(event) {
      if (!state.api || state.finished || !event || !event.detail) return;
      state.completed = event.detail.completion === 'completed';
      setAll(dialect.values(event.detail, config));
      setAll([dialect.sessionTime(Date.now() - state.startedAt)]);
      call(dialect.commit, '');
    }

    function finish() {
      if (!state.api || state.finished) return;
      state.finished = true;
      if (config.suspend) setAll([[keys.exit, state.completed ? '' : 'suspend']]);
      setAll([dialect.sessionTime(Date.now() - state.startedAt)]);
      call(dialect.commit, '');
      call(dialect.terminate, '');
    }

    global.addEventListener('imaginecole:result', onResult);
    global.addEventListener('imaginecole:suspend', onSuspend);
    global.addEventListener('pagehide', finish);
    global.addEventListener('unload', finish);
    const session = {connected: Boolean(state.api), finish: finish,
      resumeData: () => state.resumed};
    global.ImaginecoleScorm.session = session;
    return session;
  }

  global.ImaginecoleScorm = {start, findApi, timespan12, duration2004, session: null};
}(window));
