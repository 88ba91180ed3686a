// Writes docs/checks.md from the built check catalogue (npm run docs; needs npm run build first).
const { ALL_CHECKS } = await import(process.cwd() + '/dist/src/checks/index.js');
const { checkCatalogueMarkdown } = await import(process.cwd() + '/dist/reports/checks-doc.js');
const fs = await import('node:fs');
fs.writeFileSync('docs/checks.md', checkCatalogueMarkdown(ALL_CHECKS));
