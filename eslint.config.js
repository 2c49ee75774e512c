// @ts-check
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';
import { layersRule } from './tools/eslint-rules/layers.js';

/** The layers, bottom up: each may use only the ones below it. */
export const depConstraints = [
  { sourceTag: 'layer:test-kit', onlyDependOnLibsWithTags: [] },
  { sourceTag: 'layer:locking', onlyDependOnLibsWithTags: ['layer:test-kit'] },
  { sourceTag: 'layer:json-io', onlyDependOnLibsWithTags: ['layer:locking', 'layer:test-kit'] },
  {
    sourceTag: 'layer:launcher',
    onlyDependOnLibsWithTags: ['layer:json-io', 'layer:locking', 'layer:test-kit'],
  },
  {
    sourceTag: 'layer:dashboard-api',
    onlyDependOnLibsWithTags: [
      'layer:launcher',
      'layer:json-io',
      'layer:locking',
      'layer:test-kit',
    ],
  },
  {
    sourceTag: 'layer:app',
    onlyDependOnLibsWithTags: [
      'layer:app',
      'layer:dashboard-api',
      'layer:launcher',
      'layer:json-io',
      'layer:locking',
      'layer:test-kit',
    ],
  },
];

export default tseslint.config(
  {
    ignores: [
      '**/dist/**',
      '**/out-tsc/**',
      '**/test-output/**',
      '**/node_modules/**',
      '**/.nx/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    plugins: { runboard: { rules: { layers: layersRule } } },
    rules: {
      'runboard/layers': ['error', { depConstraints, testOnlyTags: ['layer:test-kit'] }],
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
      ],
      '@typescript-eslint/consistent-type-imports': 'error',
    },
  },
  {
    files: ['**/*.js', '**/*.mjs', '**/*.cjs'],
    languageOptions: { globals: globals.node },
  },
);
