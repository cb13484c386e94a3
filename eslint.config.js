import js from '@eslint/js'
import reactHooks from 'eslint-plugin-react-hooks'
import globals from 'globals'
import tseslint from 'typescript-eslint'

const dataLayerOnly = {
  patterns: [
    {
      group: ['drizzle-orm', 'drizzle-orm/*', '**/db/schema', '**/db/schema/*', '#db/schema/*', '**/db/client'],
      message: 'Call a db/<domain>.ts function instead: visibility and privacy rules live in the data layer.',
    },
  ],
}

export default tseslint.config(
  { ignores: ['build/**', 'node_modules/**', '.data/**', 'db/migrations/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      globals: { ...globals.node, ...globals.browser },
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    plugins: { 'react-hooks': reactHooks },
    rules: {
      ...reactHooks.configs.recommended.rules,
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: { attributes: false } }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-empty-object-type': 'off',
    },
  },
  {
    files: ['**/*.js', '**/*.mjs'],
    ...tseslint.configs.disableTypeChecked,
  },
  {
    files: ['app/**', 'server/**'],
    // lucia's drizzle adapter needs the tables and the database: the session layer's one exception.
    ignores: ['server/auth.ts'],
    rules: { 'no-restricted-imports': ['error', dataLayerOnly] },
  },
)
