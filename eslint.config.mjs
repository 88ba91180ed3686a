// Lint: typescript-eslint with the type-aware rules that catch what bit us (promises left
// floating, switches that miss a case), consistent type imports, and the import boundaries of
// the design: the model imports nothing above it, net never reaches for fleet, checks and derive
// read only model/knowledge/derive.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const restrict = (patterns) => [
  'error',
  { patterns: patterns.map((group) => ({ group: [group], message: 'crosses an import boundary of the design (docs/design.md)' })) },
];

/** What a pure layer (checks, derive) must not import; `src` and `root` are the paths up to src/ and to the repository. */
const pureLayer = (src, root) => [
  ...['net', 'fleet', 'commands', 'profiles', 'tls', 'ssh', 'ftp'].map((d) => `${src}${d}/*`),
  `${root}probes/*`,
  `${root}reports/*`,
  'node:*',
];

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'coverage/**', 'test/lab/.run/**', 'bench/results/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: { arguments: false } }],
      '@typescript-eslint/switch-exhaustiveness-check': ['error', { considerDefaultExhaustiveForUnions: true }],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      '@typescript-eslint/no-explicit-any': 'error',
      'no-control-regex': 'off',
    },
  },
  {
    files: ['src/**/*.ts', 'probes/**/*.ts', 'reports/**/*.ts'],
    rules: { 'max-lines-per-function': ['error', { max: 80, skipBlankLines: true, skipComments: true }] },
  },
  { files: ['src/model/**/*.ts'], rules: { '@typescript-eslint/no-restricted-imports': restrict(['../*', '!./*']) } },
  {
    files: ['src/net/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': restrict([
        '**/fleet/*',
        '**/commands/*',
        '**/checks/*',
        '**/cli*',
        '../../probes/*',
        '../../reports/*',
      ]),
    },
  },
  // Checks and derive read only model/knowledge/derive. The patterns name the layers by their
  // path from the file (src/checks/tls/ is a family of checks, src/tls/ the TLS engine).
  {
    files: ['src/checks/*.ts', 'src/derive/**/*.ts'],
    rules: { '@typescript-eslint/no-restricted-imports': restrict(pureLayer('../', '../../')) },
  },
  {
    files: ['src/checks/*/**/*.ts'],
    rules: { '@typescript-eslint/no-restricted-imports': restrict(pureLayer('../../', '../../../')) },
  },
  {
    files: ['reports/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': restrict([
        '**/net/*',
        '**/fleet/*',
        '../probes/*',
        '**/checks/*',
        '**/tls/*',
        '**/ssh/*',
      ]),
    },
  },
  {
    files: ['test/**/*.ts', 'vitest.config.ts'],
    rules: { '@typescript-eslint/no-non-null-assertion': 'off', '@typescript-eslint/no-explicit-any': 'off' },
  },
  {
    files: ['**/*.mjs', '**/*.js', '**/*.cjs'],
    ...tseslint.configs.disableTypeChecked,
    rules: {
      ...tseslint.configs.disableTypeChecked.rules,
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
    },
    languageOptions: {
      globals: {
        process: 'readonly',
        console: 'readonly',
        Buffer: 'readonly',
        URL: 'readonly',
        setTimeout: 'readonly',
        setInterval: 'readonly',
        clearInterval: 'readonly',
        clearTimeout: 'readonly',
        performance: 'readonly',
      },
    },
  },
);
