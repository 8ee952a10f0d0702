'use strict';
// `npm test`: everything that needs no external server (unit + PGlite/in-process integration).
const shared = require('./jest.shared');
module.exports = {
  ...shared,
  testMatch: ['<rootDir>/{libs,services,tools}/**/*.{unit,int,e2e,lint}.spec.ts'],
};
