// Helpers for writing the report schema: every object is closed (an unknown field is an error at
// every level), nullable values are explicit, and string enums carry their TypeScript union.
import Type, { type Static, type TProperties, type TSchema } from 'typebox';

/** A closed object: unknown fields are rejected. */
export function obj<P extends TProperties>(properties: P, description?: string) {
  return Type.Object(properties, { additionalProperties: false, ...(description ? { description } : {}) });
}

export function nullable<T extends TSchema>(schema: T) {
  return Type.Union([schema, Type.Null()]);
}

export function strEnum<const V extends readonly string[]>(values: V, description?: string) {
  return Type.Unsafe<V[number]>({ type: 'string', enum: [...values], ...(description ? { description } : {}) });
}

/** A closed object whose keys are some of `keys` (e.g. TLS version names), each holding `value`. */
export function keyedBy<const K extends readonly string[], T extends TSchema>(keys: K, value: T, description?: string) {
  return Type.Unsafe<Partial<Record<K[number], Static<T>>>>({
    type: 'object',
    properties: Object.fromEntries(keys.map((k) => [k, value])),
    additionalProperties: false,
    ...(description ? { description } : {}),
  });
}

/** An object keyed by data (not field names), e.g. SFTP extension names. */
export function dictionary<T extends TSchema>(value: T, description?: string) {
  return Type.Unsafe<Record<string, Static<T>>>({ type: 'object', additionalProperties: value, ...(description ? { description } : {}) });
}

const d = (description?: string) => (description ? { description } : {});
export const Str = (description?: string) => Type.String(d(description));
export const Int = (description?: string) => Type.Integer(d(description));
export const Num = (description?: string) => Type.Number(d(description));
export const Bool = (description?: string) => Type.Boolean(d(description));
export const StrList = (description?: string) => Type.Array(Type.String(), d(description));
export const Port = (description?: string) => Type.Integer({ minimum: 0, maximum: 65535, ...d(description) });
export const Count = (description?: string) => Type.Integer({ minimum: 0, ...d(description) });
/** [low, high] */
export const Range = (description?: string) => Type.Array(Type.Integer(), { minItems: 2, maxItems: 2, ...d(description) });
export const Opt = Type.Optional;
export const List = Type.Array;
