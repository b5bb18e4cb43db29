/**
 * LDAP binds carrying NTLMSSP: SASL GSS-SPNEGO (NegTokenInit / NegTokenResp)
 * and Microsoft's sicily binds, after a rootDSE search, a bind retried with
 * other credentials, wrapped traffic after the bind; non-NTLM binds; every
 * truncation; and the shared zeek/ldap captures checked against tshark's values.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { ldapBinds, ldapDissector } from '../../src/dissect/ldap.js';
import { Verdict } from '../../src/dissect/types.js';
import { AllInternalClassifier } from '../../src/config/classify.js';
import { recorder, has } from '../helpers/dissect-context.js';
import { ntlmAuthenticate, ntlmChallenge, ntlmNegotiate, spnegoInit, spnegoResp, tlv } from '../helpers/ntlm-messages.js';
import { analyzeFiles } from '../helpers/analyze.js';
import { haveShared, sharedCaptures, skip } from '../helpers/skip.js';

const str = (s: string) => tlv(0x04, [...Buffer.from(s, 'latin1')]);
function message(id: number, op: number[]): number[] {
  return tlv(0x30, [0x02, 0x01, id, ...op]);
}
function saslBind(id: number, mech: string, creds: ArrayLike<number>): number[] {
  return message(id, tlv(0x60, [0x02, 0x01, 0x03, ...str(''), ...tlv(0xa3, [...str(mech), ...tlv(0x04, creds)])]));
}
function saslBindResponse(id: number, code: number, creds?: ArrayLike<number>): number[] {
  return message(id, tlv(0x61, [0x0a, 0x01, code, ...str(''), ...str(''), ...(creds ? tlv(0x87, creds) : [])]));
}
function sicilyBind(id: number, tag: number, token: ArrayLike<number>): number[] {
  return message(id, tlv(0x60, [0x02, 0x01, 0x03, ...str('NTLM'), ...tlv(tag, token)]));
}
/** A search of the rootDSE, as clients send before binding. */
const SEARCH = message(1, tlv(0x63, [...str(''), 0x0a, 0x01, 0x00, 0x0a, 0x01, 0x00, 0x02, 0x01, 0x00, 0x02, 0x01, 0x00, 0x01, 0x01, 0x00, ...tlv(0x87, [...Buffer.from('objectClass')]), ...tlv(0x30, [])]));
const SEARCH_DONE = message(1, tlv(0x65, [0x0a, 0x01, 0x00, ...str(''), ...str('')]));

const NEG = ntlmNegotiate({ version: [10, 0, 19041] });
const CHAL = ntlmChallenge({ target: 'CORP', nbComputer: 'DC01', nbDomain: 'CORP', dnsComputer: 'dc01.corp.example', dnsDomain: 'corp.example', version: [10, 0, 17763] });
const AUTH = ntlmAuthenticate({ domain: 'CORP', user: 'alice', workstation: 'WS-ALICE', version: [10, 0, 19041] });
const AUTH2 = ntlmAuthenticate({ domain: 'CORP', user: 'svc-backup', workstation: 'WS-ALICE' });

function run(bytes: number[], fromClient: boolean) {
  const ctx = recorder(fromClient);
  const buf = Buffer.from(bytes);
  return { v: ldapDissector.dissect(buf, 0, buf.length, ctx), obs: ctx.obs, counts: ctx.counts };
}

test('SASL GSS-SPNEGO bind: client NEGOTIATE then AUTHENTICATE (retried), server CHALLENGE', () => {
  const c1 = [...SEARCH, ...saslBind(2, 'GSS-SPNEGO', spnegoInit(NEG))];
  const a = run(c1, true);
  assert.is(a.v, Verdict.More);
  assert.ok(has(a.obs, 'src', 'os_version', '10.0.19041'));

  // A failed bind retried with other credentials: both users; then SASL-wrapped bytes end the walk.
  const c2 = [...c1, ...saslBind(3, 'GSS-SPNEGO', spnegoResp(AUTH)), ...saslBind(4, 'GSS-SPNEGO', spnegoInit(NEG)), ...saslBind(5, 'GSS-SPNEGO', spnegoResp(AUTH2))];
  const b = run(c2, true);
  assert.is(b.v, Verdict.More);
  assert.ok(has(b.obs, 'src', 'hostname', 'WS-ALICE'));
  assert.ok(has(b.obs, 'src', 'user', 'CORP\\alice'));
  assert.ok(has(b.obs, 'src', 'user', 'CORP\\svc-backup'));
  assert.is(run([...c2, 0x00, 0x00, 0x00, 0x40, 0x05, 0x04], true).v, Verdict.Done);
  assert.equal(b.counts, []);

  const s = run([...SEARCH_DONE, ...saslBindResponse(2, 14, spnegoResp(CHAL))], false);
  assert.is(s.v, Verdict.Done);
  for (const [kind, value] of [
    ['hostname', 'DC01'],
    ['hostname', 'dc01.corp.example'],
    ['domain', 'corp.example'],
    ['workgroup', 'CORP'],
    ['os_version', '10.0.17763'],
  ]) {
    assert.ok(has(s.obs, 'src', kind!, value!), `${kind} ${value}`);
  }
});

