// What docs/checks.md says of each check: its metadata, and the controls each built-in profile
// (and the default catalogue) maps it to.
import { ALL_CHECKS, CLUSTER_CHECKS } from './checks/registry.js';
import { BUILTIN_PROFILES } from './profiles/builtin.js';
import { CATALOGUE_CONTROLS, controlsByCheck } from './knowledge/control-catalogue.js';
import type { CheckDoc } from '../reports/checks-doc.js';

export function checkDocs(): CheckDoc[] {
  const maps = [
    ['catalogue', controlsByCheck(CATALOGUE_CONTROLS)] as const,
    ...BUILTIN_PROFILES.map((p) => [p.id, controlsByCheck(p.controls)] as const),
  ];
  return [...ALL_CHECKS, ...CLUSTER_CHECKS].map((c) => ({
    id: c.id,
    title: c.title,
    observes: c.observes,
    severity: c.severity,
    controls: Object.fromEntries(maps.map(([id, of]) => [id, of(c.id)])),
    remediation: c.remediation,
  }));
}
