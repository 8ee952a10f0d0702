'use strict';
// npm start: the embedded CRM in one process (see tools/embedded-host.ts).
require('./ts-register');
require('reflect-metadata');
require('node:module')._load(require('node:path').join(__dirname, 'embedded-host.ts'), null, true);
