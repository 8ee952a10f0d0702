'use strict';
// `npm test`: everything that needs no external server (unit + PGlite/in-process integration).
const shared = require('./jest.shared');
module.exports = {
  ...shared,
  testMatch: ['<rootDir>/{libs,services,tools}/**/*.{unit,int,e2e,lint}.spec.ts'],
  // 2-core machines: PGlite on disk and child processes need more than Jest's 5 s default.
  testTimeout: 60000,
};
