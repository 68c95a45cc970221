import js from '@eslint/js'
import tseslint from 'typescript-eslint'

export default tseslint.config(
  {ignores: ['dist/**', 'node_modules/**', 'oclif.manifest.json', 'tmp/**']},
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {globals: {process: 'readonly', console: 'readonly', Buffer: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly', setImmediate: 'readonly', URL: 'readonly', AbortController: 'readonly'}},
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', {argsIgnorePattern: '^_', varsIgnorePattern: '^_'}],
      'no-control-regex': 'off',
    },
  },
  {
    // bin/ is CommonJS (bin/package.json: an ES module entry costs every start Node's ES module loader).
    files: ['bin/**/*.js'],
    languageOptions: {sourceType: 'commonjs', globals: {require: 'readonly', module: 'writable', __dirname: 'readonly'}},
    rules: {'@typescript-eslint/no-require-imports': 'off'},
  },
  {
    // src/lib never prints and never reads argv/env: the command bases (src/cli) resolve settings once.
    files: ['src/lib/**/*.ts'],
    rules: {
      'no-restricted-properties': ['error',
        {object: 'process', property: 'argv', message: 'src/lib must not read process.argv'},
        {object: 'process', property: 'env', message: 'src/lib must not read process.env; take settings as arguments'},
        {object: 'process', property: 'stdout', message: 'src/lib never prints: return text, or take a writer'},
        {object: 'process', property: 'stderr', message: 'src/lib never prints: return text, or take a writer'},
        {object: 'process', property: 'exit', message: 'src/lib never ends the process (finally blocks would be skipped): throw'},
        {object: 'console', property: 'log', message: 'src/lib never prints'},
        {object: 'console', property: 'error', message: 'src/lib never prints'},
      ],
    },
  },
)
