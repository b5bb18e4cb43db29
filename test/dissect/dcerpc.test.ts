/**
 * DCE/RPC auth legs carrying NTLMSSP: bind / bind_ack / auth3 with auth_type
 * 10 (NTLMSSP), alter_context after a Kerberos bind with auth_type 9 (SPNEGO),
 * big-endian headers, the probe for dynamic ports, bad auth lengths, every
 * truncation; and the shared zeek/dce-rpc captures checked against tshark's values.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { dcerpcAuth, dcerpcDissector } from '../../src/dissect/dcerpc.js';
import { Verdict } from '../../src/dissect/types.js';
import { AllInternalClassifier } from '../../src/config/classify.js';
import { recorder, has } from '../helpers/dissect-context.js';
import { ntlmAuthenticate, ntlmChallenge, ntlmNegotiate, spnegoInit, spnegoResp } from '../helpers/ntlm-messages.js';
import { analyzeFiles } from '../helpers/analyze.js';
import { haveShared, sharedCaptures, skip } from '../helpers/skip.js';

/** A PDU: header (little-endian unless `be`), body, auth pad, sec_trailer and credentials. */
function pdu(ptype: number, body: number[], auth?: { type: number; value: ArrayLike<number> }, be = false): number[] {
  const pad = auth ? (4 - (body.length % 4)) % 4 : 0;
  const value = auth ? Array.from(auth.value) : [];
  const frag = 16 + body.length + pad + (auth ? 8 : 0) + value.length;
  const u16 = (n: number) => (be ? [n >> 8, n & 255] : [n & 255, n >> 8]);
  const hdr = [5, 0, ptype, 0x03, be ? 0x00 : 0x10, 0, 0, 0, ...u16(frag), ...u16(value.length), 1, 0, 0, 0];
  const trailer = auth ? [auth.type, 6, pad, 0, 0, 0, 0, 0] : [];
  return [...hdr, ...body, ...new Array<number>(pad).fill(0), ...trailer, ...value];
}
// A bind body: max xmit / recv frag, assoc group, one presentation context (abstract and transfer syntaxes).
const BIND_BODY = [0xd0, 0x16, 0xd0, 0x16, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 1, 0, ...new Array<number>(40).fill(0x11)];
const ACK_BODY = [0xd0, 0x16, 0xd0, 0x16, 0x34, 0x12, 0, 0, 4, 0, ...Buffer.from('135\0'), 0, 0, 1, 0, 0, 0, 0, 0, ...new Array<number>(20).fill(0x22)];

const NEG = ntlmNegotiate({ domain: 'CORP', workstation: 'WS-ALICE', version: [10, 0, 19041] });
const CHAL = ntlmChallenge({ target: 'CORP', nbComputer: 'APP01', nbDomain: 'CORP', dnsComputer: 'app01.corp.example', dnsDomain: 'corp.example', version: [10, 0, 17763] });
const AUTH = ntlmAuthenticate({ domain: 'CORP', user: 'alice', workstation: 'WS-ALICE', version: [10, 0, 19041] });
const NTLMSSP = 10;
const SPNEGO = 9;

function run(bytes: number[], fromClient: boolean) {
  const ctx = recorder(fromClient);
  const buf = Buffer.from(bytes);
  return { v: dcerpcDissector.dissect(buf, 0, buf.length, ctx), obs: ctx.obs, counts: ctx.counts };
}
const probe = (b: number[]) => dcerpcDissector.probe!(Buffer.from(b), 0, b.length, 6);

