// ESLint (flat config) with typescript-eslint's recommended rules, on every TypeScript source.
// Syntax-level rules only (no type information), so `npm test` stays fast; `tsc --noEmit` does the typing.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'coverage/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      ecmaVersion: 2023,
      sourceType: 'module',
      globals: {
        process: 'readonly', Buffer: 'readonly', console: 'readonly', URL: 'readonly', URLSearchParams: 'readonly',
        setTimeout: 'readonly', clearTimeout: 'readonly', setInterval: 'readonly', clearInterval: 'readonly', setImmediate: 'readonly',
        TextEncoder: 'readonly', TextDecoder: 'readonly', fetch: 'readonly', Response: 'readonly', Request: 'readonly', Headers: 'readonly',
        ReadableStream: 'readonly', WritableStream: 'readonly', TransformStream: 'readonly', AbortController: 'readonly', AbortSignal: 'readonly',
        performance: 'readonly', structuredClone: 'readonly', queueMicrotask: 'readonly', crypto: 'readonly', Blob: 'readonly', NodeJS: 'readonly',
        globalThis: 'readonly',
      },
    },
    rules: {
      // `let { a, b } = ...` where only some are reassigned, and a `let` read by a closure before its one assignment, stay `let`.
      'prefer-const': ['error', { destructuring: 'all', ignoreReadBeforeAssign: true }],
      // Unused names are tsc's job (noUnusedLocals); `_`-prefixed ones are deliberate.
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_', caughtErrors: 'none' }],
      // Microsoft's Graph types are a devDependency with no JavaScript: only `import type` of them
      // compiles to nothing, so dist/ runs without the package (`npm ci --omit=dev`).
      '@typescript-eslint/no-restricted-imports': ['error', {
        paths: [{ name: '@microsoft/microsoft-graph-types', allowTypeImports: true, message: 'Use `import type`: the package has types only and is a devDependency.' }],
      }],
    },
  },
  {
    // Tests script fakes and assert what they read; `any` stays out of them as out of src/ (the few
    // raw-JSON readers that keep it say why, next to an eslint-disable comment).
    files: ['test/**', 'bench/**'],
    rules: { '@typescript-eslint/no-non-null-assertion': 'off' },
  },
);
