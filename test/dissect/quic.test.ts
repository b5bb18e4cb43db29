/**
 * QUIC Initial dissector: the published test vectors of RFC 9001 appendix A
 * (keys, header protection, the client and server Initials) and RFC 9369
 * appendix A (QUIC v2), ClientHellos built here and protected with the
 * same keys (split over packets and datagrams, coalesced, out of order,
 * after a Retry, capped), hostile bytes, and the shared QUIC captures run
 * through the engine and compared with tshark.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createCipheriv } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { initialKeys, looksLikeQuicInitial, openPacket, quicDissector, readInitialFrames, QUIC_V1, QUIC_V2, type InitialKeys } from '../../src/dissect/quic.js';
import { Verdict, type DissectContext } from '../../src/dissect/types.js';
import { L3, IPPROTO_UDP } from '../../src/decode/view.js';
import { AllInternalClassifier } from '../../src/config/classify.js';
import { analyzeFiles } from '../helpers/analyze.js';
import { decodedFrames } from '../helpers/real-captures.js';
import { ip4ToString, ip6ToString } from '../../src/inventory/addr-format.js';
import { recorder, has, type Obs } from '../helpers/dissect-context.js';
import { haveShared, haveTool, sharedCaptures, skip } from '../helpers/skip.js';

const hex = (s: string): Buffer => Buffer.from(s.replace(/\s+/g, ''), 'hex');
const DCID = hex('8394c8f03e515708');

// ---------------------------------------------------------------------------
// RFC 9001 appendix A

/** A.2: the client's protected Initial (1200 bytes). */
const RFC9001_CLIENT = hex(`
c000000001088394c8f03e5157080000 449e7b9aec34d1b1c98dd7689fb8ec11
d242b123dc9bd8bab936b47d92ec356c 0bab7df5976d27cd449f63300099f399
1c260ec4c60d17b31f8429157bb35a12 82a643a8d2262cad67500cadb8e7378c
8eb7539ec4d4905fed1bee1fc8aafba1 7c750e2c7ace01e6005f80fcb7df6212
30c83711b39343fa028cea7f7fb5ff89 eac2308249a02252155e2347b63d58c5
457afd84d05dfffdb20392844ae81215 4682e9cf012f9021a6f0be17ddd0c208
4dce25ff9b06cde535d0f920a2db1bf3 62c23e596d11a4f5a6cf3948838a3aec
4e15daf8500a6ef69ec4e3feb6b1d98e 610ac8b7ec3faf6ad760b7bad1db4ba3
485e8a94dc250ae3fdb41ed15fb6a8e5 eba0fc3dd60bc8e30c5c4287e53805db
059ae0648db2f64264ed5e39be2e20d8 2df566da8dd5998ccabdae053060ae6c
7b4378e846d29f37ed7b4ea9ec5d82e7 961b7f25a9323851f681d582363aa5f8
9937f5a67258bf63ad6f1a0b1d96dbd4 faddfcefc5266ba6611722395c906556
be52afe3f565636ad1b17d508b73d874 3eeb524be22b3dcbc2c7468d54119c74
68449a13d8e3b95811a198f3491de3e7 fe942b330407abf82a4ed7c1b311663a
c69890f4157015853d91e923037c227a 33cdd5ec281ca3f79c44546b9d90ca00
f064c99e3dd97911d39fe9c5d0b23a22 9a234cb36186c4819e8b9c5927726632
291d6a418211cc2962e20fe47feb3edf 330f2c603a9d48c0fcb5699dbfe58964
25c5bac4aee82e57a85aaf4e2513e4f0 5796b07ba2ee47d80506f8d2c25e50fd
14de71e6c418559302f939b0e1abd576 f279c4b2e0feb85c1f28ff18f58891ff
ef132eef2fa09346aee33c28eb130ff2 8f5b766953334113211996d20011a198
e3fc433f9f2541010ae17c1bf202580f 6047472fb36857fe843b19f5984009dd
c324044e847a4f4a0ab34f719595de37 252d6235365e9b84392b061085349d73
203a4a13e96f5432ec0fd4a1ee65accd d5e3904df54c1da510b0ff20dcc0c77f
cb2c0e0eb605cb0504db87632cf3d8b4 dae6e705769d1de354270123cb11450e
fc60ac47683d7b8d0f811365565fd98c 4c8eb936bcab8d069fc33bd801b03ade
a2e1fbc5aa463d08ca19896d2bf59a07 1b851e6c239052172f296bfb5e724047
90a2181014f3b94a4e97d117b4381303 68cc39dbb2d198065ae3986547926cd2
162f40a29f0c3c8745c0f50fba3852e5 66d44575c29d39a03f0cda721984b6f4
40591f355e12d439ff150aab7613499d bd49adabc8676eef023b15b65bfc5ca0
6948109f23f350db82123535eb8a7433 bdabcb909271a6ecbcb58b936a88cd4e
8f2e6ff5800175f113253d8fa9ca8885 c2f552e657dc603f252e1a8e308f76f0
be79e2fb8f5d5fbbe2e30ecadd220723 c8c0aea8078cdfcb3868263ff8f09400
54da48781893a7e49ad5aff4af300cd8 04a6b6279ab3ff3afb64491c85194aab
760d58a606654f9f4400e8b38591356f bf6425aca26dc85244259ff2b19c41b9
f96f3ca9ec1dde434da7d2d392b905dd f3d1f9af93d1af5950bd493f5aa731b4
056df31bd267b6b90a079831aaf579be 0a39013137aac6d404f518cfd4684064
7e78bfe706ca4cf5e9c5453e9f7cfd2b 8b4c8d169a44e55c88d4a9a7f9474241
e221af44860018ab0856972e194cd934`);

