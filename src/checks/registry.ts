// Every check the scanner knows, one line each, in report order. CheckId is derived from this
// list; profiles and policy files are validated against it.
import type { Check, CheckFamily } from './types.js';
import { netPortState } from './net/port-state.js';
import { netServiceRefused } from './net/service-refused.js';
import { cryptoInventory, netUnexpectedService, policyExpectedService, policyKeyPin } from './policy/policy.js';
import { ftpCleartextService, ftpSoftware, ftpsAuthSsl, ftpsAuthTls, ftpsImplicit } from './ftp/detection.js';
import { ftpAnonymous, ftpCleartextLogin } from './ftp/login.js';
import { ftpsCccAllowed, ftpsDataNotTls, ftpsProtCAllowed, ftpsProtP, ftpsSessionReuse } from './ftp/protection.js';
import { ftpBounce, ftpDataActive, ftpDataPassive } from './ftp/data-channels.js';
import { ftpWriteTestLeftover } from './ftp/write-test.js';
import { ftpsClientLibraries, ftpsTransferSequence } from './ftp/sequence.js';
import { ftpAlgRewrite, ftpPasvAddress, ftpPasvRange } from './ftp/passive.js';
import { netPasvFiltered } from './net/pasv-filtered.js';
import { tlsNoTls12, tlsNoTls13, tlsProtoSsl2, tlsProtoSsl3, tlsProtoTls10, tlsProtoTls11 } from './tls/protocols.js';
import * as ciphers from './tls/ciphers.js';
import { tlsDhWeak, tlsExtEms, tlsExtRenegotiation, tlsFallbackScsv, tlsServerPreference } from './tls/negotiation.js';
import { tlsCertExpired, tlsCertExpiring, tlsCertNameMismatch, tlsCertNotYetValid, tlsCertUntrusted } from './tls/cert-validity.js';
import { tlsCertLifetime, tlsCertWeakKey, tlsCertWeakSignature } from './tls/cert-strength.js';
import { tlsDataChannelDiffers } from './tls/data-channel.js';
import * as vulns from './tls/vulns.js';
import * as depth from './tls/depth.js';
import { sshProto1, sshSoftware } from './ssh/identity.js';
import { sshCipherWeak, sshCompression, sshHostkeyWeak, sshKexWeak, sshMacWeak, sshNoPqKex, sshTerrapin } from './ssh/algorithms.js';
import { sshAuthMethods, sshSftpOnly, sshSftpSubsystem } from './ssh/login.js';
import { probeError } from './scan/probe-error.js';
import { CLUSTER_DRIFT } from './cluster/drift.js';
import { CLUSTER_SCAN } from './cluster/vip.js';

export const ALL_CHECKS = [
  netPortState,
  netServiceRefused,
  policyExpectedService,
  netUnexpectedService,
  policyKeyPin,
  cryptoInventory,
  ftpCleartextService,
  ftpsAuthTls,
  ftpsAuthSsl,
  ftpsImplicit,
  ftpSoftware,
  ftpCleartextLogin,
  ftpAnonymous,
  ftpBounce,
  ftpsProtP,
  ftpsProtCAllowed,
  ftpsDataNotTls,
  ftpsCccAllowed,
  ftpsSessionReuse,
  ftpDataPassive,
  ftpDataActive,
  ftpsTransferSequence,
  ftpsClientLibraries,
  ftpPasvAddress,
  ftpPasvRange,
  ftpAlgRewrite,
  ftpWriteTestLeftover,
  netPasvFiltered,
  tlsProtoSsl2,
  tlsProtoSsl3,
  tlsProtoTls10,
  tlsProtoTls11,
  tlsNoTls12,
  tlsNoTls13,
  ciphers.tlsCipherNull,
  ciphers.tlsCipherAnon,
  ciphers.tlsCipherExport,
  ciphers.tlsCipherRc4,
  ciphers.tlsCipherDes,
  ciphers.tlsCipher3des,
  ciphers.tlsCipherNoPfs,
  ciphers.tlsCipherCbc,
  ciphers.tlsCipherProfile,
  tlsServerPreference,
  tlsDhWeak,
  tlsExtRenegotiation,
  tlsExtEms,
  tlsFallbackScsv,
  tlsCertExpired,
  tlsCertNotYetValid,
  tlsCertExpiring,
  tlsCertUntrusted,
  tlsCertNameMismatch,
  tlsCertWeakKey,
  tlsCertWeakSignature,
  tlsCertLifetime,
  tlsDataChannelDiffers,
  depth.tlsCertChain,
  depth.tlsCertUsage,
  depth.tlsCertMustStaple,
  depth.tlsOcspStapling,
  depth.tlsCertRevoked,
  depth.tlsClientCert,
  vulns.tlsVulnHeartbleed,
  vulns.tlsVulnCcsInjection,
  vulns.tlsVulnRobot,
  vulns.tlsVulnInsecureRenegotiation,
  vulns.tlsVulnClientRenegotiation,
  vulns.tlsVulnTicketbleed,
  vulns.tlsVulnDowngradeSentinel,
  vulns.tlsVulnPoodle,
  vulns.tlsVulnBeast,
  vulns.tlsVulnLucky13,
  vulns.tlsVulnSweet32,
  vulns.tlsVulnFreak,
  vulns.tlsVulnLogjam,
  vulns.tlsVulnDrown,
  vulns.tlsVulnRc4,
  vulns.tlsVulnCrime,
  sshProto1,
  sshKexWeak,
  sshHostkeyWeak,
  sshCipherWeak,
  sshMacWeak,
  sshTerrapin,
  sshNoPqKex,
  sshCompression,
  sshSoftware,
  sshAuthMethods,
  sshSftpSubsystem,
  sshSftpOnly,
  probeError,
] as const;

/** Checks over a group of nodes (and over the whole scan): src/checks/cluster. */
export const CLUSTER_CHECKS = [...CLUSTER_DRIFT, ...CLUSTER_SCAN] as const;

export type CheckId = (typeof ALL_CHECKS)[number]['id'] | (typeof CLUSTER_CHECKS)[number]['id'];

/** Every check id, in report order. */
export const CHECK_IDS: readonly CheckId[] = [...ALL_CHECKS.map((c) => c.id), ...CLUSTER_CHECKS.map((c) => c.id)];

const KNOWN = new Set<string>(CHECK_IDS);
export function isKnownCheckId(id: string): id is CheckId {
  return KNOWN.has(id);
}

/** The checks of one part of the catalogue, in report order. */
export function checksOf(...families: CheckFamily[]): readonly Check[] {
  return ALL_CHECKS.filter((c) => families.includes(c.family));
}
