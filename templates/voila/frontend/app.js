/*
 * Imaginecole: the front end of a published app's page (the apps service).
 *
 * Voilà's own front end is a JupyterLab application: about a hundred scripts, and a second
 * of a phone's main thread before the first slider can be moved. An app page needs much
 * less: its cells are already drawn by the server (nbconvert), so this script only
 *
 *   1. connects to the page's preheated kernel (@jupyterlab/services, as Voilà does),
 *   2. asks it for the state of every widget (one `request_states` message),
 *   3. draws each widget where the server left its placeholder (ipywidgets' own views),
 *   4. keeps the widgets and the kernel in step, and captures the outputs of Output
 *      widgets (`interact`, `with out:`), as JupyterLab's widget manager does.
 *
 * Apps whose widgets come from other libraries than ipywidgets and anywidget keep Voilà's
 * front end: the apps service chooses (imaginecole.apps.sync.frontend_of). Built by `./studio install` with esbuild
 * into templates/voila/templates/imaginecole-app/static/ (app.js, app.css, fonts).
 */
import { KernelConnection } from '@jupyterlab/services/lib/kernel/default';
import { ServerConnection } from '@jupyterlab/services/lib/serverconnection';
import { ManagerBase } from '@jupyter-widgets/base-manager';
import * as base from '@jupyter-widgets/base';
import * as controls from '@jupyter-widgets/controls';
import * as outputBase from '@jupyter-widgets/output';
import { Widget } from '@lumino/widgets';
import anywidgetFactory from './anywidget.js';
import '@jupyter-widgets/controls/css/widgets-base.css';
import '@fortawesome/fontawesome-free/css/all.min.css';
import '@fortawesome/fontawesome-free/css/v4-shims.min.css';

