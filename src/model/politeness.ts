// Politeness (--rate, --polite): when a server refused or delayed our new connections (per-source
// penalties, per-IP limits, 421 greetings), how the scan backed off. Never a finding: the
// server protecting itself from us says nothing about its configuration for a partner.
import Type, { type Static } from 'typebox';
import { Count, List, Port, Str, obj, strEnum } from './util.js';

// ftp-refused-greeting: another 4xx/5xx greeting where the endpoint had greeted 220, or a 530
// greeting on first contact (ProFTPD answers its connection limits with 530)
export const THROTTLE_KINDS = [
  'closed-before-greeting',
  'reset-before-greeting',
  'ftp-421',
  'ftp-refused-greeting',
  'refused',
  'slow-accept',
] as const;
export const ThrottleKindSchema = strEnum(THROTTLE_KINDS);
export type ThrottleKind = Static<typeof ThrottleKindSchema>;

export const ThrottleEventSchema = obj({
  t: Str('ISO timestamp'),
  port: Port(),
  kind: ThrottleKindSchema,
  detail: Str(),
  waitMs: Count('how long the scan waited before trying again'),
  retried: Type.Boolean({ description: 'false: the attempts were used up, the step was left undecided' }),
});
export type ThrottleEvent = Static<typeof ThrottleEventSchema>;

export const ThrottleSchema = obj(
  {
    events: Count('new connections the server refused or delayed'),
    backoffMs: Count('time spent waiting before trying again, ms'),
    gaveUp: Count('connections still refused after the last attempt (their steps are undecided, never failed)'),
    log: List(ThrottleEventSchema, { description: 'the first events, in order' }),
  },
  'the server refused or delayed new connections from the scanner and the scan backed off',
);
export type Throttle = Static<typeof ThrottleSchema>;
