// The report model lives in src/model/ (schema first: the types are derived from it).
export * from './model/index.js';
