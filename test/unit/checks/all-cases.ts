// Every cases file, for the catalogue test to read their rows without running them again. The
// catalogue test fails when a *.cases.test.ts file is missing here.
import './collect-mode.js';
import './ftp-detection.cases.test.js';
import './ftp-login.cases.test.js';
import './ftp-protection.cases.test.js';
import './ftp-data-channels.cases.test.js';
import './ftp-sequence.cases.test.js';
import './ftp-passive.cases.test.js';
import './ftp-write-test.cases.test.js';
import './net.cases.test.js';
import './policy.cases.test.js';
import './tls-protocols.cases.test.js';
import './tls-ciphers.cases.test.js';
import './tls-negotiation.cases.test.js';
import './tls-certificates.cases.test.js';
import './tls-vulns.cases.test.js';
import './tls-depth.cases.test.js';
import './ssh-identity.cases.test.js';
import './ssh-algorithms.cases.test.js';
import './ssh-login.cases.test.js';
import './scan.cases.test.js';