const WIDGET_VIEW = 'application/vnd.jupyter.widget-view+json';
const ANSI = /\x1b\[[0-9;]*[A-Za-z]/g;

/* -- outputs (of Output widgets) ------------------------------------------------------ */

function textBlock(text, className) {
  const pre = document.createElement('pre');
  pre.className = className;
  pre.textContent = String(text).replace(ANSI, '');
  return pre;
}

function joined(value) {
  return Array.isArray(value) ? value.join('') : String(value ?? '');
}

/** One output (nbformat) as DOM, in JupyterLab's order of preference. */
function renderOutput(output, manager) {
  const box = document.createElement('div');
  box.className = 'jp-OutputArea-output';
  if (output.output_type === 'stream') {
    box.appendChild(textBlock(joined(output.text), `ic-stream ic-stream-${output.name}`));
    return box;
  }
  if (output.output_type === 'error') {
    const lines = (output.traceback || []).join('\n') || `${output.ename}: ${output.evalue}`;
    box.appendChild(textBlock(lines, 'ic-stream ic-stream-stderr'));
    return box;
  }
  const data = output.data || {};
  const alt = joined(data['text/plain']);
  if (data[WIDGET_VIEW]) {
    manager
      .get_model(data[WIDGET_VIEW].model_id)
      .then((model) => manager.create_view(model))
      .then((view) => manager.display_view(view, box))
      .catch((error) => console.error('imaginecole: a widget could not be drawn', error));
  } else if (data['text/html'] !== undefined) {
    box.classList.add('jp-RenderedHTMLCommon');
    box.innerHTML = joined(data['text/html']); // the app's own output: trusted as in Voilà
  } else if (data['image/svg+xml'] !== undefined) {
    box.appendChild(image(`data:image/svg+xml;charset=utf-8,${encodeURIComponent(joined(data['image/svg+xml']))}`, alt));
  } else if (data['image/png'] !== undefined || data['image/jpeg'] !== undefined) {
    const type = data['image/png'] !== undefined ? 'image/png' : 'image/jpeg';
    box.appendChild(image(`data:${type};base64,${joined(data[type]).replace(/\n/g, '')}`, alt));
  } else {
    const text = data['text/markdown'] ?? data['text/latex'] ?? data['text/plain'];
    if (text === undefined) return null;
    box.appendChild(textBlock(joined(text), 'ic-text'));
  }
  return box;
}

function image(src, alt) {
  const img = document.createElement('img');
  img.src = src;
  img.alt = alt;
  return img;
}

const OUTPUT_TYPES = ['stream', 'display_data', 'execute_result', 'error'];

class OutputModel extends outputBase.OutputModel {
  defaults() {
    return { ...super.defaults(), msg_id: '', outputs: [] };
  }

  initialize(attributes, options) {
    super.initialize(attributes, options);
    this._clearNext = false;
    this._hook = (msg) => {
      this.add(msg);
      return false; // the message is the Output widget's: no one else shows it
    };
    this.on('change:msg_id', this.watch, this);
    this.watch();
  }

  /** Capture what the kernel prints while `msg_id` is set (the kernel sets it: `with out:`). */
  watch() {
    const kernel = this.widget_manager.kernel;
    const before = this.previous('msg_id');
    const now = this.get('msg_id');
    if (before) kernel.removeMessageHook(before, this._hook);
    if (now) kernel.registerMessageHook(now, this._hook);
  }

  add(msg) {
    const type = msg.header.msg_type;
    let outputs = this._clearNext ? [] : this.get('outputs').slice();
    if (type === 'clear_output') {
      this._clearNext = Boolean(msg.content.wait);
      if (!msg.content.wait) outputs = [];
    } else if (OUTPUT_TYPES.includes(type)) {
      this._clearNext = false;
      const output = { ...msg.content, output_type: type };
      delete output.transient;
      const last = outputs[outputs.length - 1];
      if (type === 'stream' && last && last.output_type === 'stream' && last.name === output.name) {
        outputs[outputs.length - 1] = { ...last, text: joined(last.text) + joined(output.text) };
      } else {
        outputs.push(output);
      }
    } else {
      return;
    }
    this.set('outputs', outputs);
    this.save_changes();
  }
}

class OutputView extends outputBase.OutputView {
  render() {
    super.render();
    this.el.classList.add('jupyter-widgets', 'widget-output');
    this.listenTo(this.model, 'change:outputs', this.draw);
    this.draw();
  }

  draw() {
    const nodes = this.model
      .get('outputs')
      .map((output) => renderOutput(output, this.model.widget_manager))
      .filter(Boolean);
    this.el.replaceChildren(...nodes);
  }
}

/**
 * ipywidgets' sliders draw their handles (role="slider") without a name: a screen reader
 * only says "slider". Each handle is named after the widget's description, kept in step.
 */
function named(SliderView) {
  return class extends SliderView {
    update(options) {
      super.update(options);
      const name = this.model.get('description') || this.model.get('tooltip') || '';
      for (const handle of this.el.querySelectorAll('[role="slider"]')) {
        if (name) handle.setAttribute('aria-label', name);
        else handle.removeAttribute('aria-label');
      }
    }
  };
}

const namedControls = { ...controls };
for (const [name, View] of Object.entries(controls)) {
  if (/SliderView$/.test(name)) namedControls[name] = named(View);
}

const MODULES = {
  '@jupyter-widgets/base': base,
  '@jupyter-widgets/controls': namedControls,
  '@jupyter-widgets/output': { ...outputBase, OutputModel, OutputView },
  // anywidget (the project's own widgets, and many a hackathon's): its models load the
  // widget's ES module from the kernel's state, nothing from the network
  anywidget: anywidgetFactory(base),
};

/* -- the widget manager --------------------------------------------------------------- */

class AppWidgetManager extends ManagerBase {
  constructor(kernel) {
    super();
    this.kernel = kernel;
    kernel.registerCommTarget(this.comm_target_name, async (comm, msg) => {
      await this.handle_comm_open(new base.shims.services.Comm(comm), msg);
    });
  }

  async loadClass(className, moduleName, moduleVersion) {
    const found = MODULES[moduleName] && MODULES[moduleName][className];
    if (!found) throw new Error(`imaginecole: no ${className} in ${moduleName}@${moduleVersion}`);
    return found;
  }

  async _create_comm(targetName, modelId, data, metadata, buffers) {
    const comm = this.kernel.createComm(targetName, modelId);
    if (data || metadata) comm.open(data, metadata, buffers);
    return new base.shims.services.Comm(comm);
  }

  async _get_comm_info() {
    const reply = await this.kernel.requestCommInfo({ target_name: this.comm_target_name });
    return reply.content.status === 'ok' ? reply.content.comms : {};
  }

  async display_view(view, el) {
    const shown = await view;
    // a widget shown in an Output widget may be ready before that Output is on the page
    for (let frame = 0; !el.isConnected; frame += 1) {
      if (frame > 600) return; // its output was cleared meanwhile
      await new Promise((resolve) => requestAnimationFrame(resolve));
    }
    Widget.attach(shown.luminoWidget, el);
  }

  /** Load every widget the kernel has (the preheated run made them). */
  async load() {
    await this._loadFromKernel();
  }
}

/* -- the page ------------------------------------------------------------------------- */

async function start() {
  const config = JSON.parse(document.getElementById('jupyter-config-data').textContent);
  const serverSettings = ServerConnection.makeSettings({ baseUrl: config.baseUrl });
  const kernel = new KernelConnection({
    model: { id: config.kernelId, name: 'python3' },
    serverSettings,
    handleComms: true,
  });
  window.icAppKernel = kernel;
  const manager = new AppWidgetManager(kernel);
  await manager.load();
  const places = document.querySelectorAll(`script[type="${WIDGET_VIEW}"]`);
  await Promise.all(
    Array.from(places, async (script) => {
      const { model_id: modelId } = JSON.parse(script.textContent);
      const model = await manager.get_model(modelId);
      const view = await manager.create_view(model);
      const place = document.createElement('div');
      script.replaceWith(place);
      await manager.display_view(view, place);
    }),
  );
  document.body.dataset.icWidgets = 'ready';
}

start().catch((error) => {
  console.error('imaginecole: the app could not connect to its kernel', error);
  if (window.icAppStopped) window.icAppStopped();
});