test('NTLMSSP (auth_type 10): bind NEGOTIATE, bind_ack CHALLENGE, auth3 AUTHENTICATE', () => {
  const bind = pdu(11, BIND_BODY, { type: NTLMSSP, value: NEG });
  const a = run(bind, true);
  assert.is(a.v, Verdict.More);
  assert.ok(has(a.obs, 'src', 'os_version', '10.0.19041'));
  // NEGOTIATE with OEM domain and workstation supplied.
  assert.ok(has(a.obs, 'src', 'hostname', 'WS-ALICE'));
  assert.ok(has(a.obs, 'src', 'workgroup', 'CORP'));

  const b = run([...bind, ...pdu(16, [0, 0, 0, 0], { type: NTLMSSP, value: AUTH }), ...pdu(0, new Array<number>(24).fill(0))], true);
  assert.is(b.v, Verdict.Done);
  assert.ok(has(b.obs, 'src', 'user', 'CORP\\alice'));
  assert.equal(b.counts, []);

  const s = run(pdu(12, ACK_BODY, { type: NTLMSSP, value: CHAL }), false);
  assert.is(s.v, Verdict.Done);
  for (const [kind, value] of [
    ['hostname', 'APP01'],
    ['hostname', 'app01.corp.example'],
    ['domain', 'corp.example'],
    ['workgroup', 'CORP'],
    ['os_version', '10.0.17763'],
  ]) {
    assert.ok(has(s.obs, 'src', kind!, value!), `${kind} ${value}`);
  }
});

test('SPNEGO (auth_type 9): a Kerberos bind, then alter_context legs with NTLM; big-endian headers', () => {
  const krb = pdu(11, BIND_BODY, { type: SPNEGO, value: [0x60, 0x06, 0x06, 0x02, 0x2a, 0x86, 0x48, 0x00] });
  const a = run(krb, true);
  assert.is(a.v, Verdict.More);
  assert.equal(a.obs, []);
  const c = run([...krb, ...pdu(14, BIND_BODY, { type: SPNEGO, value: spnegoInit(NEG) }), ...pdu(14, BIND_BODY, { type: SPNEGO, value: spnegoResp(AUTH) })], true);
  assert.is(c.v, Verdict.Done);
  assert.ok(has(c.obs, 'src', 'hostname', 'WS-ALICE'));
  assert.ok(has(c.obs, 'src', 'user', 'CORP\\alice'));
  const s = run([...pdu(12, ACK_BODY, { type: SPNEGO, value: spnegoResp([0xa1, 0x00]) }), ...pdu(15, ACK_BODY, { type: SPNEGO, value: spnegoResp(CHAL) })], false);
  assert.is(s.v, Verdict.Done);
  assert.ok(has(s.obs, 'src', 'hostname', 'APP01'));
  const be = run(pdu(12, ACK_BODY, { type: NTLMSSP, value: CHAL }, true), false);
  assert.ok(has(be.obs, 'src', 'hostname', 'APP01'));
});

test('probe: whole bind / alter_context / auth3 with NTLMSSP or SPNEGO only', () => {
  assert.ok(probe(pdu(11, BIND_BODY, { type: NTLMSSP, value: NEG })));
  assert.ok(probe(pdu(14, BIND_BODY, { type: SPNEGO, value: spnegoInit(NEG) })));
  assert.ok(probe(pdu(16, [0, 0, 0, 0], { type: NTLMSSP, value: AUTH })));
  assert.not.ok(probe(pdu(11, BIND_BODY))); // no credentials
  assert.not.ok(probe(pdu(11, BIND_BODY, { type: 16, value: [0x60, 0x00] }))); // Kerberos
  assert.not.ok(probe(pdu(12, ACK_BODY, { type: NTLMSSP, value: CHAL }))); // a server's PDU
  assert.not.ok(probe(pdu(0, BIND_BODY, { type: NTLMSSP, value: NEG }))); // a request
  assert.not.ok(probe(pdu(11, BIND_BODY, { type: NTLMSSP, value: NEG }).slice(0, 60))); // cut
  assert.not.ok(probe([...Buffer.from('GET / HTTP/1.1\r\nHost: x\r\n\r\n')]));
  const wrongVersion = pdu(11, BIND_BODY, { type: NTLMSSP, value: NEG });
  wrongVersion[0] = 4;
  assert.not.ok(probe(wrongVersion));
  assert.not.ok(dcerpcDissector.probe!(Buffer.from(pdu(11, BIND_BODY, { type: NTLMSSP, value: NEG })), 0, 150, 17));
});

