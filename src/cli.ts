// The command line: parses arguments (one clear line on bad input, exit 1) and hands each
// command to its module in src/commands; the exit code is one a CI pipeline can gate on.
import yargs, { type Argv } from 'yargs';
import { hideBin } from 'yargs/helpers';
import { UsageError } from './targets.js';
import { render, FORMATS, type Format } from '../reports/index.js';
import { TOOL_VERSION } from './version.js';
import { PROFILE_NAMES } from './profiles/index.js';
import { EXIT, exitCodeForReport } from './knowledge/exit-code.js';
import { installLastResort } from './last-resort.js';
import { readTargetsFile, runScan, type ScanArgs } from './commands/scan.js';
import { checkOutputPath, quietOnEpipe, renderOptionsFrom, writeOutput } from './output.js';

export { EXIT } from './knowledge/exit-code.js';

const EPILOG = `Targets:
  host, host:port, [v6addr]:port, or a URL: sftp://host[:22]  ftp://host[:21] (plain or explicit)
  ftps://host[:990] (implicit TLS)  ftpes://host[:21] (explicit TLS required). Without a port,
  every port of --ports is tried and what really listens on each is reported.

Credentials never go on the command line: --password-env NAME reads the environment variable
NAME, --password-file F reads a file. Passwords are redacted from every output. A server that
requires a client certificate: --client-cert FILE --client-key FILE (an encrypted key's passphrase
via --client-key-passphrase-env NAME or --client-key-passphrase-file F), used on every connection.

TLS depth: the vulnerability battery runs on every TLS endpoint (--no-intrusive skips Heartbleed,
CCS injection and ROBOT, which send malformed records or padding). --check-revocation asks the
certificate's CA (OCSP, CRL, missing intermediates): without it no third party is contacted.

Output: a table when stdout is a terminal, JSON otherwise (--format table|json|html|markdown|junit|
sarif|ndjson). Every JSON report carries a per-control view for the profile and a SHA-256 digest
(detects a damaged copy; not a signature: --sign-key KEY.pem signs, verify --public-key checks).

Profiles (--profile): baseline (default), pci-dss-4.0.1, hipaa, nist-800-52r2, mozilla-intermediate
(6.0; mozilla-intermediate-5.7 for the older list), or a JSON FILE ({"extends": "pci-dss-4.0.1", …}).
Partner policy (--policy FILE, JSON or YAML): allowed ports and services per host, pinned SSH
host keys and certificate fingerprints, passive range, credentials by env-var name, profile.

Fleets (--targets-file F): CSV with a header (host,port,service,user,passwordEnv,keyFile,policy;
"," or ";" separated; other columns are ignored with a warning), YAML or JSON (a list, or "targets:" with one; each item a host/URL string or a mapping with those
fields), or one target per line. service: sftp|ftps-explicit|ftps-implicit|ftp. Credentials only by
environment-variable name (passwordEnv), never a password. --concurrency targets at once,
--connections per endpoint, --max-sockets for the whole scan, --endpoint-timeout per endpoint.
--format ndjson streams one line per endpoint as it finishes, then a summary line. --shard I/N
scans one of N stable slices (hash of host:port); "xferscan merge" combines the shards' reports.

Groups (one service on several nodes, e.g. behind a load balancer): in a YAML/JSON inventory,
  groups:
    - name: partner-sftp          # the service the nodes serve
      service: sftp               # optional: sftp|ftps-explicit|ftps-implicit|ftp
      vip: sftp.example.com:22    # optional: the virtual address partners use
      nodes: [10.0.0.1:22, 10.0.0.2:22, 10.0.0.3:22]
      standby: [10.0.0.3:22]      # optional: nodes that should be closed/filtered now
      samples: 21                 # optional: connections through the vip
or per entry (CSV columns, or fields) group=NAME and role=node|standby|vip. Every node is scanned,
the vip is sampled with N connections (default: enough to see each of up to max(3, nodes) nodes
behind round-robin or random balancing with probability >= 99%: 15 for 3 nodes, 21 for 4; for
SSH with the first host-key type, then each type whose keys differ between the nodes until every
one was seen), and nodes are compared: host keys, certificates, TLS versions
and suites, SSH algorithms, software, passive ranges and PASV addresses, login policy, FEAT.
Host keys shared by endpoints at different addresses that are not one group are reported too.
--expect-standby HOST:PORT (repeatable) marks a node that should not answer now.

Exit codes:
  0  no failing finding          2  warnings, no failure
  1  scan error: bad input, a target that could not be reached at all, or a probe that broke
  3  at least one failing finding (takes precedence over 1 and 2)

Examples:
  xferscan                                   scan a built-in demo target on loopback
  xferscan scan files.example.com            try 21, 22 and 990 and report each
  xferscan scan ftpes://files.example.com --format json --output report.json
  xferscan scan sftp://10.1.2.3:2222 --user partner --password-env PARTNER_PW`;

