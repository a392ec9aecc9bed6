// Style is checked, not argued: neostandard with TypeScript, and three rules about shape.
import neostandard from 'neostandard'

export default [
  ...neostandard({ ts: true, ignores: ['dist/**', 'coverage/**', 'src/generated/**', '.tap/**', '.stryker-tmp/**', 'reports/**'] }),
  {
    // A readability budget: a line a reader can take in. Strings, templates (SQL lives in them)
    // and regular expressions are exempt: breaking them would hide what they say.
    files: ['src/**/*.ts', 'workers/**/*.ts', 'web/**/*.ts'],
    rules: {
      '@stylistic/max-len': ['error', { code: 140, ignoreStrings: true, ignoreTemplateLiterals: true, ignoreRegExpLiterals: true, ignoreUrls: true }]
    }
  },
  {
    files: ['src/**/*.ts', 'workers/**/*.ts'],
    rules: {
      // Small pieces: a longer function says why on the line above it.
      'max-lines-per-function': ['error', { max: 40, skipBlankLines: true, skipComments: true }],
      // Only src/repositories/ (and the database's own setup in src/db/) reach the database.
      'no-restricted-imports': ['error', {
        paths: [{ name: 'pg', message: 'Ask a repository (src/repositories/) instead.' }],
        patterns: [
          { group: ['**/db/client.js'], importNames: ['createDatabase'], message: 'Processes get their database from their core (src/roots/core.ts).' },
          // The worker side builds on src/, never the other way round (main.ts, at the top, joins them).
          { group: ['**/workers/*', '**/workers/**'], message: 'src/ does not import workers/.' }
        ]
      }]
    }
  },
  {
    files: ['src/repositories/**/*.ts', 'src/db/**/*.ts', 'src/roots/core.ts'],
    rules: { 'no-restricted-imports': 'off' }
  }
]