/** A.2: the CRYPTO frame at the start of the client's payload (PADDING follows). */
const RFC9001_CLIENT_FRAMES = hex(`
060040f1010000ed0303ebf8fa56f129 39b9584a3896472ec40bb863cfd3e868
04fe3a47f06a2b69484c000004130113 02010000c000000010000e00000b6578
616d706c652e636f6dff01000100000a 00080006001d00170018001000070005
04616c706e0005000501000000000033 00260024001d00209370b2c9caa47fba
baf4559fedba753de171fa71f50f1ce1 5d43e994ec74d748002b000302030400
0d0010000e0403050306030203080408 050806002d00020101001c0002400100
3900320408ffffffffffffffff050480 00ffff07048000ffff08011001048000
75300901100f088394c8f03e51570806 048000ffff`);

/** A.3: the server's protected Initial. */
const RFC9001_SERVER = hex(`
cf000000010008f067a5502a4262b500 4075c0d95a482cd0991cd25b0aac406a
5816b6394100f37a1c69797554780bb3 8cc5a99f5ede4cf73c3ec2493a1839b3
dbcba3f6ea46c5b7684df3548e7ddeb9 c3bf9c73cc3f3bded74b562bfb19fb84
022f8ef4cdd93795d77d06edbb7aaf2f 58891850abbdca3d20398c276456cbc4
2158407dd074ee`);

const RFC9001_SERVER_PAYLOAD = hex(`
02000000000600405a020000560303ee fce7f7b37ba1d1632e96677825ddf739
88cfc79825df566dc5430b9a045a1200 130100002e00330024001d00209d3c94
0d89690b84d08a60993c144eca684d10 81287c834d5311bcf32bb9da1a002b00
020304`);

/** RFC 9369 A.2: the same client Initial in QUIC version 2. */
const RFC9369_CLIENT = hex(`
d76b3343cf088394c8f03e5157080000449ea0c95e82ffe67b6abcdb4298b485
dd04de806071bf03dceebfa162e75d6c96058bdbfb127cdfcbf903388e99ad04
9f9a3dd4425ae4d0992cfff18ecf0fdb5a842d09747052f17ac2053d21f57c5d
250f2c4f0e0202b70785b7946e992e58a59ac52dea6774d4f03b55545243cf1a
12834e3f249a78d395e0d18f4d766004f1a2674802a747eaa901c3f10cda5500
cb9122faa9f1df66c392079a1b40f0de1c6054196a11cbea40afb6ef5253cd68
18f6625efce3b6def6ba7e4b37a40f7732e093daa7d52190935b8da58976ff33
12ae50b187c1433c0f028edcc4c2838b6a9bfc226ca4b4530e7a4ccee1bfa2a3
d396ae5a3fb512384b2fdd851f784a65e03f2c4fbe11a53c7777c023462239dd
6f7521a3f6c7d5dd3ec9b3f233773d4b46d23cc375eb198c63301c21801f6520
bcfb7966fc49b393f0061d974a2706df8c4a9449f11d7f3d2dcbb90c6b877045
636e7c0c0fe4eb0f697545460c806910d2c355f1d253bc9d2452aaa549e27a1f
ac7cf4ed77f322e8fa894b6a83810a34b361901751a6f5eb65a0326e07de7c12
16ccce2d0193f958bb3850a833f7ae432b65bc5a53975c155aa4bcb4f7b2c4e5
4df16efaf6ddea94e2c50b4cd1dfe06017e0e9d02900cffe1935e0491d77ffb4
fdf85290fdd893d577b1131a610ef6a5c32b2ee0293617a37cbb08b847741c3b
8017c25ca9052ca1079d8b78aebd47876d330a30f6a8c6d61dd1ab5589329de7
14d19d61370f8149748c72f132f0fc99f34d766c6938597040d8f9e2bb522ff9
9c63a344d6a2ae8aa8e51b7b90a4a806105fcbca31506c446151adfeceb51b91
abfe43960977c87471cf9ad4074d30e10d6a7f03c63bd5d4317f68ff325ba3bd
80bf4dc8b52a0ba031758022eb025cdd770b44d6d6cf0670f4e990b22347a7db
848265e3e5eb72dfe8299ad7481a408322cac55786e52f633b2fb6b614eaed18
d703dd84045a274ae8bfa73379661388d6991fe39b0d93debb41700b41f90a15
c4d526250235ddcd6776fc77bc97e7a417ebcb31600d01e57f32162a8560cacc
7e27a096d37a1a86952ec71bd89a3e9a30a2a26162984d7740f81193e8238e61
f6b5b984d4d3dfa033c1bb7e4f0037febf406d91c0dccf32acf423cfa1e70710
10d3f270121b493ce85054ef58bada42310138fe081adb04e2bd901f2f13458b
3d6758158197107c14ebb193230cd1157380aa79cae1374a7c1e5bbcb80ee23e
06ebfde206bfb0fcbc0edc4ebec309661bdd908d532eb0c6adc38b7ca7331dce
8dfce39ab71e7c32d318d136b6100671a1ae6a6600e3899f31f0eed19e3417d1
34b90c9058f8632c798d4490da4987307cba922d61c39805d072b589bd52fdf1
e86215c2d54e6670e07383a27bbffb5addf47d66aa85a0c6f9f32e59d85a44dd
5d3b22dc2be80919b490437ae4f36a0ae55edf1d0b5cb4e9a3ecabee93dfc6e3
8d209d0fa6536d27a5d6fbb17641cde27525d61093f1b28072d111b2b4ae5f89
d5974ee12e5cf7d5da4d6a31123041f33e61407e76cffcdcfd7e19ba58cf4b53
6f4c4938ae79324dc402894b44faf8afbab35282ab659d13c93f70412e85cb19
9a37ddec600545473cfb5a05e08d0b209973b2172b4d21fb69745a262ccde96b
a18b2faa745b6fe189cf772a9f84cbfc`);