function scanOptions<T>(y: Argv<T>) {
  return scanTrustOptions(scanFleetOptions(y));
}

/** What to scan, how hard, and with which credentials and judgement. */
function scanFleetOptions<T>(y: Argv<T>) {
  return y
    .option('ports', { type: 'string', default: '21,22,990', describe: 'ports to try when a target has no port' })
    .option('format', { type: 'string', choices: [...FORMATS], describe: 'output format (default: table on a terminal, json otherwise)' })
    .option('output', { alias: 'o', type: 'string', describe: 'write the report to FILE instead of stdout' })
    .option('profile', {
      type: 'string',
      describe: `judgement profile: ${PROFILE_NAMES.join(', ')}, or a profile FILE (JSON) (default: the policy's, else baseline)`,
    })
    .option('policy', {
      type: 'string',
      describe:
        'partner policy FILE (YAML subset or JSON): allowed ports/services, pinned keys, passive range, credentials by env var, profile',
    })
    .option('user', { type: 'string', describe: 'user name for login-level checks' })
    .option('password-env', { type: 'string', describe: 'read the password from environment variable NAME' })
    .option('password-file', { type: 'string', describe: 'read the password from FILE (first line)' })
    .option('password', { type: 'string', hidden: true })
    .option('key', { type: 'string', describe: 'private key FILE for SFTP' })
    .option('expect-passive-range', { type: 'string', describe: 'passive port range the firewall opens, e.g. 50000-50100' })
    .option('active', { type: 'boolean', default: false, describe: 'also test active mode (PORT/EPRT)' })
    .option('write-test', { type: 'boolean', default: false, describe: 'upload a uniquely named file, verify it, delete it' })
    .option('passive-samples', {
      type: 'number',
      describe: 'PASV/EPSV replies to sample for the passive range (default 6; 12 with --expect-passive-range)',
    })
    .option('concurrency', { type: 'number', default: 8, describe: 'endpoints scanned at once' })
    .option('connections', { type: 'number', describe: 'connections at once to one endpoint (default 4; 1 with --polite)' })
    .option('timeout', { type: 'number', describe: 'milliseconds any one step may take (default 5000; 15000 with --polite)' })
    .option('rate', {
      type: 'number',
      describe: 'new connections per second to one target address, across the whole scan (e.g. 2, or 0.5 for one every two seconds)',
    })
    .option('polite', {
      type: 'boolean',
      default: false,
      describe: 'for partner systems: --rate 1 --connections 1 --timeout 15000, and longer back-offs when the server turns us away',
    })
    .option('targets-file', {
      type: 'string',
      describe: 'read targets from FILE: CSV (host,port,service,user,passwordEnv,keyFile,policy), YAML, JSON, or one per line (# comments)',
    })
    .option('max-sockets', {
      type: 'number',
      default: 256,
      describe: 'sockets open at once across the whole scan (concurrency is capped at half of it)',
    })
    .option('endpoint-timeout', {
      type: 'number',
      describe:
        'overall milliseconds one endpoint may take; then its connections are closed and it is reported with what it has (default 60 x --timeout; 0 = none)',
    })
    .option('shard', {
      type: 'string',
      describe:
        'scan only shard I of N (e.g. 2/4), split by a stable hash of host:port; "auto" takes it from JOB_COMPLETION_INDEX/JOB_COMPLETIONS (Kubernetes Indexed Job); combine with "xferscan merge"',
    });
}

