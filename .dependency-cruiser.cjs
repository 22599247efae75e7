/**
 * The layer rules of docs/architecture.md, checked by `npm run lint:deps` (dependency-cruiser) in CI.
 * Type-only imports count: a cycle through types still ties the modules together.
 */
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'No import cycles, type-only imports included.',
      from: {},
      to: { circular: true },
    },
    {
      name: 'workflows-only-sdk-and-contracts',
      severity: 'error',
      comment:
        'Workflow code runs in the deterministic sandbox: it imports only @temporalio/workflow and the contracts (workflows/contracts/). ' +
        'Contracts may also use @temporalio/common for search attribute keys, which @temporalio/workflow does not re-export.',
      from: { path: '^workflows/' },
      to: {
        pathNot: [
          '^workflows/contracts/',
          '^node_modules/@temporalio/workflow/',
          // workflows/index.ts lists the workflows for the bundle.
          '^workflows/[^/]+[.]ts$',
        ],
      },
    },
    {
      name: 'contracts-are-leaves',
      severity: 'error',
      comment: 'A contract is shared by workflows, services and activities: it imports only the SDK and other contracts.',
      from: { path: '^workflows/contracts/' },
      to: { pathNot: ['^workflows/contracts/', '^node_modules/@temporalio/(workflow|common)/'] },
    },
    {
      name: 'only-contracts-of-workflows',
      severity: 'error',
      comment: 'Services and activities start, signal and query workflows by type name through their contract, never importing workflow code.',
      from: { path: '^(src|activities|bench)/' },
      to: { path: '^workflows/', pathNot: '^workflows/contracts/' },
    },
    {
      name: 'domain-not-http',
      severity: 'error',
      comment: 'Domain code (src/ except src/http, src/api and the entry points) and activities import nothing from src/http or src/api.',
      from: { path: '^(src|activities)/', pathNot: ['^src/(http|api|entry)/', '^src/(main|runtime)[.]ts$'] },
      to: { path: '^src/(http|api)/' },
    },
    {
      name: 'models-no-domain',
      severity: 'error',
      comment: 'Models import only the database library, other models and the contracts.',
      from: { path: '^src/models/' },
      to: {
        path: '^(src|activities)/',
        pathNot: [
          '^src/models/',
          // KNOWN EXCEPTIONS (issue 22): two field types are inferred from the API's zod schemas, which
          // validate them at the edge; moving them would put input schemas into the models. Listed here
          // so the rule holds for every other import and for new ones.
          // - EmailBlock / EmailStyle of templates and distribution channels (z.infer of blocks' schemas)
          '^src/templates/blocks[.]ts$',
          // - MetadataProperty of metadata schemas (z.infer of the property schema)
          '^src/metadata/metadata-schema[.]ts$',
        ],
      },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    exclude: { path: '^(node_modules|console|dist|test|tools-src)/' },
  },
};
