// Starts the console: the glue and the wasm Trunk built beside this file
// (no inline script, for the console's Content-Security-Policy).
import init from './loyalty-console.js';

init();
