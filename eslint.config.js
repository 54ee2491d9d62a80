// Lint config: typescript-eslint recommended rules plus the layering rules from STYLE.md
// that an import check can express (pure domains never import node I/O modules).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const ioModules = ['node:fs', 'node:fs/promises', 'node:net', 'node:http', 'node:https', 'node:http2',
  'node:child_process', 'node:dgram', 'node:tls', 'fs', 'net', 'http', 'https', 'child_process'];

export default tseslint.config(
  { ignores: ['dist/**', 'build/**', '.build/**', '.bench/**', 'node_modules/**', 'coverage/**'] },
  js.configs.recommended,
  {
    files: ['**/*.cjs'],
    languageOptions: { sourceType: 'commonjs', globals: { module: 'writable', require: 'readonly', __dirname: 'readonly' } },
  },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-console': 'off',
    },
  },
  {
    // Pure domains: bytes and plans in, bytes and plans out; no file system, no network.
    files: ['src/protobuf/**/*.ts', 'src/snapshot/**/*.ts', 'src/schedule/**/*.ts'],
    ignores: ['**/*.test.ts', '**/testing.ts'],
    rules: {
      'no-restricted-imports': ['error', { paths: ioModules.map((name) => ({ name, message: 'Pure module: no I/O (see STYLE.md).' })) }],
    },
  },
  {
    // The library never prints: output belongs to cli/.
    files: ['src/**/*.ts'],
    ignores: ['src/cli/**', '**/*.test.ts', '**/testing.ts'],
    rules: { 'no-console': 'error' },
  },
);