/** What the scan may do on the wire, the TLS trust and client identity, and how it shows progress. */
function scanTrustOptions<T>(y: Argv<T>) {
  return y
    .option('allow-foreign-pasv', { type: 'boolean', default: false, describe: 'follow a PASV reply to an address other than the target' })
    .option('allow-cleartext-login', { type: 'boolean', default: false, describe: 'allow sending a real password without TLS' })
    .option('ca-file', {
      type: 'string',
      array: true,
      describe: 'trusted CA certificates (PEM) for certificate checks; repeat for several stores (each is judged on its own)',
    })
    .option('client-cert', { type: 'string', describe: 'our client certificate (PEM, chain allowed) for servers that require one' })
    .option('client-key', { type: 'string', describe: 'the private key (PEM) of --client-cert' })
    .option('client-key-passphrase-env', { type: 'string', describe: "read --client-key's passphrase from the environment variable NAME" })
    .option('client-key-passphrase-file', { type: 'string', describe: "read --client-key's passphrase from FILE (first line)" })
    .option('client-key-passphrase', { type: 'string', hidden: true })
    .option('check-revocation', {
      type: 'boolean',
      default: false,
      describe: "ask the certificate's CA (OCSP responder, CRL, AIA issuer): contacts those third parties",
    })
    .option('intrusive', {
      type: 'boolean',
      default: true,
      describe: 'run the TLS tests that send malformed records or padding (Heartbleed, CCS injection, ROBOT); --no-intrusive skips them',
    })
    .option('color', { type: 'boolean', describe: 'colour the table (default: on a terminal)' })
    .option('progress', {
      type: 'boolean',
      describe: 'progress on stderr: a live line on a terminal, a heartbeat every ~10 s elsewhere (--no-progress: none)',
    })
    .option('expect-standby', {
      type: 'string',
      array: true,
      describe: 'a node (host:port) that should be standby now: closed or filtered; one that answers is a finding (repeatable)',
    })
    .option('vip-samples', {
      type: 'number',
      describe: "connections through each group's virtual address; default: enough to see every node with >= 99% probability",
    })
    .option('sign-key', {
      type: 'string',
      describe: 'Ed25519 private key (PEM): write a detached signature FILE.sig beside the JSON report (-o FILE)',
    });
}

/** How the scan reaches its targets: --proxy, -4/-6, --resolve (src/commands/network.ts). */
function networkOptions<T>(y: Argv<T>) {
  return y
    .option('proxy', {
      type: 'string',
      describe:
        'scan through a proxy: socks5://HOST:PORT or http://HOST:PORT (CONNECT); the proxy resolves names; credentials only from XFERSCAN_PROXY_USER and XFERSCAN_PROXY_PASSWORD',
    })
    .option('ipv4', { alias: '4', type: 'boolean', describe: 'use IPv4 addresses only' })
    .option('ipv6', { alias: '6', type: 'boolean', describe: 'use IPv6 addresses only' })
    .option('resolve', {
      // repeated, not `array`: an array option would swallow a following -4/-6
      type: 'string',
      describe: 'NAME=ADDR[,ADDR...]: use these addresses for NAME instead of the resolver (repeatable)',
    });
}

/** How the report is shown: shared by scan, report and merge. */
function displayOptions<T>(y: Argv<T>) {
  return y
    .option('all', { type: 'boolean', default: false, describe: 'table: list every finding, passes and skips too' })
    .option('level', { type: 'string', choices: ['fail', 'warn', 'info'], describe: 'table: lowest status listed (default warn)' })
    .option('quiet', { alias: 'q', type: 'boolean', default: false, describe: 'table: one verdict line per endpoint' })
    .option('verbose', {
      alias: 'v',
      type: 'boolean',
      default: false,
      describe: 'table: details, controls and evidence under each finding',
    })
    .option('sarif-all', { type: 'boolean', default: false, describe: 'SARIF: every finding as a result (default: fail, warn, error)' })
    .option('junit-fail-on-warn', { type: 'boolean', default: false, describe: 'JUnit: report WARN findings as failures' });
}

/** Rendering a report read from a file (report, merge, judge): the display options, format, output and colour. */
function renderedOptions<T>(y: Argv<T>) {
  return displayOptions(y)
    .option('format', {
      type: 'string',
      choices: [...FORMATS],
      describe: 'output format (default: table on a terminal, json otherwise)',
    })
    .option('output', { alias: 'o', type: 'string', describe: 'write to FILE instead of stdout' })
    .option('color', { type: 'boolean', describe: 'colour the table (default: on a terminal)' });
}

const savedReportOptions = <T>(y: Argv<T>) =>
  renderedOptions(y).positional('file', { type: 'string', demandOption: true, describe: 'a JSON report saved with --format json' });

const mergeOptions = <T>(y: Argv<T>) =>
  renderedOptions(y)
    .positional('files', {
      type: 'string',
      array: true,
      demandOption: true,
      describe: 'JSON reports (--format json) or NDJSON streams (--format ndjson)',
    })
    .option('profile', {
      type: 'string',
      describe: 'custom profile FILE the inputs were judged with (merge never opens a path named inside a report)',
    });

