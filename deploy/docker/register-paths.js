'use strict';
// Preloaded in the container images (`node -r ./deploy/docker/register-paths.js dist/...`): resolves
// the monorepo's `@crm/*` path aliases (tsconfig.base.json) to the compiled files under dist/.
// Plain Node, no dependency: the runtime image carries no devDependency (no swc, no tsconfig-paths).
const fs = require('node:fs');
const path = require('node:path');
const Module = require('node:module');

const root = path.resolve(__dirname, '..', '..'); // /app (never a CRM_* variable: those are settings)
const dist = path.join(root, 'dist');
const { compilerOptions } = JSON.parse(fs.readFileSync(path.join(root, 'tsconfig.base.json'), 'utf8'));
const aliases = new Map();
for (const [alias, targets] of Object.entries(compilerOptions.paths || {})) {
  if (alias.includes('*') || !targets.length) continue;
  aliases.set(alias, path.join(dist, targets[0].replace(/\.ts$/, '.js')));
}

const resolve = Module._resolveFilename;
Module._resolveFilename = function resolveAlias(request, ...rest) {
  const target = aliases.get(request);
  return resolve.call(this, target === undefined ? request : target, ...rest);
};

// Decorator metadata (NestJS DI, class-validator, TypeORM): the services import it themselves,
// tools/relay.ts relies on tools/run-ts.js having loaded it, so load it here for every entry point.
require('reflect-metadata');
