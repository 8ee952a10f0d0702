#!/usr/bin/env node
'use strict';
/**
 * The package registry these machines reach does not carry every platform binary package
 * (e.g. @swc/core-darwin-arm64). `npm install` then leaves them out of package-lock.json, and
 * `npm ci` refuses the lock as out of sync. This adds the missing optional platform packages as
 * lock entries with their os/cpu, so `npm ci` skips them on a non-matching platform without
 * fetching them. Run after any `npm install` that rewrites the lock: `node tools/complete-lockfile.js`.
 */
const fs = require('node:fs');
const path = require('node:path');

const lockPath = path.resolve(__dirname, '..', 'package-lock.json');
const lock = JSON.parse(fs.readFileSync(lockPath, 'utf8'));
const OS = ['darwin', 'linux', 'win32', 'android', 'freebsd', 'openharmony', 'sunos', 'aix'];
const CPU = ['arm64', 'x64', 'ia32', 'arm', 'ppc64', 's390x', 'riscv64', 'loong64', 'wasm32'];

let added = 0;
for (const [key, pkg] of Object.entries(lock.packages)) {
  for (const [name, version] of Object.entries(pkg.optionalDependencies ?? {})) {
    const nested = key ? `${key}/node_modules/${name}` : `node_modules/${name}`;
    const hoisted = `node_modules/${name}`;
    if (lock.packages[nested]) continue;
    // A hoisted copy only serves this parent when it is the same version; otherwise nest it.
    if (lock.packages[hoisted] && lock.packages[hoisted].version === version) continue;
    const target = lock.packages[hoisted] ? nested : hoisted;
    const parts = name.split('/').pop().split('-');
    const os = parts.find((p) => OS.includes(p));
    const cpu = parts.find((p) => CPU.includes(p));
    if (!os || !cpu) continue; // not a platform binary: leave it to npm
    const entry = { version, cpu: [cpu], os: [os], optional: true };
    if (parts.includes('musl') || parts.includes('musleabihf')) entry.libc = ['musl'];
    else if (os === 'linux' && parts.some((p) => p.startsWith('gnu'))) entry.libc = ['glibc'];
    lock.packages[target] = entry;
    added++;
  }
}
lock.packages = Object.fromEntries(Object.entries(lock.packages).sort(([a], [b]) => (a === '' ? -1 : b === '' ? 1 : a.localeCompare(b))));
fs.writeFileSync(lockPath, `${JSON.stringify(lock, null, 2)}\n`);
console.log(`complete-lockfile: added ${added} optional platform package entries`);
