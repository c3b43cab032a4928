/*
 * Evaluated just before anywidget's npm module, which is AMD only
 * (`define(["@jupyter-widgets/base"], factory)`): the factory is kept in `caught`.
 * No `define.amd`, so no UMD module takes this `define` for a loader.
 */
export const caught = { factory: null, previous: globalThis.define };
globalThis.define = (deps, factory) => {
  caught.factory = factory;
};
