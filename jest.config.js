'use strict';
// `npm test`: everything that needs no external server (unit + PGlite/in-process integration).
const shared = require('./jest.shared');
module.exports = {
  ...shared,
  testMatch: ['<rootDir>/{apps,libs,services,tools}/**/*.{unit,int,e2e,lint}.spec.ts'],
  // 2-core machines: PGlite on disk and child processes need more than Jest's 5 s default.
  testTimeout: 60000,
  // With one worker (two cores: Jest's default) Jest runs every suite in band, in its own process, and
  // each suite's NestJS modules, swc output and PGlite handles stay reachable there: 270 suites
  // outgrew the 4 GB heap (CI, stop 28). A worker whose heap passes this after a suite is replaced.
  workerIdleMemoryLimit: '1GB',
};
