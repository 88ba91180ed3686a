// Digest and verify (tamper evidence), report re-rendering, and diff with its exit codes.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import crypto from 'node:crypto';
import { canonicalJson, reportDigest, seal, signReport, verifyDigest, verifySignature } from '../../../src/report-meta.js';
import { diffReports } from '../../../src/commands/diff.js';
import { runCli, looksLikeStackTrace } from '../../helpers/cli.js';
import { FIXTURE, loadFixture } from '../../helpers/reports.js';
import type { Report } from '../../../src/model.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'xferscan-meta-'));
const write = (name: string, r: unknown) => {
  const f = path.join(tmp, name);
  fs.writeFileSync(f, typeof r === 'string' ? r : JSON.stringify(r, null, 2));
  return f;
};
const clone = (r: Report): Report => JSON.parse(JSON.stringify(r));

describe('canonical JSON and digest', () => {
  it('ignores key order and whitespace, not content', () => {
    expect(canonicalJson({ b: 1, a: [1, { d: 'x', c: null }], u: undefined })).toBe('{"a":[1,{"c":null,"d":"x"}],"b":1}');
    const r = loadFixture();
    const reordered = Object.fromEntries(Object.entries(r).reverse());
    expect(reportDigest(reordered)).toBe(reportDigest(r));
    expect(verifyDigest(r)).toEqual({ ok: true, digest: r.integrity!.digest });
  });
  it('detects any change, including one character in evidence', () => {
    const r = clone(loadFixture());
    r.endpoints[0].findings[0].detail += ' ';
    expect(verifyDigest(r)).toMatchObject({ ok: false, reason: 'mismatch' });
    const s = clone(loadFixture());
    s.summary.fail = 0;
    expect(verifyDigest(s).ok).toBe(false);
    const { integrity: _i, ...bare } = clone(loadFixture());
    expect(verifyDigest(bare)).toMatchObject({ ok: false, reason: 'no-digest' });
    expect(verifyDigest(seal(bare)).ok).toBe(true);
  });
});

describe('xferscan verify', () => {
  it('exit 0 for an intact report, 3 when tampered or without digest, 1 when not a report', async () => {
    const ok = await runCli(['verify', FIXTURE]);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(/OK/);
    const t = clone(loadFixture());
    t.endpoints[1].findings = t.endpoints[1].findings.filter((f) => f.status !== 'fail');
    const bad = await runCli(['verify', write('tampered.json', t)]);
    expect(bad.code).toBe(3);
    expect(bad.stderr).toMatch(/DIGEST MISMATCH/);
    // a bare digest cannot tell tampering from damage: it must not claim to
    expect(bad.stderr).not.toMatch(/: TAMPERED/);
    expect(ok.stdout).toMatch(/not a signature/);
    const { integrity: _i, ...bare } = loadFixture();
    expect((await runCli(['verify', write('bare.json', bare)])).code).toBe(3);
    const junk = await runCli(['verify', write('junk.json', '{"hello":1}')]);
    expect(junk.code).toBe(1);
    expect(junk.stderr).toMatch(/not an xferscan JSON report/);
    expect(looksLikeStackTrace(junk.stderr)).toBe(false);
  });
});

describe('signed reports (Ed25519, detached)', () => {
  const { privateKey, publicKey } = crypto.generateKeyPairSync('ed25519');
  const pub = write('sign.pub.pem', publicKey.export({ type: 'spki', format: 'pem' }).toString());
  const signed = (name: string, r: Report) => {
    const f = write(name, r);
    fs.writeFileSync(`${f}.sig`, JSON.stringify(signReport(r, privateKey)));
    return f;
  };

  it('an untouched signed report passes verify --public-key', async () => {
    const f = signed('signed.json', loadFixture());
    const r = await runCli(['verify', f, '--public-key', pub]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/SIGNATURE OK — signed with Ed25519 key SHA256:/);
  });

  it('FAILs flipped to pass and the digest recomputed: the digest still says OK, the signature does not', async () => {
    const f = signed('flipped.json', loadFixture());
    const t = JSON.parse(fs.readFileSync(f, 'utf8')) as Report;
    let flipped = 0;
    for (const ep of t.endpoints)
      for (const x of ep.findings)
        if (x.status === 'fail') {
          x.status = 'pass';
          flipped++;
        }
    expect(flipped).toBeGreaterThan(3);
    fs.writeFileSync(f, JSON.stringify(seal(t), null, 2));
    const digestOnly = await runCli(['verify', f]);
    expect(digestOnly.code).toBe(0); // what a digest can and cannot show
    const r = await runCli(['verify', f, '--public-key', pub]);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/SIGNATURE INVALID — the signature does not match the report content/);
    expect(looksLikeStackTrace(r.stderr)).toBe(false);
  });

  it('another key, a missing signature and a non-Ed25519 key are each one clear line', async () => {
    const other = crypto.generateKeyPairSync('ed25519').publicKey.export({ type: 'spki', format: 'pem' }).toString();
    const f = signed('other.json', loadFixture());
    const r = await runCli(['verify', f, '--public-key', write('other.pub.pem', other)]);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/SIGNATURE NOT VERIFIED — signed by key SHA256:\S+, not by the given key/);
    const unsigned = await runCli(['verify', write('unsigned.json', loadFixture()), '--public-key', pub]);
    expect(unsigned.code).toBe(3);
    expect(unsigned.stderr).toMatch(/NOT SIGNED/);
    const rsa = crypto.generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey.export({ type: 'spki', format: 'pem' }).toString();
    const bad = await runCli(['verify', f, '--public-key', write('rsa.pub.pem', rsa)]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/an Ed25519 public key is needed/);
  });

  it('verifySignature is pure and exact', () => {
    const r = loadFixture();
    const sig = signReport(r, privateKey);
    expect(verifySignature(r, sig, publicKey)).toMatchObject({ ok: true });
    const t = clone(r);
    t.endpoints[0].findings[0].detail += ' ';
    expect(verifySignature(t, sig, publicKey)).toMatchObject({ ok: false, reason: 'invalid' });
    expect(verifySignature(r, { ...sig, signature: 'AAAA' }, publicKey)).toMatchObject({ ok: false });
  });
});

