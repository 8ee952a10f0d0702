'use strict';
// `npm run test:infra`: suites against real PostgreSQL and Kafka (and EventStoreDB when given).
const shared = require('./jest.shared');
module.exports = {
  ...shared,
  testMatch: ['<rootDir>/{libs,services,tools}/**/*.infra.spec.ts'],
  testTimeout: 120000,
  maxWorkers: 1,
};