/** The ClientHello of the RFC examples (the CRYPTO frame's data). */
const RFC_HELLO = RFC9001_CLIENT_FRAMES.subarray(4);

type Ctx = DissectContext & { obs: Obs[]; counts: string[] };

/** A context for one UDP conversation (client 10.0.0.1:50000, server 192.0.2.1:443). */
function conversation(): { ctx: Ctx; client: () => Ctx; server: () => Ctx } {
  const ctx = recorder(true, IPPROTO_UDP);
  const v = ctx.view;
  v.l3 = L3.IPv4;
  const set = (fromClient: boolean) => {
    (ctx as { fromClient: boolean }).fromClient = fromClient;
    v.src4 = fromClient ? 0x0a000001 : 0xc0000201;
    v.dst4 = fromClient ? 0xc0000201 : 0x0a000001;
    v.srcPort = fromClient ? 50000 : 443;
    v.dstPort = fromClient ? 443 : 50000;
    return ctx;
  };
  return { ctx, client: () => set(true), server: () => set(false) };
}

const run = (ctx: DissectContext, b: Buffer): Verdict => quicDissector.dissect(b, 0, b.length, ctx);

test('RFC 9001 A.1: initial keys of both directions', () => {
  const c = initialKeys(QUIC_V1, DCID, 'client');
  assert.is(c.key.toString('hex'), '1f369613dd76d5467730efcbe3b1a22d');
  assert.is(c.iv.toString('hex'), 'fa044b2f42a3fd3b46fb255c');
  assert.is(c.hp.toString('hex'), '9f50449e04a0e810283a1e9933adedd2');
  const s = initialKeys(QUIC_V1, DCID, 'server');
  assert.is(s.key.toString('hex'), 'cf3a5331653c364c88f0f379b6067e37');
  assert.is(s.iv.toString('hex'), '0ac1493ca1905853b0bba03e');
  assert.is(s.hp.toString('hex'), 'c206b8d9b9f0f37644430b490eeaa314');
});

test('RFC 9369 A.1: QUIC v2 initial keys (other salt and labels)', () => {
  const c = initialKeys(QUIC_V2, DCID, 'client');
  assert.is(c.key.toString('hex'), '8b1a0bc121284290a29e0971b5cd045d');
  assert.is(c.iv.toString('hex'), '91f73e2351d8fa91660e909f');
  assert.is(c.hp.toString('hex'), '45b95e15235d6f45a6b19cbcb0294ba9');
  const s = initialKeys(QUIC_V2, DCID, 'server');
  assert.is(s.key.toString('hex'), '82db637861d55e1d011f19ea71d5d2a7');
  assert.is(s.iv.toString('hex'), 'dd13c276499c0249d3310652');
  assert.is(s.hp.toString('hex'), 'edf6d05c83121201b436e16877593c3a');
});

