import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';

export default tseslint.config(
  { ignores: ['node_modules/**', 'data/**', 'web/dist/**', 'test-results/**', 'bench/results/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  { files: ['**/*.mjs', '**/*.js'], languageOptions: { globals: globals.node } },
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
);
