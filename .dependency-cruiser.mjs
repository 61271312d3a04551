// The layers (README "Layout"), checked by `npm run lint`:
//
//   web ──┐
//   tools ┼──> services ──> Temporal client, db/
//   worker┘        ▲
//   activities ────┘──> platforms/, db/
//   workflows ──> (types only) activities, db, services, web, config
//
// Type-only imports count as edges everywhere (a cycle of types is still a cycle), except where a
// rule says otherwise.

/** @type {import('dependency-cruiser').IConfiguration} */
export default {
  forbidden: [
    {
      name: 'no-cycle',
      severity: 'error',
      comment: 'Modules must not depend on themselves through other modules: move what both need into a third module.',
      from: {},
      to: { circular: true },
    },
    {
      name: 'web-imported-from-outside',
      severity: 'error',
      comment: 'Nothing outside web/ imports web/: put what others need in services/ (or db/) and let web call it. Only the tests and benchmark of the dashboard itself drive it.',
      from: { pathNot: '^(web/|test/unit/web/|test/integration/(web|browser)/|test/integration/smoke\\.test\\.ts$|bench/web/)' },
      to: { path: '^web/' },
    },
    {
      name: 'workflow-imports-code',
      severity: 'error',
      comment: 'Workflows run in the deterministic sandbox: from activities, db, services, web and config they import types only.',
      from: { path: '^workflows/' },
      to: { path: '^(activities|db|services|web|config)/', dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'db-imports-upper-layer',
      severity: 'error',
      comment: 'db/ is the bottom layer: it does not import services/, web/ or workflows/ (not even their types).',
      from: { path: '^db/' },
      to: { path: '^(services|web|workflows)/' },
    },
    {
      name: 'services-import-process',
      severity: 'error',
      comment: 'services/ is called by web, worker, activities and tools; it imports none of them.',
      from: { path: '^services/' },
      to: { path: '^(web|worker|tools)/' },
    },
  ],
  options: {
    // Type-only imports are edges too (cycles of types, db/ importing a workflow type).
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(node_modules|dist|\\.tools|\\.data|\\.scratch|bench/results)/' },
    reporterOptions: { text: { highlightFocused: true } },
  },
};
