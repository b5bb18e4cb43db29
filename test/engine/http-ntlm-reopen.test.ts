/**
 * NTLM over HTTP through the engine, as browsers do it on one keep-alive
 * connection: a request without credentials (its User-Agent ends the client's
 * direction), 401 offering NTLM / Negotiate, the request with the NEGOTIATE,
 * 401 with the CHALLENGE, the request with the AUTHENTICATE, 200. The offer
 * re-opens the client's direction (reopenPeer), so the client's workstation,
 * user and version are read; also through a proxy (407, Proxy-*). Without
 * such an offer the client's direction still ends at its first request.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as B from '../../src/capture/builder.js';
import { AllInternalClassifier } from '../../src/config/classify.js';
import { Engine } from '../../src/engine/engine.js';
import { buildReport } from '../../src/report/build.js';
import { ntlmAuthenticate, ntlmChallenge, ntlmNegotiate, spnegoInit, spnegoResp } from '../helpers/ntlm-messages.js';
import { T0 } from '../helpers/traffic.js';

const ETHERNET = 1;
const CLIENT = '10.1.0.10';
const SERVER = '10.1.0.20';
const UA = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:109.0) Gecko/20100101 Firefox/115.0';
const b64 = (b: Buffer) => b.toString('base64');

const NEG = ntlmNegotiate({ version: [10, 0, 19041] });
const CHAL = ntlmChallenge({ target: 'CORP', nbComputer: 'WEB01', nbDomain: 'CORP', dnsComputer: 'web01.corp.example', dnsDomain: 'corp.example', version: [10, 0, 17763] });
const AUTH = ntlmAuthenticate({ domain: 'CORP', user: 'alice', workstation: 'WS-ALICE', version: [10, 0, 19041] });

function request(headers: string[] = [], ua = UA): string {
  return `GET /intranet/ HTTP/1.1\r\nHost: portal.corp.example\r\nUser-Agent: ${ua}\r\n${headers.map((x) => x + '\r\n').join('')}\r\n`;
}
/** A response with an HTML body (IIS sends one with its 401s; 1600 bytes run over two segments). */
function response(status: number, headers: string[], server: string | null = 'Microsoft-IIS/10.0', bodyLen = 1600): string {
  const reason = status === 401 ? 'Unauthorized' : status === 407 ? 'Proxy Authentication Required' : 'OK';
  const body = 'x'.repeat(bodyLen);
  const srv = server === null ? '' : `Server: ${server}\r\n`;
  return `HTTP/1.1 ${status} ${reason}\r\n${srv}${headers.map((x) => x + '\r\n').join('')}Content-Length: ${body.length}\r\n\r\n${body}`;
}

type Attrs = Record<string, Record<string, string[]>>;

/** Runs one TCP connection (client first, then alternating) through an engine; the attributes of both ends. */
function connection(messages: string[], sport = 80): { client: Attrs; server: Attrs } {
  const e = new Engine({ classifier: new AllInternalClassifier() });
  const frames = B.tcpSession({
    client: CLIENT,
    server: SERVER,
    cport: 51000,
    sport,
    clientMac: '02:00:00:00:00:10',
    serverMac: '02:00:00:00:00:20',
    startUs: T0,
    requests: messages.map((data, i) => ({ fromClient: i % 2 === 0, data })),
  });
  for (const f of frames) e.packet(f.data, 0, f.data.length, f.data.length, f.tsUs, ETHERNET);
  e.finish();
  const r = buildReport(e, [], { generator: { name: 'nps', version: '0' }, deterministic: true });
  const assets = (r as unknown as { assets: { ips: string[]; attributes: Attrs }[] }).assets;
  const of = (ip: string) => assets.find((a) => a.ips.includes(ip))?.attributes ?? {};
  return { client: of(CLIENT), server: of(SERVER) };
}

test('browser flow: 401 offer, NEGOTIATE, CHALLENGE, AUTHENTICATE on one connection: the client is named', () => {
  const { client, server } = connection([
    request(),
    response(401, ['WWW-Authenticate: Negotiate', 'WWW-Authenticate: NTLM']),
    request([`Authorization: NTLM ${b64(NEG)}`]),
    response(401, [`WWW-Authenticate: NTLM ${b64(CHAL)}`]),
    request([`Authorization: NTLM ${b64(AUTH)}`]),
    response(200, []),
  ]);
  assert.equal(client['ntlmssp']?.['hostname'], ['WS-ALICE']);
  assert.equal(client['ntlmssp']?.['user'], ['CORP\\alice']);
  assert.equal(client['ntlmssp']?.['os_version'], ['10.0.19041']);
  assert.equal(client['http']?.['user_agent'], [UA]);
  assert.equal(server['ntlmssp']?.['hostname'], ['WEB01', 'web01.corp.example']);
});

test('through a proxy: 407 with Proxy-Authenticate: Negotiate, SPNEGO-wrapped tokens in Proxy-Authorization', () => {
  const { client, server } = connection(
    [
      request(),
      response(407, ['Proxy-Authenticate: Negotiate'], 'squid/5.7'),
      request([`Proxy-Authorization: Negotiate ${b64(spnegoInit(NEG))}`]),
      response(407, [`Proxy-Authenticate: Negotiate ${b64(spnegoResp(CHAL))}`], 'squid/5.7'),
      request([`Proxy-Authorization: Negotiate ${b64(spnegoResp(AUTH))}`]),
      response(200, [], 'squid/5.7'),
    ],
    3128,
  );
  assert.equal(client['ntlmssp']?.['hostname'], ['WS-ALICE']);
  assert.equal(client['ntlmssp']?.['user'], ['CORP\\alice']);
  assert.equal(server['ntlmssp']?.['hostname'], ['WEB01', 'web01.corp.example']);
});

test('a server direction re-read from its start (no Server header) re-opens the client once per offer, not again', () => {
  // After the AUTHENTICATE the client's direction is done; a fourth request (another User-Agent) is not read.
  const { client } = connection([
    request(),
    response(401, ['WWW-Authenticate: NTLM'], null),
    request([`Authorization: NTLM ${b64(NEG)}`]),
    response(401, [`WWW-Authenticate: NTLM ${b64(CHAL)}`], null),
    request([`Authorization: NTLM ${b64(AUTH)}`]),
    response(200, [], null),
    request([], 'Other/1.0'),
    response(200, [], null),
  ]);
  assert.equal(client['ntlmssp']?.['user'], ['CORP\\alice']);
  assert.equal(client['http']?.['user_agent'], [UA]);
});

test('keep-alive without an NTLM offer: the client direction ends after its first request', () => {
  const plain = connection([request(), response(200, []), request([], 'Other/1.0'), response(200, [])]);
  assert.equal(plain.client['http']?.['user_agent'], [UA]);
  // A 401 offering only Basic re-opens nothing either.
  const basic = connection([
    request(),
    response(401, ['WWW-Authenticate: Basic realm="intranet"']),
    request(['Authorization: Basic YWxpY2U6c2VjcmV0'], 'Other/1.0'),
    response(200, []),
  ]);
  assert.equal(basic.client['http']?.['user_agent'], [UA]);
});

test.run();