test('RFC 9001 A.2: header protection removed, payload decrypted, capture bytes untouched', () => {
  const copy = Buffer.from(RFC9001_CLIENT);
  // Packet number offset: 1 + 4 + 1 + 8 + 1 + 0 + 1 (token length) + 2 (Length).
  const p = openPacket(copy, 0, 18, copy.length, initialKeys(QUIC_V1, DCID, 'client'));
  assert.ok(p);
  assert.is(p!.length, 1162);
  assert.equal(p!.subarray(0, RFC9001_CLIENT_FRAMES.length), RFC9001_CLIENT_FRAMES);
  assert.ok(p!.subarray(RFC9001_CLIENT_FRAMES.length).every((x) => x === 0), 'PADDING after the CRYPTO frame');
  assert.equal(copy, RFC9001_CLIENT);
  // The wrong keys (server's, or another DCID) do not authenticate.
  assert.is(openPacket(copy, 0, 18, copy.length, initialKeys(QUIC_V1, DCID, 'server')), null);
  assert.is(openPacket(copy, 0, 18, copy.length, initialKeys(QUIC_V1, hex('0011223344556677'), 'client')), null);
});

test('RFC 9001 A.2 through the dissector: SNI example.com, JA4 with transport q', () => {
  const { client } = conversation();
  const ctx = client();
  assert.is(run(ctx, RFC9001_CLIENT), Verdict.Done);
  assert.ok(has(ctx.obs, 'src', 'sni', 'example.com'));
  assert.ok(has(ctx.obs, 'dst', 'hostname', 'example.com'));
  const ja4 = ctx.obs.find((o) => o[1] === 'ja4')!;
  assert.ok(ja4[2].startsWith('q13d0211an_'), ja4[2]);
  assert.equal(ja4[3], { alpn: ['alpn'] });
  assert.ok(ctx.obs.some((o) => o[1] === 'ja3'));
  assert.equal(ctx.counts, []);
});

test('RFC 9001 A.3: the server Initial (keys from the client DCID) gives its ServerHello', () => {
  const s = openPacket(RFC9001_SERVER, 0, 18, RFC9001_SERVER.length, initialKeys(QUIC_V1, DCID, 'server'));
  assert.equal(s, RFC9001_SERVER_PAYLOAD);
  const { client, server } = conversation();
  run(client(), RFC9001_CLIENT);
  const ctx = server();
  assert.is(run(ctx, RFC9001_SERVER), Verdict.Done);
  assert.ok(has(ctx.obs, 'src', 'banner', 'QUIC v1 TLS 1.3 cipher 0x1301'));
  // Without the client's Initial there are no keys: not ours.
  const alone = conversation();
  assert.is(run(alone.server(), RFC9001_SERVER), Verdict.NotMine);
});

test('RFC 9369 A.2: the v2 client Initial (v2 packet types, salt and labels)', () => {
  const p = openPacket(RFC9369_CLIENT, 0, 18, RFC9369_CLIENT.length, initialKeys(QUIC_V2, DCID, 'client'));
  assert.ok(p);
  assert.equal(p!.subarray(0, RFC9001_CLIENT_FRAMES.length), RFC9001_CLIENT_FRAMES);
  const { client } = conversation();
  const ctx = client();
  assert.is(run(ctx, RFC9369_CLIENT), Verdict.Done);
  assert.ok(has(ctx.obs, 'src', 'sni', 'example.com'));
  assert.ok(looksLikeQuicInitial(RFC9369_CLIENT, 0, RFC9369_CLIENT.length));
});

// ---------------------------------------------------------------------------
// Packets built here

const varint = (v: number): number[] => (v < 64 ? [v] : v < 16384 ? [0x40 | (v >> 8), v & 255] : [0x80 | (v >>> 24), (v >> 16) & 255, (v >> 8) & 255, v & 255]);
const crypto = (offset: number, data: Uint8Array): Buffer => Buffer.from([0x06, ...varint(offset), ...varint(data.length), ...data]);

interface Build {
  version?: number;
  dcid?: Buffer;
  scid?: Buffer;
  pn: number;
  frames: Buffer;
  /** Pad the payload with PADDING frames to this many bytes. */
  pad?: number;
  keys?: InitialKeys;
  token?: Buffer;
  /** Packet type bits (v1 numbering, mapped for v2): 0 Initial, 1 0-RTT, 2 Handshake. */
  type?: number;
}

/** A protected long-header packet with a 2-byte packet number. */
function packet(o: Build): Buffer {
  const version = o.version ?? QUIC_V1;
  const dcid = o.dcid ?? DCID;
  const scid = o.scid ?? hex('c0ffee');
  const keys = o.keys ?? initialKeys(version, dcid, 'client');
  const type = o.type ?? 0;
  const payload = Buffer.concat([o.frames, Buffer.alloc(Math.max(0, (o.pad ?? 0) - o.frames.length))]);
  const pnLen = 2;
  const typeBits = version === QUIC_V2 ? (type + 1) & 3 : type;
  const head = [0xc0 | (typeBits << 4) | (pnLen - 1), ...[24, 16, 8, 0].map((s) => (version >>> s) & 255), dcid.length, ...dcid, scid.length, ...scid];
  if (type === 0) head.push(...varint(o.token?.length ?? 0), ...(o.token ?? []));
  head.push(0x40 | ((pnLen + payload.length + 16) >> 8), (pnLen + payload.length + 16) & 255);
  const pnOff = head.length;
  head.push((o.pn >> 8) & 255, o.pn & 255);
  const header = Buffer.from(head);
  const nonce = Buffer.from(keys.iv);
  nonce[11] ^= o.pn & 255;
  nonce[10] ^= (o.pn >> 8) & 255;
  const c = createCipheriv('aes-128-gcm', keys.key, nonce);
  c.setAAD(header);
  const body = Buffer.concat([c.update(payload), c.final(), c.getAuthTag()]);
  const out = Buffer.concat([header, body]);
  const mask = createCipheriv('aes-128-ecb', keys.hp, null).update(out.subarray(pnOff + 4, pnOff + 20));
  out[0] ^= mask[0]! & 0x0f;
  for (let i = 0; i < pnLen; i++) out[pnOff + i] ^= mask[1 + i]!;
  return out;
}