const judgeOptions = <T>(y: Argv<T>) =>
  savedReportOptions(y)
    .option('profile', {
      type: 'string',
      demandOption: true,
      describe: `judgement profile: ${PROFILE_NAMES.join(', ')}, or a profile FILE (JSON)`,
    })
    .option('policy', {
      type: 'string',
      describe: 'partner policy FILE for the policy checks (a path inside the report is never opened)',
    });

type Args = Record<string, unknown> & { _: (string | number)[] };

/** What each command does once its arguments are parsed and valid; returns the exit code. */
const COMMANDS: Record<string, (a: Args) => Promise<number>> = {
  async scan(a) {
    const list = [...((a.targets as string[] | undefined) ?? [])];
    const fromFile = a['targets-file'] ? readTargetsFile(a['targets-file'] as string) : [];
    return (await runScan(a as unknown as ScanArgs, list, process.stdout, fromFile)).exitCode;
  },
  async report(a) {
    const { rerender } = await import('./commands/report.js');
    const format = (a.format ?? (process.stdout.isTTY && !a.output ? 'table' : 'json')) as Format;
    if (a.output) checkOutputPath(a.output as string);
    const r = rerender(a.file as string, format, renderOptionsFrom(a, format));
    if (r.warning) process.stderr.write(`xferscan: warning: ${r.warning}\n`);
    if (a.output) writeOutput(a.output as string, r.text);
    else process.stdout.write(r.text);
    return EXIT.OK;
  },
  async diff(a) {
    const { diffReports, renderDiffText } = await import('./commands/diff.js');
    const { readReportFile } = await import('./commands/read-report.js');
    const d = diffReports(readReportFile(a.old as string), readReportFile(a.new as string));
    process.stdout.write(a.format === 'json' ? `${JSON.stringify(d, null, 2)}\n` : renderDiffText(d));
    return d.worse ? EXIT.FAIL : EXIT.OK;
  },
  async merge(a) {
    const { mergeReports, readMergeInput } = await import('./commands/merge.js');
    if (a.output) checkOutputPath(a.output as string);
    const { report, duplicates } = mergeReports((a.files as string[]).map(readMergeInput), a.profile as string | undefined);
    if (duplicates.length)
      process.stderr.write(
        `xferscan: note: ${duplicates.length} endpoint(s) appeared in more than one input; kept the one from the input that finished last (${duplicates.slice(0, 5).join(', ')}${duplicates.length > 5 ? ', …' : ''})\n`,
      );
    const format = (a.format ?? (process.stdout.isTTY && !a.output ? 'table' : 'json')) as Format;
    const text = render(report, format, renderOptionsFrom(a, format));
    if (a.output) writeOutput(a.output as string, text);
    else process.stdout.write(text);
    return exitCodeForReport(report);
  },
  async judge(a) {
    const { judgeInputs, judgeReport, readScanFile } = await import('./commands/judge.js');
    const format = (a.format ?? (process.stdout.isTTY && !a.output ? 'table' : 'json')) as Format;
    if (a.output) checkOutputPath(a.output as string);
    const { profile, policy } = judgeInputs(a.profile as string, a.policy as string | undefined);
    const file = a.file as string;
    const report = judgeReport(readScanFile(file).report, profile, { policy, file, policyFile: a.policy as string | undefined });
    const text = render(report, format, renderOptionsFrom(a, format));
    if (a.output) writeOutput(a.output as string, text);
    else process.stdout.write(text);
    return exitCodeForReport(report);
  },
  async verify(a) {
    const { verifyReportFile } = await import('./commands/verify.js');
    const v = verifyReportFile(a.file as string, {
      publicKey: a['public-key'] as string | undefined,
      signature: a.signature as string | undefined,
    });
    (v.exitCode === 0 ? process.stdout : process.stderr).write(`${v.message}\n`);
    return v.exitCode;
  },
  /** no command: the built-in demo target (an unknown word gets a hint instead) */
  async $0(a) {
    const extra = a._.map(String);
    if (extra.length > 0) throw new UsageError(`unknown command "${extra[0]}": did you mean "xferscan scan ${extra.join(' ')}"?`);
    const { runDemo } = await import('./demo.js');
    return runDemo(a as unknown as ScanArgs);
  },
};