describe('xferscan report', () => {
  it('re-renders a saved scan in every format, to stdout or --output', async () => {
    for (const format of ['html', 'markdown', 'junit', 'sarif', 'ndjson', 'json', 'table']) {
      const r = await runCli(['report', FIXTURE, '--format', format]);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toContain('TLS-PROTO-TLS10');
    }
    const out = path.join(tmp, 'r.html');
    const r = await runCli(['report', FIXTURE, '--format', 'html', '--output', out]);
    expect(r.code).toBe(0);
    expect(fs.readFileSync(out, 'utf8')).toMatch(/^<!DOCTYPE html>/);
    expect((await runCli(['report', path.join(tmp, 'missing.json'), '--format', 'html'])).stderr).toMatch(/cannot read/);
  });
  it('warns on stderr when the report does not match its digest', async () => {
    const t = clone(loadFixture());
    t.endpoints[0].banner = 'changed';
    const r = await runCli(['report', write('t2.json', t), '--format', 'markdown']);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/does not match its integrity digest/);
  });
});

describe('diff', () => {
  const base = loadFixture();
  it('no change → not worse', () => {
    const d = diffReports(base, clone(base));
    expect(d.entries).toEqual([]);
    expect(d.worse).toBe(false);
  });
  it('a pass turning into a fail, a new failing finding, a replaced host key and a newly open port are worse', () => {
    const n = clone(base);
    const pass = n.endpoints[0].findings.find((f) => f.status === 'pass')!;
    pass.status = 'fail';
    const d = diffReports(base, n);
    expect(d.worse).toBe(true);
    expect(d.entries).toContainEqual(
      expect.objectContaining({ kind: 'status-changed', id: pass.id, before: 'pass', after: 'fail', worse: true }),
    );

    const k = clone(base);
    k.endpoints[0].ssh!.hostKeys = [
      { type: 'ssh-ed25519', bits: 256, fingerprintSha256: 'SHA256:BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB' },
    ];
    expect(diffReports(base, k).entries).toContainEqual(expect.objectContaining({ kind: 'ssh-host-key', worse: true }));

    const e = clone(base);
    e.endpoints.push({ ...clone(base).endpoints[2], port: 2222 });
    expect(diffReports(base, e).entries).toContainEqual(
      expect.objectContaining({ kind: 'endpoint-added', endpoint: '127.0.0.1:2222', worse: true }),
    );
  });
  it('fixes, removed suites and a renewed certificate are changes, not worse', () => {
    const n = clone(base);
    const ftps = n.endpoints[1];
    ftps.findings = ftps.findings.filter((f) => f.id !== 'TLS-PROTO-TLS10');
    ftps.tls!.protocols['TLSv1.0'] = false;
    delete ftps.tls!.cipherSuites['TLSv1.0'];
    ftps.tls!.certificate = { ...ftps.tls!.certificate!, notAfter: '2027-01-01T00:00:00.000Z', fingerprintSha256: 'AA:BB' };
    const d = diffReports(base, n);
    expect(d.worse).toBe(false);
    expect(d.counts.better).toBeGreaterThan(0);
    expect(d.entries.map((e) => e.kind)).toEqual(expect.arrayContaining(['finding-removed', 'tls-protocols', 'tls-suites', 'certificate']));
  });
  it('CLI: exit 3 when worse, 0 otherwise, with a readable listing', async () => {
    const n = clone(base);
    n.endpoints[0].findings.find((f) => f.status === 'pass')!.status = 'fail';
    const worse = await runCli(['diff', FIXTURE, write('new.json', n)]);
    expect(worse.code).toBe(3);
    expect(worse.stdout).toMatch(/WORSE/);
    const same = await runCli(['diff', FIXTURE, FIXTURE]);
    expect(same.code).toBe(0);
    expect(same.stdout).toMatch(/no changes/);
    const better = await runCli(['diff', write('new2.json', n), FIXTURE, '--format', 'json']);
    expect(better.code).toBe(0);
    expect(JSON.parse(better.stdout).counts.better).toBe(1);
  });
});