/** A ClientHello handshake message of `size` bytes or more (a large key share, as Chrome's), naming `sni`. */
function bigHello(sni: string, size: number): Buffer {
  const ext = (t: number, d: Buffer) => Buffer.concat([Buffer.from([t >> 8, t & 255, d.length >> 8, d.length & 255]), d]);
  const name = Buffer.from(sni);
  const sniExt = ext(0, Buffer.concat([Buffer.from([0, name.length + 3, 0, 0, name.length]), name]));
  const alpn = ext(16, Buffer.from([0, 3, 2, 0x68, 0x33]));
  const versions = ext(43, Buffer.from([2, 3, 4]));
  const filler = ext(51, Buffer.alloc(Math.max(0, size - 120), 0x5a));
  const exts = Buffer.concat([sniExt, alpn, versions, filler]);
  const body = Buffer.concat([Buffer.from([3, 3]), Buffer.alloc(32, 7), Buffer.from([0, 0, 6, 0x13, 1, 0x13, 2, 0x13, 3, 1, 0]), Buffer.from([exts.length >> 8, exts.length & 255]), exts]);
  return Buffer.concat([Buffer.from([1, body.length >> 16, (body.length >> 8) & 255, body.length & 255]), body]);
}

test('built packets: a hello over two datagrams, the second with coalesced Initials and out-of-order CRYPTO frames', () => {
  const hello = bigHello('www.example.org', 3000);
  const a = hello.subarray(0, 1000);
  const b = hello.subarray(1000, 2000);
  const c = hello.subarray(2000);
  const { client } = conversation();
  const ctx = client();
  // Datagram 1: the middle piece first, then the start.
  const d1 = packet({ pn: 0, frames: Buffer.concat([Buffer.from([1]), crypto(1000, b)]), pad: 1180 });
  assert.is(run(ctx, d1), Verdict.Continue);
  assert.equal(ctx.obs, []);
  // Datagram 2: two Initials coalesced (the end, then the start), then trailing zero padding outside any packet.
  const d2 = Buffer.concat([packet({ pn: 2, frames: crypto(2000, c) }), packet({ pn: 1, frames: Buffer.concat([Buffer.from([2, 0, 0, 0, 0]), crypto(0, a)]) }), Buffer.alloc(40)]);
  assert.is(run(ctx, d2), Verdict.Done);
  assert.ok(has(ctx.obs, 'src', 'sni', 'www.example.org'));
  assert.ok(ctx.obs.find((o) => o[1] === 'ja4')![2].startsWith('q13d0304h3_'));
  assert.equal(ctx.counts, []);
});

test('later Initials with the server-chosen DCID keep the first DCID keys; 0-RTT packets are skipped', () => {
  const hello = bigHello('later.example', 1800);
  const { client } = conversation();
  const ctx = client();
  assert.is(run(ctx, packet({ pn: 0, frames: crypto(0, hello.subarray(0, 900)), pad: 1100 })), Verdict.Continue);
  const newDcid = hex('aabbccdd');
  const zeroRtt = packet({ pn: 0, type: 1, frames: Buffer.alloc(40, 0x01), dcid: newDcid, keys: initialKeys(QUIC_V1, DCID, 'client') });
  const later = packet({ pn: 1, dcid: newDcid, frames: crypto(900, hello.subarray(900)), keys: initialKeys(QUIC_V1, DCID, 'client') });
  assert.is(run(ctx, Buffer.concat([later, zeroRtt])), Verdict.Done);
  assert.ok(has(ctx.obs, 'src', 'sni', 'later.example'));
});

test('after a Retry: the next Initial is read with keys from its own DCID', () => {
  const hello = bigHello('retry.example', 1500);
  const { client, server } = conversation();
  // The first Initial holds half the hello; the server answers with a Retry.
  assert.is(run(client(), packet({ pn: 0, frames: crypto(0, hello.subarray(0, 700)), pad: 1180 })), Verdict.Continue);
  const newDcid = hex('0102030405060708090a');
  const retry = Buffer.concat([Buffer.from([0xf0, 0, 0, 0, 1, 3, 0xc0, 0xff, 0xee, newDcid.length]), newDcid, Buffer.from('token'), Buffer.alloc(16, 9)]);
  const sctx = server();
  assert.is(run(sctx, retry), Verdict.Continue);
  // The client starts again with the new DCID and its keys, the whole hello in one packet.
  const ctx = client();
  assert.is(run(ctx, packet({ pn: 1, dcid: newDcid, token: Buffer.from('token'), frames: crypto(0, hello) })), Verdict.Done);
  assert.ok(has(ctx.obs, 'src', 'sni', 'retry.example'));
  assert.equal(ctx.counts, []);
});

