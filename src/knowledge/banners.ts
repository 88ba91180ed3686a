// Telling FTP from other line protocols by what they say first. A 220 greeting is not proof of
// FTP: SMTP greets with 220 too; POP3, IMAP and HTTP say other things.

/** RFC 3463 enhanced status codes (SMTP): "550 5.7.1 …" — FTP replies never carry them. */
const ENHANCED_STATUS = /^\d{3}[ -][245]\.\d{1,3}\.\d{1,3}\b/;

/** The protocol a first line (or a 220 greeting and the replies after it) belongs to, when it is not FTP or SSH. */
export function otherProtocol(lines: readonly string[]): string | null {
  const first = lines[0] ?? '';
  if (/^\+OK\b/.test(first)) return 'POP3';
  if (/^\* (OK|PREAUTH|BYE)\b/i.test(first)) return 'IMAP';
  if (/^HTTP\/\d/.test(first) || /^<(!doctype|html)/i.test(first)) return 'HTTP';
  if (/^220[ -].*\b(E?SMTP|LMTP|Postfix|Exim|Sendmail|mail server|Mail Service)\b/i.test(first)) return 'SMTP';
  if (lines.some((l) => ENHANCED_STATUS.test(l))) return 'SMTP';
  return null;
}
