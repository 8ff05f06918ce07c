import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';
import confer from './eslint/no-import-cycle.js';

export default tseslint.config(
  { ignores: ['node_modules/**', 'data/**', 'web/dist/**', 'test-results/**', 'bench/results/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  { files: ['**/*.mjs', '**/*.js'], languageOptions: { globals: globals.node } },
  {
    // No file reaches itself through its imports (media/room.ts ↔ media/cascade/ was one).
    files: ['**/*.ts'],
    ignores: ['**/*.test.ts'],
    plugins: { confer },
    rules: { 'confer/no-import-cycle': 'error' },
  },
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
    },
  },
  {
    // The domain is pure: no I/O, no adapters (architecture.md, "Ports and adapters").
    files: ['domain/**/*.ts'],
    ignores: ['domain/**/*.test.ts'],
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['node:*', 'fs', 'path', 'http', 'net'], message: 'domain/ is pure: no I/O.' },
            {
              group: ['**/infra/**', '**/gateways/**', '**/media/**', '**/pipelines/**', '**/projections/**'],
              message: 'domain/ depends on nothing outside it.',
            },
          ],
        },
      ],
    },
  },
  {
    // Only the composition root (app/) and tests may import adapters.
    files: ['gateways/**/*.ts', 'projections/**/*.ts', 'media/**/*.ts', 'pipelines/**/*.ts'],
    ignores: ['**/*.test.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: [{ group: ['**/infra/**'], message: 'Depend on ports (domain/ports), not adapters.' }] },
      ],
    },
  },
  {
    // The composition root loads the engines that run elsewhere (PostgreSQL, EventStoreDB, Kafka,
    // S3) with import() when they are configured (app/adapters.ts): statically imported, their
    // clients would sit in every embedded server's heap, marked again at each full collection.
    files: ['app/**/*.ts'],
    ignores: ['**/*.test.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: [
                '**/infra/bus/kafka*',
                '**/infra/bus/kafka/**',
                '**/infra/analytics/kafka*',
                '**/infra/event-store/postgres*',
                '**/infra/event-store/eventstoredb*',
                '**/infra/projection-store/postgres*',
                '**/infra/lease/postgres*',
                '**/infra/object-store/s3',
                'kafkajs',
                'pg',
                '@aws-sdk/*',
                '@eventstore/*',
              ],
              message:
                'An engine the embedded default does not use: load it with import() where it is configured.',
            },
          ],
        },
      ],
    },
  },
  {
    // The wire contracts depend on nothing but zod and the error (and text, reactions) rules: everyone imports them.
    files: ['protocol/**/*.ts'],
    ignores: ['**/*.test.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['node:*'], message: 'protocol/ is shared with the browser: no Node modules.' },
            {
              // reactions: the fixed set of emoji, one list for the domain and the wire.
              regex: '^\\.\\./(?!domain/shared/(errors|text|reactions)$)',
              message: 'protocol/ depends on nothing but zod and domain/shared/errors (and text, reactions).',
            },
          ],
        },
      ],
    },
  },
  {
    // The SFU serves the gateways through a port in protocol/; it never imports them.
    files: ['media/**/*.ts'],
    ignores: ['**/*.test.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['**/infra/**'], message: 'Depend on ports (domain/ports), not adapters.' },
            {
              group: ['**/gateways/**'],
              message: 'media/ never imports gateways/: share contracts through protocol/.',
            },
          ],
        },
      ],
    },
  },
  {
    // Of the server's code, the browser client imports only the wire contracts.
    files: ['web/src/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex:
                '^(\\.\\./)+(domain|gateways|media|infra|app|projections|pipelines|cluster|test|bench)/(?!shared/errors$)',
              message: 'web/ imports only protocol/ of the server (and domain/shared/errors).',
            },
          ],
        },
      ],
    },
  },
  {
    // The load tester is a client of the public API, as the web client is: of the server's code it
    // imports only the wire contracts (so what it measures is what any client would see).
    files: ['loadtest/**/*.ts'],
    ignores: ['**/*.test.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex:
                '^(\\.\\./)+(domain|gateways|media|infra|app|projections|pipelines|cluster|test|bench|web)/',
              message: 'loadtest/ imports only protocol/ of the server: it is a client of the public API.',
            },
          ],
        },
      ],
    },
  },
);
