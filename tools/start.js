'use strict';
// npm start: the embedded CRM in one process (see tools/embedded-host.ts).
// The web console first: built into dist/console when its sources changed (a few seconds).
require('./console-build').buildConsole();
require('./ts-register');
// Tracing (off unless configured) must start before http, express and pg load: docs/operations.md, Logs and traces.
require('@crm/telemetry/start').startTelemetry({ serviceName: 'crm-embedded' });
require('reflect-metadata');
require('node:module')._load(require('node:path').join(__dirname, 'embedded-host.ts'), null, true);