test('not DCE/RPC, requests first, bad auth lengths, every truncation and random bytes', () => {
  assert.is(run([...Buffer.from('SSH-2.0-OpenSSH_9.6\r\n')], true).v, Verdict.NotMine);
  assert.is(run(pdu(0, new Array<number>(24).fill(0)), true).v, Verdict.Done);
  const bad = pdu(11, BIND_BODY, { type: NTLMSSP, value: NEG });
  bad[10] = 0xff; // auth_length past the PDU
  const ctx = recorder(true);
  assert.is(dcerpcAuth(Buffer.from(bad), 0, ctx), null);
  assert.equal(ctx.counts, ['dcerpc.bad_auth_length']);
  const all = [...pdu(11, BIND_BODY, { type: NTLMSSP, value: NEG }), ...pdu(16, [0, 0, 0, 0], { type: NTLMSSP, value: AUTH })];
  for (let n = 1; n < all.length; n++) {
    const v = run(all.slice(0, n), true).v;
    assert.ok(v === Verdict.More, `cut at ${n}`);
  }
  let seed = 11;
  const rnd = () => ((seed = (seed * 1103515245 + 12345) >>> 0) >>> 16) & 255;
  for (let k = 0; k < 3000; k++) {
    const b = Array.from({ length: 1 + (k % 300) }, rnd);
    if (k % 2) b.splice(0, 5, 5, 0, [11, 12, 14, 15, 16][k % 5]!, 3, 0x10);
    run(b, k % 3 === 0);
    probe(b);
  }
});

const RPC_DIR = join(sharedCaptures, 'zeek', 'dce-rpc');
if (!haveShared() || !existsSync(RPC_DIR)) {
  skip('../shared/captures/zeek/dce-rpc is absent: NTLM in real DCE/RPC binds not checked');
} else {
  const ntlmOf = async (file: string) => {
    const { report } = await analyzeFiles([join(RPC_DIR, file)], { classifier: new AllInternalClassifier() });
    const r = report as unknown as { assets: { ips: string[]; attributes: Record<string, Record<string, string[]>> }[]; flows: { application: string; server_port: number }[] };
    return { ntlm: (ip: string) => r.assets.find((a) => a.ips.includes(ip))?.attributes['ntlmssp'] ?? {}, flows: r.flows };
  };
  test('real captures: MAPI on dynamic ports (NTLMSSP), an alter_context after Kerberos (SPNEGO), as tshark reads them', async () => {
    // tshark: ntlmssp.auth.hostname ALEONARD-XP, domain CNAMIS, user ALeonard; challenge target CNAMIS from 192.168.0.2.
    const m = await ntlmOf('mapi.pcap');
    assert.equal(m.ntlm('192.168.0.173')['hostname'], ['ALEONARD-XP']);
    assert.equal(m.ntlm('192.168.0.173')['user'], ['CNAMIS\\ALeonard']);
    assert.equal(m.ntlm('192.168.0.2')['workgroup'], ['CNAMIS']);
    assert.ok(m.flows.some((f) => f.application === 'MS-RPC' && f.server_port === 4997));
    // tshark: ntlmssp.auth.hostname CBTH-WS-1, BLACKCLOVER\Administrator; challenge target BLACKCLOVER from 10.10.10.121.
    const d = await ntlmOf('dce_rpc_ntlm.pcapng');
    assert.equal(d.ntlm('10.10.10.120')['hostname'], ['CBTH-WS-1']);
    assert.equal(d.ntlm('10.10.10.120')['user'], ['BLACKCLOVER\\Administrator']);
    assert.equal(d.ntlm('10.10.10.121')['workgroup'], ['BLACKCLOVER']);
  });
}

test.run();
