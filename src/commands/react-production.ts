/**
 * React and its reconciler choose their development or production build when first loaded,
 * from NODE_ENV. The development build checks and records much more on every render (twice the
 * time per frame in bench/tui.ts, and the garbage that goes with it), so the interactive view
 * loads the production build unless NODE_ENV asks for another. Imported before ink and react.
 */
process.env['NODE_ENV'] ??= 'production';

export {};
