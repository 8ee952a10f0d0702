'use strict';
/**
 * Builds the web console (apps/console, Vite) into dist/console when its sources changed since the
 * last build, so `npm start` after `npm ci` serves an up-to-date console without a separate step.
 * The fingerprint covers the app's files and the lockfile; `--force` builds anyway.
 *
 *   node tools/console-build.js [--force]
 */
const crypto = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');
const { spawnSync } = require('node:child_process');

const root = path.resolve(__dirname, '..');
const app = path.join(root, 'apps', 'console');
const out = path.join(root, 'dist', 'console');
const stamp = path.join(out, '.source-fingerprint');

function files(dir) {
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .filter((e) => !['e2e', 'server', 'node_modules'].includes(e.name))
    .flatMap((e) => (e.isDirectory() ? files(path.join(dir, e.name)) : [path.join(dir, e.name)]))
    .sort();
}

function fingerprint() {
  const hash = crypto.createHash('sha256');
  for (const file of [...files(app), path.join(root, 'package-lock.json')]) {
    hash.update(path.relative(root, file));
    hash.update(fs.readFileSync(file));
  }
  return hash.digest('hex');
}

function buildConsole({ force = false, log = console.log } = {}) {
  const wanted = fingerprint();
  if (!force && fs.existsSync(path.join(out, 'index.html')) && fs.existsSync(stamp) && fs.readFileSync(stamp, 'utf8') === wanted) return false;
  log('console: building the web app (vite build apps/console → dist/console)…');
  const vite = path.join(path.dirname(require.resolve('vite/package.json', { paths: [root] })), 'bin', 'vite.js');
  const result = spawnSync(process.execPath, [vite, 'build', app, '--logLevel', 'warn'], { cwd: root, stdio: 'inherit' });
  if (result.status !== 0) throw new Error(`vite build failed (exit ${result.status})`);
  fs.writeFileSync(stamp, wanted);
  return true;
}

module.exports = { buildConsole };

if (require.main === module) {
  try {
    buildConsole({ force: process.argv.includes('--force') });
  } catch (e) {
    console.error(e.message);
    process.exit(1);
  }
}
