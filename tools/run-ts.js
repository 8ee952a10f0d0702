'use strict';
// Usage: node tools/run-ts.js path/to/script.ts [args...]
require('./ts-register');
const path = require('node:path');
const script = process.argv[2];
if (!script) {
  console.error('usage: node tools/run-ts.js <script.ts> [args...]');
  process.exit(2);
}
process.argv.splice(1, 2, path.resolve(script));
require('reflect-metadata');
// isMain=true: the script sees itself as require.main, as it would under plain `node script`.
require('node:module')._load(path.resolve(script), null, true);
