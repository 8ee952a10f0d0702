import nx from '@nx/eslint-plugin';
import tseslint from 'typescript-eslint';

// Module boundaries, by role (the folders under libs/ say the same):
//   kernel ← domain                     vocabulary and clock; pure deciders
//   kernel ← ports ← adapters           what the CRM needs from infrastructure; the implementations
//   domain, ports, kit ← app            commands, projections, relay: the CRM's use of its ports
//   platform                            the composition root: the only lib that may reach adapters
//   app, kit, platform ← services       a service never imports another service, nor an adapter
// Domain and ports import no framework or infrastructure.
const infrastructure = [
  '@nestjs/*',
  'typeorm',
  'pg',
  '@electric-sql/*',
  'kafkajs',
  '@platformatic/*',
  '@eventstore/*',
  'express',
  'jose',
  // observability and HTTP hardening (issue 15): the kit, the platform and the app layer use them
  '@opentelemetry/*',
  'pino',
  'pino-http',
  'nestjs-pino',
  'prom-client',
  'helmet',
];

const layers = [
  {
    sourceTag: 'type:kernel',
    onlyDependOnLibsWithTags: ['type:kernel'],
    bannedExternalImports: [...infrastructure, 'class-validator', 'class-transformer', '@nestjs/cqrs'],
  },
  {
    sourceTag: 'type:domain',
    onlyDependOnLibsWithTags: ['type:kernel', 'type:domain'],
    bannedExternalImports: [...infrastructure, 'class-validator', 'class-transformer', '@nestjs/cqrs'],
  },
  { sourceTag: 'type:port', onlyDependOnLibsWithTags: ['type:kernel', 'type:port'], bannedExternalImports: infrastructure },
  { sourceTag: 'type:adapter', onlyDependOnLibsWithTags: ['type:kernel', 'type:port', 'type:adapter'] },
  { sourceTag: 'type:kit', onlyDependOnLibsWithTags: ['type:kernel', 'type:port', 'type:kit', 'type:platform'] },
  { sourceTag: 'type:app', onlyDependOnLibsWithTags: ['type:kernel', 'type:domain', 'type:port', 'type:kit', 'type:app', 'type:platform'] },
  { sourceTag: 'type:platform', onlyDependOnLibsWithTags: ['type:kernel', 'type:port', 'type:adapter', 'type:kit', 'type:app', 'type:platform'] },
  { sourceTag: 'type:service', onlyDependOnLibsWithTags: ['type:kernel', 'type:domain', 'type:port', 'type:kit', 'type:app', 'type:platform'] },
  {
    sourceTag: 'type:tool',
    onlyDependOnLibsWithTags: ['type:kernel', 'type:domain', 'type:port', 'type:adapter', 'type:kit', 'type:app', 'type:platform', 'type:client'],
  },
  // Typed HTTP clients of a service's API (libs/clients/*, generated from its OpenAPI document): for
  // partners' software, tests and tools. No service or lib imports one (a service never calls another
  // service's API through a client; its own code is the truth the client is generated from).
  { sourceTag: 'type:client', onlyDependOnLibsWithTags: ['type:client'], bannedExternalImports: infrastructure },
  // The web console (apps/console): the browser app imports no lib (it calls the services' APIs,
  // typed by its generated clients); its small server uses the kit for the local sign-in.
  { sourceTag: 'type:web', onlyDependOnLibsWithTags: ['type:kernel', 'type:kit'] },
];
const scopes = [
  { sourceTag: 'scope:shared', onlyDependOnLibsWithTags: ['scope:shared'] },
  { sourceTag: 'scope:sales', onlyDependOnLibsWithTags: ['scope:shared', 'scope:sales'] },
  { sourceTag: 'scope:service', onlyDependOnLibsWithTags: ['scope:shared', 'scope:service'] },
  { sourceTag: 'scope:marketing', onlyDependOnLibsWithTags: ['scope:shared', 'scope:marketing'] },
  { sourceTag: 'scope:partner-portal', onlyDependOnLibsWithTags: ['scope:shared', 'scope:partner-portal'] },
  { sourceTag: 'scope:analytics', onlyDependOnLibsWithTags: ['scope:shared', 'scope:analytics'] },
  { sourceTag: 'scope:tools', onlyDependOnLibsWithTags: ['scope:shared', 'scope:tools'] },
  { sourceTag: 'scope:console', onlyDependOnLibsWithTags: ['scope:shared', 'scope:console'] },
];
const boundaries = (depConstraints) => ['error', { enforceBuildableLibDependency: false, allow: [], banTransitiveDependencies: false, depConstraints }];
// Tests and test kits may start real adapters (a port's conformance suite runs against each one).
const testFiles = ['**/*.spec.ts', '**/testing/**/*.ts'];
const layersForTests = layers.map((c) => ({
  ...c,
  onlyDependOnLibsWithTags: [
    ...new Set([
      ...c.onlyDependOnLibsWithTags,
      'type:kernel',
      'type:port',
      'type:adapter',
      'type:platform',
      // Any spec may call a service through its typed client; a client's specs start the service (through the kit, on the platform).
      'type:client',
      ...(c.sourceTag === 'type:client' ? ['type:kit', 'type:app'] : []),
    ]),
  ],
  // A client's specs host the service in-process (Nest and all).
  ...(c.sourceTag === 'type:client' ? { bannedExternalImports: [] } : {}),
}));

export default [
  {
    ignores: [
      '**/node_modules/**',
      '**/dist/**',
      'apps/console/src/api/generated/**',
      'data/**',
      '.local/**',
      '.cache/**',
      '.nx/**',
      'coverage/**',
      '**/*.js',
      '**/*.mjs',
    ],
  },
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts', '**/*.tsx'],
    plugins: { '@nx': nx },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unsafe-function-type': 'off',
      '@nx/enforce-module-boundaries': boundaries([...layers, ...scopes]),
    },
  },
  {
    files: testFiles,
    rules: { '@nx/enforce-module-boundaries': boundaries([...layersForTests, ...scopes]) },
  },
  {
    files: ['**/*.spec.ts', '**/testing/**/*.ts', 'tools/**/*.ts'],
    rules: { '@typescript-eslint/no-non-null-assertion': 'off' },
  },
];
