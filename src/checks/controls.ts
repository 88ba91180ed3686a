// Control references, spelled one way everywhere (profiles and the per-control view match on them).
export const pci = (...reqs: string[]) => reqs.map((r) => `PCI DSS 4.0.1 ${r}`);
export const hipaa = (...paras: string[]) => paras.map((p) => `HIPAA 45 CFR 164.312${p}`);
export const nist80052 = (...secs: string[]) => secs.map((s) => `NIST SP 800-52r2 ${s}`);