test('version negotiation, short headers, unknown versions, gQUIC: recognised or refused, never read', () => {
  const { client, server } = conversation();
  // Version Negotiation from the server: recognised, ignored.
  const vn = Buffer.from([0x80, 0, 0, 0, 0, 8, ...DCID, 0, 0, 0, 0, 1, 0x6b, 0x33, 0x43, 0xcf]);
  assert.is(run(server(), vn), Verdict.Continue);
  // 1-RTT short header: not the handshake.
  assert.is(run(client(), Buffer.concat([Buffer.from([0x41]), Buffer.alloc(1300, 3)])), Verdict.NotMine);
  // A reserved (greased) version and draft-29: not read.
  const grease = Buffer.from(RFC9001_CLIENT);
  grease.writeUInt32BE(0x1a2a3a4a, 1);
  assert.is(run(client(), grease), Verdict.NotMine);
  assert.not.ok(looksLikeQuicInitial(grease, 0, grease.length));
  // gQUIC Q046 long header.
  const gq = Buffer.concat([Buffer.from([0xc3, 0x51, 0x30, 0x34, 0x36, 0x50]), Buffer.alloc(1300, 1)]);
  assert.is(run(client(), gq), Verdict.NotMine);
  assert.not.ok(looksLikeQuicInitial(gq, 0, gq.length));
  const ctx = client();
  assert.equal(ctx.obs, []);
});

test('probe: client Initials of 1200 bytes or more with a known version and a DCID of at most 20 bytes', () => {
  assert.ok(looksLikeQuicInitial(RFC9001_CLIENT, 0, RFC9001_CLIENT.length));
  assert.not.ok(looksLikeQuicInitial(RFC9001_CLIENT, 0, 1199));
  const long = Buffer.from(RFC9001_CLIENT);
  long[5] = 21;
  assert.not.ok(looksLikeQuicInitial(long, 0, long.length));
  const hs = Buffer.from(RFC9001_CLIENT);
  hs[0] = 0xe0; // v1 Handshake
  assert.not.ok(looksLikeQuicInitial(hs, 0, hs.length));
  assert.not.ok(quicDissector.probe!(RFC9001_CLIENT, 0, RFC9001_CLIENT.length, 6));
  assert.ok(quicDissector.probe!(RFC9001_CLIENT, 0, RFC9001_CLIENT.length, 17));
});

test('bounds: a hello longer than 16 KiB is given up (counted), CRYPTO data far away is ignored', () => {
  const { client } = conversation();
  const ctx = client();
  const huge = Buffer.from([1, 0, 0x50, 0x00, 3, 3]); // announces 20,480 bytes
  assert.is(run(ctx, packet({ pn: 0, frames: crypto(0, huge), pad: 1180 })), Verdict.Done);
  assert.ok(ctx.counts.includes('quic.crypto_capped'));
  assert.equal(ctx.obs, []);
  // Only data beyond the cap: nothing whole ever, capped.
  const b = conversation();
  const c2 = b.client();
  assert.is(run(c2, packet({ pn: 0, frames: crypto(1_000_000, Buffer.alloc(10)), pad: 1180 })), Verdict.Done);
  assert.ok(c2.counts.includes('quic.crypto_capped'));
  // Not a ClientHello.
  const d = conversation();
  const c3 = d.client();
  assert.is(run(c3, packet({ pn: 0, frames: crypto(0, Buffer.from([2, 0, 0, 1, 0])), pad: 1180 })), Verdict.Done);
  assert.ok(c3.counts.includes('quic.not_hello'));
  // A packet bound: at most 16 Initials are opened per direction.
  const e = conversation();
  const c4 = e.client();
  let last = Verdict.Continue;
  for (let pn = 0; pn < 20 && last === Verdict.Continue; pn++) last = run(c4, packet({ pn, frames: Buffer.from([1]), pad: 1180 }));
  assert.is(last, Verdict.Done);
});

