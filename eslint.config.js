// Lint rules: the recommended sets, plus the few that catch real bugs in async code
// (a forgotten await silently drops a checkpoint write).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import { layerImportsRule } from './scripts/lint/layer-imports-rule.js';

export default tseslint.config(
  { ignores: ['dist/**', 'dist-*/**', 'node_modules/**', 'bench/node_modules/**', 'bench/dist/**', '.homeostat/**', 'ui/dist/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      // node:test's test()/describe() return promises the runner itself awaits.
      '@typescript-eslint/no-floating-promises': [
        'error',
        { allowForKnownSafeCalls: [{ from: 'package', package: 'node:test', name: ['test', 'it', 'describe', 'suite'] }] },
      ],
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: false }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
    },
  },
  {
    // Who may import whom: scripts/lint/layers.js, drawn in docs/architecture.md.
    files: ['src/**/*.ts', 'examples/**/*.ts'],
    plugins: { homeostat: { rules: { 'layer-imports': layerImportsRule(import.meta.dirname) } } },
    rules: { 'homeostat/layer-imports': 'error' },
  },
  {
    files: ['**/*.js', '**/*.mjs'],
    languageOptions: {
      globals: Object.fromEntries(
        ['process', 'console', 'URL', 'Buffer', 'performance', 'setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'setImmediate', 'AbortController', 'AbortSignal', 'fetch'].map((name) => [name, 'readonly']),
      ),
    },
  },
  {
    // The dashboard: plain browser modules, shipped as written.
    files: ['ui/**/*.js'],
    languageOptions: {
      sourceType: 'module',
      globals: Object.fromEntries(
        ['window', 'document', 'location', 'history', 'sessionStorage', 'fetch', 'URLSearchParams', 'Node', 'TextDecoderStream', 'AbortController', 'setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'console'].map((name) => [name, 'readonly']),
      ),
    },
  },
);
