// The layers of lib/, top to bottom: a file imports its own layer or a lower one, never a
// higher one, and nothing imports in a circle (type-only imports count: they are how the
// design couples too). `npm test` runs this (test/architecture.test.ts); the README's
// "Architecture" section says what goes where.
const LAYERS = [
  { name: 'entry', path: '^lib/index\\.ts$' },
  { name: 'tools', path: '^lib/tools/' },
  { name: 'output', path: '^lib/output/' },
  { name: 'constructs', path: '^lib/constructs/' },
  { name: 'parts', path: '^lib/(pod|network|observability|keda|delivery|props)/' },
  { name: 'rendering', path: '^lib/rendering/' },
  { name: 'basics', path: '^lib/[^/]+\\.ts$' },
];

const upward = LAYERS.slice(1).map((layer, i) => ({
  name: `${layer.name}-imports-no-higher-layer`,
  comment: `lib/ layer '${layer.name}' may import only ${LAYERS.slice(i + 2).map(l => l.name).join(', ') || 'itself'} and itself`,
  severity: 'error',
  from: { path: layer.path, pathNot: layer.name === 'basics' ? LAYERS[0].path : undefined },
  to: { path: LAYERS.slice(0, i + 1).map(l => `(${l.path})`).join('|') },
}));

module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      comment: 'Files of lib/ that import each other, directly or through others: one of them owns what both need.',
      severity: 'error',
      from: { path: '^lib/' },
      to: { circular: true },
    },
    ...upward,
  ],
  options: {
    includeOnly: '^(lib|imports)/',
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    doNotFollow: { path: 'node_modules' },
  },
};