test('frames: unknown types stop the walk (counted); ACK with ranges and ECN, CONNECTION_CLOSE are skipped', () => {
  const got: [number, number][] = [];
  const sink = { add: (_b: Uint8Array, p: number, n: number, off: number) => void got.push([off, n]) };
  const counts: string[] = [];
  const errs = { count: (r: string) => void counts.push(r) };
  const ack = Buffer.from([0x03, 0x40, 0x10, 0x44, 0x5e, 0x01, 0x00, 0x01, 0x02, 0x05, 0x06, 0x07]);
  const close = Buffer.from([0x1c, 0x0a, 0x06, 0x03, 0x61, 0x62, 0x63]);
  assert.ok(readInitialFrames(Buffer.concat([ack, close, crypto(5, Buffer.from('hello')), Buffer.alloc(3)]), sink, errs));
  assert.equal(got, [[5, 5]]);
  assert.equal(counts, []);
  assert.not.ok(readInitialFrames(Buffer.concat([crypto(0, Buffer.from('x')), Buffer.from([0x08, 0, 0])]), sink, errs));
  assert.equal(counts, ['quic.bad_frame']);
  // A CRYPTO frame longer than the payload.
  assert.not.ok(readInitialFrames(Buffer.from([0x06, 0x00, 0x10, 1, 2]), sink, errs));
});

test('hostile bytes: every truncation, bit flips and random datagrams return a verdict without throwing', () => {
  const verdicts = new Set([Verdict.NotMine, Verdict.Continue, Verdict.Done]);
  for (const sample of [RFC9001_CLIENT, RFC9369_CLIENT, RFC9001_SERVER]) {
    for (let len = 0; len <= sample.length; len += len < 64 ? 1 : 7) {
      const { client, server } = conversation();
      assert.ok(verdicts.has(run(client(), sample.subarray(0, len))));
      assert.ok(verdicts.has(run(server(), sample.subarray(0, len))));
    }
  }
  let s = 12345;
  const rnd = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) >>> 24);
  for (let i = 0; i < 300; i++) {
    const b = Buffer.from(RFC9001_CLIENT);
    for (let k = 0; k < 1 + (i % 4); k++) b[rnd() % 64] ^= 1 << (rnd() & 7);
    const { client } = conversation();
    assert.ok(verdicts.has(run(client(), b)));
    const r = Buffer.alloc(rnd() * 6);
    for (let k = 0; k < r.length; k++) r[k] = rnd();
    if (r.length > 0) r[0] |= 0xc0;
    if (r.length > 5) r.writeUInt32BE(i & 1 ? QUIC_V1 : QUIC_V2, 1);
    assert.ok(verdicts.has(run(conversation().client(), r)));
  }
});

// ---------------------------------------------------------------------------
// Shared captures, through the engine and compared with tshark

const QUIC_DIR = join(sharedCaptures, 'zeek', 'quic');

interface AssetView {
  ips: string[];
  attributes: Record<string, Record<string, string[]>>;
}

async function assetsOf(file: string): Promise<{ assets: AssetView[]; flows: { application: string; server_port: number; protocol: string }[] }> {
  const a = await analyzeFiles([file], { classifier: new AllInternalClassifier(), duplicateWindowUs: 0 });
  const r = a.report as unknown as { assets: AssetView[]; flows: { application: string; server_port: number; protocol: string }[] };
  return { assets: r.assets, flows: r.flows };
}

function attr(assets: AssetView[], ip: string, source: string, kind: string): string[] {
  return assets.find((x) => x.ips.includes(ip))?.attributes[source]?.[kind] ?? [];
}

