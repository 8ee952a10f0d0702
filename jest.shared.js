'use strict';
// Shared Jest settings: swc transpiles (keeping decorator metadata) and also turns the ESM-only
// packages (NestJS 12, jose) into CommonJS for Jest's own module runtime.
const path = require('node:path');
const base = require('./tsconfig.base.json');

const moduleNameMapper = {};
for (const [alias, targets] of Object.entries(base.compilerOptions.paths)) {
  moduleNameMapper[`^${alias.replace(/[/.]/g, (c) => `\\${c}`)}$`] = path.join(__dirname, targets[0]);
}

module.exports = {
  rootDir: __dirname,
  testEnvironment: 'node',
  setupFiles: ['reflect-metadata'],
  moduleNameMapper,
  transform: {
    '^.+\\.(t|j|mj)s$': [
      '@swc/jest',
      {
        jsc: {
          parser: { syntax: 'typescript', decorators: true },
          transform: { legacyDecorator: true, decoratorMetadata: true, useDefineForClassFields: false },
          target: 'es2022',
          keepClassNames: true,
        },
        module: { type: 'commonjs' },
      },
    ],
  },
  // @platformatic/kafka and its own packages are ESM only too (the second Kafka bus adapter).
  transformIgnorePatterns: ['/node_modules/(?!(@nestjs|jose|uid|@scarf|@platformatic)/)'],
  testPathIgnorePatterns: ['/node_modules/', '/dist/', '/.local/', '/.cache/'],
};
