// A service that turns every client away (an FTP greeting of 421/554, or an endless "120 try
// later"; an SSH server closing before its identification) can be judged on nothing else: that
// alone is worth a warning, never a clean exit.
import { defineCheck } from '../types.js';
import { greetingEvidence, stepEvidence } from '../evidence.js';

export const netServiceRefused = defineCheck({
  id: 'NET-SERVICE-REFUSED',
  family: 'net',
  observes: 'the service accepts TCP but refuses every client at its greeting (FTP 421/554, endless 120; SSH closing before its banner)',
  title: 'Service refuses every connection',
  severity: 'medium',
  remediation:
    'Find out why the server turns clients away: a connection or per-IP limit (vsftpd max_clients/max_per_ip; ProFTPD MaxClients; Pure-FTPd -c/-C; sshd MaxStartups), a deny rule (tcp_wrappers, fail2ban) matching the scanner, or a service kept in maintenance. Scan again from an allowed address: nothing else could be assessed.',
  run: ({ endpoint: ep }) => {
    if (ep.state !== 'open' || ep.outcome !== 'refused-by-server') return null;
    const evidence = ep.ftp
      ? greetingEvidence(ep)
      : stepEvidence(ep, 'connection', { steps: ['connect', 'greeting', 'ssh-ident'], max: 4 });
    return {
      status: 'warn',
      detail: `the service answered and turned us away (${ep.error ?? 'refused'}): none of its security could be assessed`,
      evidence,
    };
  },
});
