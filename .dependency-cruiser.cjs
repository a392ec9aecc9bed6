// The folders' dependencies, checked with `npm run lint` (scripts/check.sh runs it too): a folder
// under src/ is a unit a reader learns in one go, so no two folders may need each other, however
// far round. Type-only imports count: they tie the folders as much as any other.
module.exports = {
  forbidden: [
    {
      name: 'no-folder-loops',
      comment: 'Two folders that import each other (directly or round a loop) are one unit in two places: move the shared part down.',
      severity: 'error',
      scope: 'folder',
      from: { path: '^(src|workers)/' },
      to: { circular: true }
    }
  ],
  options: {
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^src/generated/' }
  }
}
