// The report model: its schema (TypeBox, i.e. JSON Schema) and the types derived from it.
// Imports nothing above itself.
export * from './common.js';
export * from './tls.js';
export * from './ssh.js';
export * from './ftp.js';
export * from './views.js';
export * from './cluster.js';
export * from './grade.js';
export * from './politeness.js';
export * from './pace.js';
export * from './report.js';