test('sicily bind: package discovery, sicilyNegotiate, CHALLENGE in matchedDN, sicilyResponse', () => {
  const discover = message(1, tlv(0x60, [0x02, 0x01, 0x03, ...str(''), 0x89, 0x00]));
  const c = run([...discover, ...sicilyBind(2, 0x8a, NEG), ...sicilyBind(3, 0x8b, AUTH)], true);
  assert.ok(has(c.obs, 'src', 'hostname', 'WS-ALICE'));
  assert.ok(has(c.obs, 'src', 'user', 'CORP\\alice'));
  const packages = message(1, tlv(0x61, [0x0a, 0x01, 0x00, ...str('NTLM;MSN'), ...str('')]));
  const s = run([...packages, ...message(2, tlv(0x61, [0x0a, 0x01, 0x00, ...tlv(0x04, CHAL), ...str('')]))], false);
  assert.is(s.v, Verdict.Done);
  assert.ok(has(s.obs, 'src', 'hostname', 'DC01'));
});

test('non-NTLM binds end the walk with nothing said; non-LDAP is not mine; truncations never throw', () => {
  const simple = message(1, tlv(0x60, [0x02, 0x01, 0x03, ...str('cn=admin,dc=example'), ...tlv(0x80, [...Buffer.from('secret')])]));
  const r = run([...simple, ...SEARCH], true);
  assert.is(r.v, Verdict.Done);
  assert.equal(r.obs, []);
  assert.is(run([...saslBind(1, 'GSSAPI', [0x60, 0x03, 0x06, 0x01, 0x00])], true).v, Verdict.Done);
  assert.is(run([...Buffer.from('GET / HTTP/1.1\r\n\r\n')], true).v, Verdict.NotMine);
  assert.is(run([0x30, 0x84, 0x00], true).v, Verdict.More);
  const all = [...SEARCH, ...saslBind(2, 'GSS-SPNEGO', spnegoInit(NEG)), ...saslBind(3, 'GSS-SPNEGO', spnegoResp(AUTH))];
  for (let n = 1; n < all.length; n++) {
    const v = run(all.slice(0, n), true).v;
    assert.ok(v === Verdict.More || v === Verdict.Done, `cut at ${n}`);
  }
  let seed = 7;
  const rnd = () => ((seed = (seed * 1103515245 + 12345) >>> 0) >>> 16) & 255;
  for (let k = 0; k < 2000; k++) {
    const b = Array.from({ length: 1 + (k % 200) }, rnd);
    if (k % 2) b[0] = 0x30;
    run(b, k % 3 === 0);
  }
  assert.is(ldapBinds(Buffer.from(all), 0, all.length)!.binds.length, 2);
});

const LDAP_DIR = join(sharedCaptures, 'zeek', 'ldap');
if (!haveShared() || !existsSync(LDAP_DIR)) {
  skip('../shared/captures/zeek/ldap is absent: NTLM in real LDAP binds not checked');
} else {
  const ntlmOf = async (file: string) => {
    const { report } = await analyzeFiles([join(LDAP_DIR, file)], { classifier: new AllInternalClassifier() });
    const assets = (report as unknown as { assets: { ips: string[]; attributes: Record<string, Record<string, string[]>> }[] }).assets;
    return (ip: string) => assets.find((a) => a.ips.includes(ip))?.attributes['ntlmssp'] ?? {};
  };
  test('real captures: SASL NTLM and GSS-SPNEGO binds, as tshark reads them', async () => {
    // tshark: ntlmssp.auth.domain ADHACKING.LOCAL, username User1; challenge target ADHACKING from 192.168.226.136.
    const a = await ntlmOf('aduser1-ntlm.pcap');
    assert.equal(a('192.168.226.131')['user'], ['ADHACKING.LOCAL\\User1']);
    assert.equal(a('192.168.226.136')['workgroup'], ['ADHACKING']);
    assert.equal(a('192.168.226.136')['domain'], ['ADHACKING.local']);
    // tshark: twelve binds on one connection; host DESKTOP-EVIL, six distinct users; challenge target MATRIX.
    const b = await ntlmOf('ldap_invalid_credentials.pcap');
    assert.equal(b('192.168.66.141')['hostname'], ['DESKTOP-EVIL']);
    assert.is(b('192.168.66.141')['user']!.length, 6);
    assert.ok(b('192.168.66.141')['user']!.some((u) => u.endsWith('\\agent.smith') || u === 'agent.smith'));
    assert.equal(b('192.168.66.138')['workgroup'], ['MATRIX']);
  });
}

test.run();
