'use strict';
// `npm run test:browser`: the web console in Debian's Chromium (playwright-core) against `npm start`
// with demo data, started once by the global setup (apps/console/e2e/support). One browser at a time:
// each spec launches its own, and two cores run the CRM besides.
const shared = require('./jest.shared');
module.exports = {
  ...shared,
  testMatch: ['<rootDir>/apps/console/e2e/**/*.browser.spec.ts'],
  globalSetup: '<rootDir>/apps/console/e2e/support/global-setup.ts',
  globalTeardown: '<rootDir>/apps/console/e2e/support/global-teardown.ts',
  maxWorkers: 1,
  testTimeout: 120000,
};