/** The command line's grammar; commands run after parsing (see main). */
function buildParser(argv: string[]) {
  return (
    yargs(argv)
      .scriptName('xferscan')
      .usage(
        'xferscan — what a secure-file-transfer endpoint really offers (SFTP, FTPS, FTP)\n\nUsage: xferscan scan <target...> [options]\n       xferscan scan --targets-file inventory.csv --format ndjson [--shard 1/4] [--concurrency N] [--max-sockets N]\n       xferscan merge shard1.json shard2.json … [--format F] [-o FILE]\n       xferscan report SCAN.json --format html|markdown|junit|sarif|ndjson|table|json [-o FILE]\n       xferscan judge SCAN.json|SCAN.ndjson --profile hipaa [--policy FILE] [--format F] [-o FILE]\n       xferscan diff OLD.json NEW.json\n       xferscan verify REPORT.json [--public-key PUB.pem]\n       xferscan                    (no target: scan a built-in demo target)',
      )
      .command('scan [targets..]', 'scan targets and report', (y) =>
        displayOptions(networkOptions(scanOptions(y))).positional('targets', { type: 'string', array: true, describe: 'targets' }),
      )
      .command('report <file>', 're-render a saved JSON scan in another format', (y) => savedReportOptions(y))
      .command('diff <old> <new>', 'compare two saved JSON scans; exit 3 when something got worse', (y) =>
        y
          .positional('old', { type: 'string', demandOption: true, describe: 'the earlier JSON report' })
          .positional('new', { type: 'string', demandOption: true, describe: 'the later JSON report' })
          .option('format', { type: 'string', choices: ['text', 'json'], default: 'text', describe: 'output format' }),
      )
      .command(
        'merge <files..>',
        'combine JSON reports or NDJSON streams (e.g. of --shard runs) into one report; summary, compliance and digest recomputed',
        mergeOptions,
      )
      .command(
        'judge <file>',
        'judge a saved scan (JSON report or NDJSON stream) again under another profile (no connection): findings, summary, compliance, digest and exit code recomputed',
        judgeOptions,
      )
      .command(
        'verify <file>',
        'check a saved JSON report: its SHA-256 digest (detects accidental change), and with --public-key its Ed25519 signature (detects tampering); exit 0 good, 3 not',
        (y) =>
          y
            .positional('file', { type: 'string', demandOption: true, describe: 'a JSON report' })
            .option('public-key', { type: 'string', describe: 'Ed25519 public key (PEM) the report must be signed with' })
            .option('signature', { type: 'string', describe: 'detached signature file (default: REPORT.sig)' }),
      )
      .command('$0', false, (y) => displayOptions(networkOptions(scanOptions(y))))
      .epilog(EPILOG)
      .version(TOOL_VERSION)
      .help()
      .alias('h', 'help')
      // Unknown options are errors; an unknown word gets the friendlier hint from the demo command.
      .strictOptions()
      // Laying out help text costs tens of ms: only when asked for.
      .wrap(argv.some((x) => x === '--help' || x === '-h') ? Math.min(110, process.stdout.columns || 100) : null)
      .fail((msg, err) => {
        throw err instanceof UsageError ? err : new UsageError(msg ?? err?.message ?? 'invalid arguments');
      })
  );
}

export async function main(argv: string[]): Promise<void> {
  let exitCode: number;
  quietOnEpipe();
  installLastResort();
  try {
    // The commands are declared without yargs handlers and run after parsing: when a command's
    // handler runs, yargs lays out and caches the whole help text (~50 ms of CPU, right as the
    // scan's first connections open), in case that handler fails later.
    const parser = buildParser(argv);
    const parsed = (await parser.parseAsync(hideBin(['node', 'xferscan', ...argv]))) as Args;
    const name = String(parsed._[0] ?? '');
    if (Object.hasOwn(COMMANDS, name) && name !== '$0') {
      exitCode = await COMMANDS[name]({ ...parsed, _: parsed._.slice(1) });
    } else {
      exitCode = await COMMANDS.$0(parsed);
    }
  } catch (err) {
    if (err instanceof UsageError) {
      process.stderr.write(`xferscan: ${err.message}\n`);
      if (/unknown|invalid|Unknown argument|Not enough|Missing/.test(err.message))
        process.stderr.write('Run "xferscan --help" for usage.\n');
      exitCode = EXIT.SCAN_ERROR;
    } else {
      // Anything else is our bug: say so in one line; a stack trace only when asked for.
      process.stderr.write(`xferscan: internal error: ${(err as Error)?.message ?? String(err)}\n`);
      if (process.env.XFERSCAN_DEBUG) process.stderr.write(`${(err as Error)?.stack}\n`);
      exitCode = EXIT.SCAN_ERROR;
    }
  }
  process.exitCode = exitCode;
}
