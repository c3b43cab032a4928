/*
 * anywidget's front end as its npm package ships it, made from the app front end's own
 * @jupyter-widgets/base (its AMD factory, caught by amd-catch.js).
 */
import { caught } from './amd-catch.js';
import 'anywidget';

globalThis.define = caught.previous;

export default function anywidgetFactory(base) {
  if (!caught.factory) throw new Error('imaginecole: anywidget did not define its module');
  return caught.factory(base);
}
