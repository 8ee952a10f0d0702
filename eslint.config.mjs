import nx from '@nx/eslint-plugin';
import tseslint from 'typescript-eslint';

// Module boundaries: a service never imports another service; domain libs import no framework or
// infrastructure; adapters are reached only through the platform wiring, never from domain code.
const infrastructure = ['@nestjs/*', 'typeorm', '@nestjs/typeorm', 'pg', '@electric-sql/*', 'kafkajs', '@eventstore/*', 'express', 'jose'];

export default [
  { ignores: ['**/node_modules/**', '**/dist/**', 'data/**', '.local/**', '.cache/**', '.nx/**', 'coverage/**', '**/*.js', '**/*.mjs'] },
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    plugins: { '@nx': nx },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unsafe-function-type': 'off',
      '@nx/enforce-module-boundaries': [
        'error',
        {
          enforceBuildableLibDependency: false,
          allow: [],
          banTransitiveDependencies: false,
          depConstraints: [
            { sourceTag: 'type:domain', onlyDependOnLibsWithTags: ['type:domain'], bannedExternalImports: [...infrastructure, 'class-validator', 'class-transformer', '@nestjs/cqrs'] },
            { sourceTag: 'type:util', onlyDependOnLibsWithTags: ['type:util', 'type:domain'], bannedExternalImports: infrastructure },
            { sourceTag: 'type:port', onlyDependOnLibsWithTags: ['type:port', 'type:util', 'type:domain'], bannedExternalImports: infrastructure },
            { sourceTag: 'type:adapter', onlyDependOnLibsWithTags: ['type:adapter', 'type:port', 'type:util', 'type:domain'] },
            { sourceTag: 'type:platform', onlyDependOnLibsWithTags: ['type:platform', 'type:adapter', 'type:port', 'type:util', 'type:domain'] },
            { sourceTag: 'type:service', onlyDependOnLibsWithTags: ['type:platform', 'type:port', 'type:util', 'type:domain', 'type:adapter'] },
            { sourceTag: 'type:tool', onlyDependOnLibsWithTags: ['type:platform', 'type:adapter', 'type:port', 'type:util', 'type:domain'] },
            { sourceTag: 'scope:shared', onlyDependOnLibsWithTags: ['scope:shared'] },
            { sourceTag: 'scope:sales', onlyDependOnLibsWithTags: ['scope:shared', 'scope:sales'] },
            { sourceTag: 'scope:service', onlyDependOnLibsWithTags: ['scope:shared', 'scope:service'] },
            { sourceTag: 'scope:marketing', onlyDependOnLibsWithTags: ['scope:shared', 'scope:marketing'] },
            { sourceTag: 'scope:partner-portal', onlyDependOnLibsWithTags: ['scope:shared', 'scope:partner-portal'] },
            { sourceTag: 'scope:analytics', onlyDependOnLibsWithTags: ['scope:shared', 'scope:analytics'] },
            { sourceTag: 'scope:tools', onlyDependOnLibsWithTags: ['scope:shared', 'scope:tools'] },
          ],
        },
      ],
    },
  },
  {
    files: ['**/*.spec.ts', '**/testing/**/*.ts', 'tools/**/*.ts'],
    rules: { '@typescript-eslint/no-non-null-assertion': 'off' },
  },
];
