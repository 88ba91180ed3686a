// Writes docs/checks.md from the check registry, the built-in profiles and the default control
// catalogue (after `npm run build`). test/unit/reports/docs-api.test.ts fails when it is stale.
import fs from 'node:fs';
const dist = (p) => `${process.cwd()}/dist/${p}`;
const { checkDocs } = await import(dist('src/check-docs.js'));
const { checkCatalogueMarkdown } = await import(dist('reports/checks-doc.js'));
fs.writeFileSync('docs/checks.md', checkCatalogueMarkdown(checkDocs()));
console.log('wrote docs/checks.md');