if (!haveShared() || !existsSync(QUIC_DIR)) {
  skip('../shared/captures/zeek/quic is absent: real QUIC captures not checked');
} else {
  test('real captures: Chrome, curl, Firefox hellos (one packet, many packets, a custom port) reach the client assets', async () => {
    const chrome = await assetsOf(join(QUIC_DIR, 'chromium-115.0.5790.110-api-cirrus-com.pcap'));
    assert.equal(attr(chrome.assets, '82.239.54.117', 'quic', 'sni'), ['api.cirrus-ci.com']);
    assert.equal(attr(chrome.assets, '82.239.54.117', 'quic', 'ja3'), ['526bdfecc3fb6cf46540d7ff70e88cec']); // tshark's tls.handshake.ja3
    assert.ok(attr(chrome.assets, '82.239.54.117', 'quic', 'ja4')[0]!.startsWith('q13d0311h3_55b375c5d22e_'));
    assert.equal(attr(chrome.assets, '110.213.53.115', 'quic', 'banner'), ['QUIC v1 TLS 1.3 cipher 0x1301']);
    // The same connection on UDP 4433: found by the probe, the flow is QUIC.
    const custom = await assetsOf(join(QUIC_DIR, 'chromium-dpd-custom-port-4433.pcap'));
    assert.equal(attr(custom.assets, '82.239.54.117', 'quic', 'sni'), ['api.cirrus-ci.com']);
    assert.ok(custom.flows.some((f) => f.protocol === 'udp' && f.server_port === 4433 && f.application === 'QUIC'));
    // Chrome scattering its hello over three Initials with out-of-order CRYPTO frames, then changing DCID.
    const frag = await assetsOf(join(QUIC_DIR, 'quic-multiple-initial-fragmented-crypto.pcap'));
    assert.equal(attr(frag.assets, '2a0a:4587:2030:817:656b:fb57:5125:cb8f', 'quic', 'sni'), ['googleads.g.doubleclick.net']);
    // 0-RTT packets before the Initials, the hello completed after the DCID switch.
    const late = await assetsOf(join(QUIC_DIR, 'quic-decrypt-fail-google-de-51833.pcap'));
    assert.equal(attr(late.assets, '2a0a:4587:2030:817:656b:fb57:5125:cb8f', 'quic', 'sni'), ['www.google.de']);
    const curl = await assetsOf(join(QUIC_DIR, 'curl-8.1.2-dev-http3-www-google-de.pcap'));
    assert.equal(attr(curl.assets, '172.17.0.2', 'quic', 'sni'), ['www.google.de']);
    assert.equal(attr(curl.assets, '64.233.166.94', 'quic', 'hostname'), ['www.google.de']);
  });

  const withTshark = haveTool('tshark');
  if (!withTshark) skip('tshark is not installed: QUIC SNI / ALPN / JA3 not compared');
  else
    test('real captures: SNI, ALPN and JA3 of every QUIC ClientHello agree with tshark', async () => {
      const { readdirSync } = await import('node:fs');
      const files = [
        ...readdirSync(QUIC_DIR).filter((f) => /\.pcap(ng)?$/.test(f)).map((f) => join(QUIC_DIR, f)),
        ...['quic_vn.pcap', 'gquic.pcap', 'quic_32_bit_pointer_overflow.pcap'].map((f) => join(sharedCaptures, 'tcpdump', f)).filter(existsSync),
      ].sort();
      let agree = 0;
      const diffs: string[] = [];
      const extra: string[] = [];
      for (const file of files) {
        // tshark: one row per ClientHello, by client address.
        let out = '';
        try {
          out = execFileSync('tshark', ['-r', file, '-Y', 'quic && tls.handshake.type == 1', '-T', 'fields', '-E', 'occurrence=a', '-E', 'aggregator=,',
            '-e', 'ip.src', '-e', 'ipv6.src', '-e', 'tls.handshake.extensions_server_name', '-e', 'tls.handshake.extensions_alpn_str', '-e', 'tls.handshake.ja3'],
          { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
        } catch (e) {
          out = (e as { stdout?: string }).stdout ?? '';
        }
        const theirs = new Set(out.split('\n').filter(Boolean).map((l) => { const [a, b, sni, alpn, ja3] = l.split('\t'); return `${a || b} sni=${sni} alpn=${alpn} ja3=${ja3}`; }));
        // nps: the dissector on the frames nps decodes, one context per file as in the engine.
        const ours = new Set<string>();
        const conv = new Map<string, string>();
        const done = new Set<string>();
        const tied = new Set<string>();
        const ctx = recorder(true, IPPROTO_UDP);
        await decodedFrames(file, (_i, v) => {
          if (v.proto !== IPPROTO_UDP || v.payloadLen === 0) return;
          const ip = (src: boolean): string => (v.l3 === L3.IPv6 ? Array.from(src ? v.src6 : v.dst6).join(':') : String(src ? v.src4 : v.dst4));
          const me = `${ip(true)}/${v.srcPort}`;
          const peer = `${ip(false)}/${v.dstPort}`;
          const key = me < peer ? me + peer : peer + me;
          if (!conv.has(key)) conv.set(key, me);
          if (done.has(me + '>' + peer)) return;
          (ctx as unknown as { view: typeof v }).view = v;
          (ctx as { fromClient: boolean }).fromClient = conv.get(key) === me;
          ctx.obs.length = 0;
          const r = quicDissector.dissect(v.buf, v.payloadOff, v.payloadLen, ctx);
          // As the engine: a direction is done after Done, or after NotMine once the conversation is tied.
          if (r === Verdict.Done || (r === Verdict.NotMine && tied.has(key))) done.add(me + '>' + peer);
          if (r === Verdict.Continue || r === Verdict.Done) tied.add(key);
          const ja4 = ctx.obs.find((o) => o[1] === 'ja4');
          if (ja4 === undefined) return;
          const sni = ctx.obs.find((o) => o[1] === 'sni')?.[2] ?? '';
          const alpn = ((ja4[3]?.['alpn'] as string[] | undefined) ?? []).join(',');
          const ja3 = ctx.obs.find((o) => o[1] === 'ja3')![2];
          const addr = v.l3 === L3.IPv6 ? ip6ToString(v.src6) : ip4ToString(v.src4);
          ours.add(`${addr} sni=${sni} alpn=${alpn} ja3=${ja3}`);
        });
        const name = file.split('/').pop();
        for (const t of theirs) {
          if (ours.has(t)) agree++;
          else diffs.push(`${name}: tshark ${t}, nps ${[...ours].join(' | ') || 'nothing'}`);
        }
        for (const o of ours) if (!theirs.has(o)) extra.push(`${name}: ${o}`);
      }
      console.log(`# ${files.length} QUIC captures: ${agree} ClientHellos agree with tshark, ${diffs.length} differ; nps only: ${extra.join('; ') || 'none'}`);
      assert.ok(agree >= 10, `only ${agree} agree`);
      assert.equal(diffs, []);
    });
}

test.run();
