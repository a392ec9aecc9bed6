// Style is checked, not argued: neostandard with TypeScript.
import neostandard from 'neostandard'

export default [
  ...neostandard({ ts: true, ignores: ['dist/**', 'coverage/**', 'src/generated/**', '.tap/**'] })
]
