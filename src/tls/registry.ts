// The suite registry is knowledge (src/knowledge/tls-registry.ts); the TLS engine reads it from here.
export * from '../knowledge/tls-registry.js';
