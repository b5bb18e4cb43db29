/**
 * NTLMSSP over HTTP: Authorization / Proxy-Authorization (NEGOTIATE then
 * AUTHENTICATE on one connection, NTLM or SPNEGO-wrapped Negotiate tokens,
 * tokens longer than the usual 1024-character value cut) and WWW-Authenticate
 * / Proxy-Authenticate (bare offers, then the CHALLENGE; the newest offer
 * re-opens the client's direction through reopenPeer); and the shared
 * capture zeek/erspan.pcap (IE 8 against IIS 7.5) checked against tshark's
 * values.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { httpDissector, parseHttpHead, header, MAX_VALUE } from '../../src/dissect/http-head.js';
import { Verdict } from '../../src/dissect/types.js';
import { AllInternalClassifier } from '../../src/config/classify.js';
import { recorder, has } from '../helpers/dissect-context.js';
import { ntlmAuthenticate, ntlmChallenge, ntlmNegotiate, spnegoInit, spnegoResp } from '../helpers/ntlm-messages.js';
import { analyzeFiles } from '../helpers/analyze.js';
import { haveShared, sharedCaptures, skip } from '../helpers/skip.js';

const b64 = (b: Buffer) => b.toString('base64');
const UA = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64)';

function request(auth?: string, name = 'Authorization'): string {
  return `GET /intranet/ HTTP/1.1\r\nHost: portal.corp.example\r\nUser-Agent: ${UA}\r\n${auth ? `${name}: ${auth}\r\n` : ''}\r\n`;
}
function response(status: number, auth: string[], name = 'WWW-Authenticate', server = 'Microsoft-IIS/10.0'): string {
  const reason = status === 401 ? 'Unauthorized' : status === 407 ? 'Proxy Authentication Required' : 'OK';
  return `HTTP/1.1 ${status} ${reason}\r\nServer: ${server}\r\n${auth.map((a) => `${name}: ${a}\r\n`).join('')}Content-Length: 0\r\n\r\n`;
}

function run(text: string, fromClient: boolean) {
  const ctx = recorder(fromClient);
  const buf = Buffer.from(text, 'latin1');
  const v = httpDissector.dissect(buf, 0, buf.length, ctx);
  return { v, obs: ctx.obs, counts: ctx.counts };
}

const NEG = ntlmNegotiate({ version: [10, 0, 19041] });
const CHAL = ntlmChallenge({ target: 'CORP', nbComputer: 'WEB01', nbDomain: 'CORP', dnsComputer: 'web01.corp.example', dnsDomain: 'corp.example', version: [10, 0, 17763] });
const AUTH = ntlmAuthenticate({ domain: 'CORP', user: 'alice', workstation: 'WS-ALICE', version: [10, 0, 19041] });

test('client: NTLM NEGOTIATE keeps the walk going to the AUTHENTICATE; workstation, user and version of the sender', () => {
  const first = request(`NTLM ${b64(NEG)}`);
  // The first request alone (User-Agent said) is not the end: its AUTHENTICATE is to come.
  const a = run(first, true);
  assert.is(a.v, Verdict.More);
  assert.ok(has(a.obs, 'src', 'os_version', '10.0.19041'));
  assert.ok(has(a.obs, 'src', 'user_agent', UA));

  const b = run(first + request(`NTLM ${b64(AUTH)}`), true);
  assert.is(b.v, Verdict.Done);
  assert.ok(has(b.obs, 'src', 'hostname', 'WS-ALICE'));
  assert.ok(has(b.obs, 'src', 'user', 'CORP\\alice'));
  assert.equal(b.obs.find((o) => o[0] === 'src' && o[1] === 'hostname')![3], { field: 'workstation' });
  assert.equal(b.counts, []);
});

test('client: SPNEGO-wrapped Negotiate tokens to a proxy; a token longer than MAX_VALUE is read whole', () => {
  // A long NTLMv2 response (target info with a long SPN) pushes the base64 past 1024 characters.
  const auth = ntlmAuthenticate({ domain: 'CORP', user: 'bob', workstation: 'LAPTOP-BOB', spn: 'HTTP/' + 'proxy.corp.example/'.repeat(30) });
  const token = b64(spnegoResp(auth));
  assert.ok(token.length > MAX_VALUE);
  const text = request(`Negotiate ${b64(spnegoInit(NEG))}`, 'Proxy-Authorization') + request(`Negotiate ${token}`, 'Proxy-Authorization');
  const h = parseHttpHead(Buffer.from(text, 'latin1'), 0, text.length);
  assert.is(header(h!, 'proxy-authorization')!.length, `Negotiate ${b64(spnegoInit(NEG))}`.length);
  const r = run(text, true);
  assert.is(r.v, Verdict.Done);
  assert.ok(has(r.obs, 'src', 'hostname', 'LAPTOP-BOB'));
  assert.ok(has(r.obs, 'src', 'user', 'CORP\\bob'));
});

test('server: a bare offer waits for the CHALLENGE; names, domain and version of the server', () => {
  const offer = response(401, ['Negotiate', 'NTLM']);
  const a = run(offer, false);
  assert.is(a.v, Verdict.More);
  const b = run(offer + response(401, [`NTLM ${b64(CHAL)}`]), false);
  assert.is(b.v, Verdict.Done);
  for (const [kind, value] of [
    ['hostname', 'WEB01'],
    ['hostname', 'web01.corp.example'],
    ['domain', 'corp.example'],
    ['workgroup', 'CORP'],
    ['os_version', '10.0.17763'],
    ['server', 'Microsoft-IIS/10.0'],
  ]) {
    assert.ok(has(b.obs, 'src', kind!, value!), `${kind} ${value}`);
  }
  // A proxy's 407 with a SPNEGO NegTokenResp, several challenges in one field.
  const c = run(response(407, [`Negotiate ${b64(spnegoResp(CHAL))}, Basic realm="x"`], 'Proxy-Authenticate', 'squid'), false);
  assert.is(c.v, Verdict.Done);
  assert.ok(has(c.obs, 'src', 'hostname', 'WEB01'));
});

test('server: a 401 / 407 offering NTLM or Negotiate re-opens the client direction, once, when it is the newest response', () => {
  const reopens = (text: string) => {
    const ctx = recorder(false);
    let n = 0;
    ctx.reopenPeer = () => void n++;
    const buf = Buffer.from(text, 'latin1');
    httpDissector.dissect(buf, 0, buf.length, ctx);
    return n;
  };
  const offer = response(401, ['Negotiate', 'NTLM']);
  const chal = response(401, [`NTLM ${b64(CHAL)}`]);
  assert.is(reopens(offer), 1);
  assert.is(reopens(chal), 1);
  assert.is(reopens(response(407, ['Negotiate'], 'Proxy-Authenticate', 'squid')), 1);
  // Re-read from the stream's start, an older offer is followed by the newer response: one call, for the newest.
  assert.is(reopens(offer + chal), 1);
  assert.is(reopens(offer + response(200, [])), 0);
  // The head of the 401 is there, its body still coming: it is the newest.
  assert.is(reopens(offer.replace('Content-Length: 0', 'Content-Length: 100')), 1);
  assert.is(reopens(response(401, ['Basic realm="x"'])), 0);
  assert.is(reopens(response(200, ['NTLM'])), 0);
  // A request never re-opens the server.
  const ctx = recorder(true);
  let n = 0;
  ctx.reopenPeer = () => void n++;
  const req = Buffer.from(request(`NTLM ${b64(NEG)}`), 'latin1');
  httpDissector.dissect(req, 0, req.length, ctx);
  assert.is(n, 0);
});

test('no NTLM: walks end as before; Kerberos and garbage tokens give nothing and never throw', () => {
  assert.is(run(request(), true).v, Verdict.Done);
  assert.is(run(request('Basic YWxpY2U6c2VjcmV0'), true).v, Verdict.Done);
  // A Kerberos Negotiate token (no NTLMSSP inside) ends the exchange too.
  const krb = run(request(`Negotiate ${b64(Buffer.from([0x60, 0x05, 0x06, 0x03, 0x2a, 0x86, 0x48]))}`), true);
  assert.is(krb.v, Verdict.Done);
  assert.equal(krb.obs.filter((o) => o[1] === 'hostname' || o[1] === 'user'), [['dst', 'hostname', 'portal.corp.example', { header: 'Host' }]]);
  for (let n = 0; n < AUTH.length; n++) {
    run(request(`NTLM ${b64(AUTH.subarray(0, n))}`), true);
    run(request(`NTLM ${b64(AUTH).slice(0, n)}`), true);
  }
  run(request('NTLM !!!notbase64***'), true);
});

const ERSPAN = join(sharedCaptures, 'zeek', 'erspan.pcap');
if (!haveShared() || !existsSync(ERSPAN)) {
  skip('../shared/captures/zeek/erspan.pcap is absent: NTLM over HTTP on a real capture not checked');
} else {
  test('real capture: IE 8 authenticating to IIS 7.5 with NTLM (inside ERSPAN), as tshark reads it', async () => {
    const { report } = await analyzeFiles([ERSPAN], { classifier: new AllInternalClassifier() });
    const assets = (report as unknown as { assets: { ips: string[]; attributes: Record<string, Record<string, string[]>> }[] }).assets;
    const ntlm = (ip: string) => assets.find((a) => a.ips.includes(ip))?.attributes['ntlmssp'] ?? {};
    // tshark: ntlmssp.auth.hostname STEVE-PC, ntlmssp.auth.domain sp, ntlmssp.auth.username administrator (from 192.168.69.10).
    assert.equal(ntlm('192.168.69.10')['hostname'], ['STEVE-PC']);
    assert.equal(ntlm('192.168.69.10')['user'], ['sp\\administrator']);
    // tshark: ntlmssp.challenge.target_name SP, NetBIOS computer TFDSP, DNS sp.local (from 192.168.69.2).
    assert.equal(ntlm('192.168.69.2')['workgroup'], ['SP']);
    assert.equal(ntlm('192.168.69.2')['hostname'], ['TFDSP', 'TFDSP.sp.local']);
    assert.equal(ntlm('192.168.69.2')['domain'], ['sp.local']);
  });
}

test.run();
