#!/usr/bin/env node
import v8 from 'node:v8';

// A one-off `flow run` lives a second or two: compiling PGlite's 27 MB of WASM with the optimising
// tier costs more CPU than it ever pays back, so short-lived commands use the baseline compiler only.
// Servers keep the default (optimised code for the long run).
if (process.argv[2] === 'flow') v8.setFlagsFromString('--liftoff-only');

await import('../dist/cli/main.js');
