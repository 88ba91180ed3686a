// What the identification line says: protocol 1, software and version.
import { parseSshSoftware, softwareAdvisories } from '../../knowledge/ssh-software.js';
import { defineCheck } from '../types.js';
import { isOutcome, sshFacts } from './support.js';

export const sshProto1 = defineCheck({
  id: 'SSH-PROTO-1',
  family: 'ssh',
  observes: 'SSH-1 offered (banner 1.x / 1.99)',
  title: 'SSH protocol 1 offered',
  severity: 'critical',
  remediation: 'Disable SSH-1 entirely (OpenSSH ≥ 7.4 has no SSH-1 support; on older servers set `Protocol 2`) and upgrade the server.',
  run: ({ endpoint }) => {
    const s = sshFacts(endpoint);
    if (s === null) return null;
    if (isOutcome(s)) return s;
    const evidence = [{ label: 'identification', value: s.banner }];
    if (s.protoVersion === '1.99' || s.protoVersion.startsWith('1.')) {
      return {
        status: 'fail',
        detail: `the identification announces protocol ${s.protoVersion}: SSH-1 is accepted${s.protoVersion === '1.99' ? ' alongside SSH-2' : ''}`,
        evidence,
      };
    }
    return { status: 'pass', detail: `protocol ${s.protoVersion} only`, evidence };
  },
});

export const sshSoftware = defineCheck({
  id: 'SSH-SOFTWARE',
  family: 'ssh',
  observes: 'software and version from the banner (fail if known vulnerable/end-of-life)',
  title: 'SSH server software and version',
  severity: 'info',
  remediation:
    'Upgrade the SSH server to a supported release with current security fixes (OpenSSH ≥ 9.8p1 or a vendor package with the fixes backported); consider `VersionAddendum none` and, for OpenSSH, keep the package updated through the OS vendor.',
  run: ({ endpoint }) => {
    const s = sshFacts(endpoint);
    if (s === null) return null;
    if (isOutcome(s)) return s;
    const sw = parseSshSoftware(s.software, s.comments ?? '');
    const evidence = [{ label: 'identification', value: s.banner }];
    const label = `${s.software}${s.comments ? ` ${s.comments}` : ''}`;
    const adv = softwareAdvisories(sw);
    const vuln = adv.filter((a) => a.verdict === 'vulnerable');
    const check = adv.filter((a) => a.verdict === 'check-vendor');
    const fixed = adv.filter((a) => a.verdict === 'fixed-by-vendor');
    if (vuln.length) return { status: 'fail', detail: `${label}: ${vuln.map((a) => a.text).join('; ')}`, evidence, severity: 'critical' };
    if (check.length) return { status: 'warn', detail: `${label}: ${check.map((a) => a.text).join('; ')}`, evidence, severity: 'high' };
    return {
      status: 'info',
      detail: `${label}${sw.product === 'other' ? ' (software not recognised; no version judgement)' : ''}${fixed.length ? ` — ${fixed.map((a) => a.text).join('; ')}` : ''}`,
      evidence,
    };
  },
});
