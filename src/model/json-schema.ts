// schema/report.schema.json is generated from ReportSchema: the published contract and the
// validation `report`, `merge` and `diff` apply to their input are one and the same document.
import { ReportSchema } from './report.js';

export const SCHEMA_ID = 'https://xferscan.invalid/schema/report-1.json';

export function reportJsonSchema(): object {
  return {
    $schema: 'http://json-schema.org/draft-07/schema#',
    $id: SCHEMA_ID,
    title: 'xferscan report, schemaVersion 1',
    description:
      'Generated from src/model (npm run schema). Fields may be added; existing ones are never renamed or dropped (docs/design.md). Unknown fields are rejected at every level.',
    ...JSON.parse(JSON.stringify(ReportSchema)),
  };
}
