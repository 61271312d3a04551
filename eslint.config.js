import { builtinModules } from 'node:module';
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const nodeBuiltins = [...builtinModules, ...builtinModules.map((m) => `node:${m}`)];

// Which layer may import which (no cycles, nothing outside web/ imports web/, ...) is checked by
// dependency-cruiser (.dependency-cruiser.mjs), the second half of `npm run lint`.

export default tseslint.config(
  { ignores: ['node_modules/', 'dist/', '.tools/', '.data/', '.scratch/', 'bench/results/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      'no-restricted-syntax': [
        'error',
        { selector: "MemberExpression[object.name='process'][property.name='env']", message: 'Read settings through config/ (Config), not process.env.' },
      ],
    },
  },
  {
    // Only the configuration loader and the tooling that launches processes may touch the environment.
    files: ['config/**', 'tools/**', 'test/**', 'bench/**', 'eslint.config.js'],
    rules: { 'no-restricted-syntax': 'off' },
  },
  {
    // Workflow code runs in Temporal's deterministic sandbox: no Node built-ins, no I/O, and every
    // promise awaited (a floating promise in a workflow is a lost timer or activity).
    files: ['workflows/**/*.ts'],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          paths: nodeBuiltins.map((name) => ({ name, message: 'Workflows must not use Node built-ins; do I/O in an activity.' })),
          patterns: [
            { group: ['**/activities/**', '**/db/**', '**/services/**', '**/web/**', '**/config/**'], allowTypeImports: true, message: 'Workflows may import only types from activities, db, services, web and config.' },
          ],
        },
      ],
      'no-restricted-globals': ['error', 'setTimeout', 'setInterval', 'fetch', 'process', 'require'],
    },
  },
);
