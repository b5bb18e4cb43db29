/**
 * QUIC Initial dissector: the published test vectors of RFC 9001 appendix A
 * (keys, header protection, the client and server Initials), RFC 9369
 * appendix A (QUIC v2) and draft-ietf-quic-tls-23 and -29 appendix A (the
 * drafts' salts), ClientHellos built here and protected with the same keys
 * (split over packets and datagrams, coalesced, out of order, after a Retry,
 * after a HelloRetryRequest, after a Version Negotiation, capped), hostile
 * bytes, and the shared QUIC captures and the built handshakes run through
 * the engine and compared with tshark.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createCipheriv, createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
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
import * as B from '../../src/capture/builder.js';
import { writePcapFile, type WriterPacket } from '../../src/capture/writer.js';

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
  // Continue: a second hello follows if the server answers with a HelloRetryRequest.
  assert.is(run(ctx, RFC9001_CLIENT), Verdict.Continue);
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
  // The real ServerHello is in: the client's next Initial (its ACK) ends the client side, unopened.
  const ack = packet({ pn: 3, dcid: hex('f067a5502a4262b5'), scid: Buffer.alloc(0), keys: initialKeys(QUIC_V1, DCID, 'client'), frames: Buffer.from([2, 0, 0, 0, 0]), pad: 1180 });
  const c2 = client();
  c2.obs.length = 0;
  assert.is(run(c2, ack), Verdict.Done);
  assert.equal(c2.obs, []);
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
  assert.is(run(ctx, RFC9369_CLIENT), Verdict.Continue);
  assert.ok(has(ctx.obs, 'src', 'sni', 'example.com'));
  assert.ok(looksLikeQuicInitial(RFC9369_CLIENT, 0, RFC9369_CLIENT.length));
});

// ---------------------------------------------------------------------------
// IETF drafts: the published examples of draft-ietf-quic-tls-23 and -29
// (appendix A), the same ClientHello protected with each draft's salt

/** draft-ietf-quic-tls-23 A.2: the client Initial, version 0xff000017 (the drafts 23-28 salt), 4-byte packet number 2. */
const DRAFT23_CLIENT = hex(`
c0ff000017088394c8f03e5157080000 449e3b343aa8535064a4268a0d9d7b1c
9d250ae355162276e9b1e3011ef6bbc0 ab48ad5bcc2681e953857ca62becd752
4daac473e68d7405fbba4e9ee616c870 38bdbe908c06d9605d9ac49030359eec
b1d05a14e117db8cede2bb09d0dbbfee 271cb374d8f10abec82d0f59a1dee29f
e95638ed8dd41da07487468791b719c5 5c46968eb3b54680037102a28e53dc1d
12903db0af5821794b41c4a93357fa59 ce69cfe7f6bdfa629eef78616447e1d6
11c4baf71bf33febcb03137c2c75d253 17d3e13b684370f668411c0f00304b50
1c8fd422bd9b9ad81d643b20da89ca05 25d24d2b142041cae0af205092e43008
0cd8559ea4c5c6e4fa3f66082b7d303e 52ce0162baa958532b0bbc2bc785681f
cf37485dff6595e01e739c8ac9efba31 b985d5f656cc092432d781db95221724
87641c4d3ab8ece01e39bc85b1543661 4775a98ba8fa12d46f9b35e2a55eb72d
7f85181a366663387ddc20551807e007 673bd7e26bf9b29b5ab10a1ca87cbb7a
d97e99eb66959c2a9bc3cbde4707ff77 20b110fa95354674e395812e47a0ae53
b464dcb2d1f345df360dc227270c7506 76f6724eb479f0d2fbb6124429990457
ac6c9167f40aab739998f38b9eccb24f d47c8410131bf65a52af841275d5b3d1
880b197df2b5dea3e6de56ebce3ffb6e 9277a82082f8d9677a6767089b671ebd
244c214f0bde95c2beb02cd1172d58bd f39dce56ff68eb35ab39b49b4eac7c81
5ea60451d6e6ab82119118df02a58684 4a9ffe162ba006d0669ef57668cab38b
62f71a2523a084852cd1d079b3658dc2 f3e87949b550bab3e177cfc49ed190df
f0630e43077c30de8f6ae081537f1e83 da537da980afa668e7b7fb25301cf741
524be3c49884b42821f17552fbd1931a 813017b6b6590a41ea18b6ba49cd48a4
40bd9a3346a7623fb4ba34a3ee571e3c 731f35a7a3cf25b551a680fa68763507
b7fde3aaf023c50b9d22da6876ba337e b5e9dd9ec3daf970242b6c5aab3aa4b2
96ad8b9f6832f686ef70fa938b31b4e5 ddd7364442d3ea72e73d668fb0937796
f462923a81a47e1cee7426ff6d922126 9b5a62ec03d6ec94d12606cb485560ba
b574816009e96504249385bb61a819be 04f62c2066214d8360a2022beb316240
b6c7d78bbe56c13082e0ca272661210a bf020bf3b5783f1426436cf9ff418405
93a5d0638d32fc51c5c65ff291a3a7a5 2fd6775e623a4439cc08dd25582febc9
44ef92d8dbd329c91de3e9c9582e41f1 7f3d186f104ad3f90995116c682a2a14
a3b4b1f547c335f0be710fc9fc03e0e5 87b8cda31ce65b969878a4ad4283e6d5
b0373f43da86e9e0ffe1ae0fddd35162 55bd74566f36a38703d5f34249ded1f6
6b3d9b45b9af2ccfefe984e13376b1b2 c6404aa48c8026132343da3f3a33659e
c1b3e95080540b28b7f3fcd35fa5d843 b579a84c089121a60d8c1754915c344e
eaf45a9bf27dc0c1e784161691220913 13eb0e87555abd706626e557fc36a04f
cd191a58829104d6075c5594f627ca50 6bf181daec940f4a4f3af0074eee89da
acde6758312622d4fa675b39f728e062 d2bee680d8f41a597c262648bb18bcfc
13c8b3d97b1a77b2ac3af745d61a34cc 4709865bac824a94bb19058015e4e42d
c9be6c7803567321829dd85853396269`);

/** draft-ietf-quic-tls-29 A.2: the same Initial, version 0xff00001d (the drafts 29-32 salt). */
const DRAFT29_CLIENT = hex(`
c5ff00001d088394c8f03e5157080000 449e4a95245bfb66bc5f93032b7ddd89
fe0ff15d9c4f7050fccdb71c1cd80512 d4431643a53aafa1b0b518b44968b18b
8d3e7a4d04c30b3ed9410325b2abb2da fb1c12f8b70479eb8df98abcaf95dd8f
3d1c78660fbc719f88b23c8aef6771f3 d50e10fdfb4c9d92386d44481b6c52d5
9e5538d3d3942de9f13a7f8b702dc317 24180da9df22714d01003fc5e3d165c9
50e630b8540fbd81c9df0ee63f949970 26c4f2e1887a2def79050ac2d86ba318
e0b3adc4c5aa18bcf63c7cf8e85f5692 49813a2236a7e72269447cd1c755e451
f5e77470eb3de64c8849d29282069802 9cfa18e5d66176fe6e5ba4ed18026f90
900a5b4980e2f58e39151d5cd685b109 29636d4f02e7fad2a5a458249f5c0298
a6d53acbe41a7fc83fa7cc01973f7a74 d1237a51974e097636b6203997f921d0
7bc1940a6f2d0de9f5a11432946159ed 6cc21df65c4ddd1115f86427259a196c
7148b25b6478b0dc7766e1c4d1b1f515 9f90eabc61636226244642ee148b464c
9e619ee50a5e3ddc836227cad938987c 4ea3c1fa7c75bbf88d89e9ada642b2b8
8fe8107b7ea375b1b64889a4e9e5c38a 1c896ce275a5658d250e2d76e1ed3a34
ce7e3a3f383d0c996d0bed106c2899ca 6fc263ef0455e74bb6ac1640ea7bfedc
59f03fee0e1725ea150ff4d69a7660c5 542119c71de270ae7c3ecfd1af2c4ce5
51986949cc34a66b3e216bfe18b347e6 c05fd050f85912db303a8f054ec23e38
f44d1c725ab641ae929fecc8e3cefa56 19df4231f5b4c009fa0c0bbc60bc75f7
6d06ef154fc8577077d9d6a1d2bd9bf0 81dc783ece60111bea7da9e5a9748069
d078b2bef48de04cabe3755b197d52b3 2046949ecaa310274b4aac0d008b1948
c1082cdfe2083e386d4fd84c0ed0666d 3ee26c4515c4fee73433ac703b690a9f
7bf278a77486ace44c489a0c7ac8dfe4 d1a58fb3a730b993ff0f0d61b4d89557
831eb4c752ffd39c10f6b9f46d8db278 da624fd800e4af85548a294c1518893a
8778c4f6d6d73c93df200960104e062b 388ea97dcf4016bced7f62b4f062cb6c
04c20693d9a0e3b74ba8fe74cc012378 84f40d765ae56a51688d985cf0ceaef4
3045ed8c3f0c33bced08537f6882613a cd3b08d665fce9dd8aa73171e2d3771a
61dba2790e491d413d93d987e2745af2 9418e428be34941485c93447520ffe23
1da2304d6a0fd5d07d08372202369661 59bef3cf904d722324dd852513df39ae
030d8173908da6364786d3c1bfcb19ea 77a63b25f1e7fc661def480c5d00d444
56269ebd84efd8e3a8b2c257eec76060 682848cbf5194bc99e49ee75e4d0d254
bad4bfd74970c30e44b65511d4ad0e6e c7398e08e01307eeeea14e46ccd87cf3
6b285221254d8fc6a6765c524ded0085 dca5bd688ddf722e2c0faf9d0fb2ce7a
0c3f2cee19ca0ffba461ca8dc5d2c817 8b0762cf67135558494d2a96f1a139f0
edb42d2af89a9c9122b07acbc29e5e72 2df8615c343702491098478a389c9872
a10b0c9875125e257c7bfdf27eef4060 bd3d00f4c14fd3e3496c38d3c5d1a566
8c39350effbc2d16ca17be4ce29f02ed 969504dda2a8c6b9ff919e693ee79e09
089316e7d1d89ec099db3b2b268725d8 88536a4b8bf9aee8fb43e82a4d919d48
43b1ca70a2d8d3f725ead1391377dcc0`);

/** Their CRYPTO frame: a ClientHello naming "server", without ALPN or transport parameters (PADDING follows). */
const DRAFT_CLIENT_FRAMES = hex(`
060040c4010000c003036660261ff947 cea49cce6cfad687f457cf1b14531ba1
4131a0e8f309a1d0b9c4000006130113 031302010000910000000b0009000006
736572766572ff01000100000a001400 12001d00170018001901000101010201
03010400230000003300260024001d00 204cfdfcd178b784bf328cae793b136f
2aedce005ff183d7bb14952072366470 37002b0003020304000d0020001e0403
05030603020308040805080604010501 060102010402050206020202002d0002
0101001c00024001`);

test('drafts 23 and 29 A.1: initial keys from the draft salts; drafts 33-34 use the v1 salt', () => {
  const c23 = initialKeys(0xff000017, DCID, 'client');
  assert.is(c23.key.toString('hex'), 'af7fd7efebd21878ff66811248983694');
  assert.is(c23.iv.toString('hex'), '8681359410a70bb9c92f0420');
  assert.is(c23.hp.toString('hex'), 'a980b8b4fb7d9fbc13e814c23164253d');
  const s23 = initialKeys(0xff00001c, DCID, 'server'); // draft-28: the same salt
  assert.is(s23.key.toString('hex'), '5d51da9ee897a21b2659ccc7e5bfa577');
  assert.is(s23.iv.toString('hex'), '5e5ae651fd1e8495af13508b');
  assert.is(s23.hp.toString('hex'), 'a8ed82e6664f865aedf6106943f95fb8');
  const c29 = initialKeys(0xff000020, DCID, 'client'); // draft-32: the draft-29 salt
  assert.is(c29.key.toString('hex'), '175257a31eb09dea9366d8bb79ad80ba');
  assert.is(c29.iv.toString('hex'), '6b26114b9cba2b63a9e8dd4f');
  assert.is(c29.hp.toString('hex'), '9ddd12c994c0698b89374a9c077a3077');
  const s29 = initialKeys(0xff00001d, DCID, 'server');
  assert.is(s29.key.toString('hex'), '149d0b1662ab871fbe63c49b5e655a5d');
  assert.is(s29.iv.toString('hex'), 'bab2b12a4c76016ace47856d');
  assert.is(s29.hp.toString('hex'), 'c0c499a65a60024a18a250974ea01dfa');
  assert.is(initialKeys(0xff000022, DCID, 'client').key.toString('hex'), '1f369613dd76d5467730efcbe3b1a22d'); // draft-34
});

test('drafts 23 and 29 A.2: the published client Initials are read (SNI, JA4 with q), the probe takes them; draft-22 is not', () => {
  for (const [pkt, version] of [[DRAFT23_CLIENT, 0xff000017], [DRAFT29_CLIENT, 0xff00001d]] as const) {
    const p = openPacket(pkt, 0, 18, pkt.length, initialKeys(version, DCID, 'client'));
    assert.ok(p, version.toString(16));
    assert.equal(p!.subarray(0, DRAFT_CLIENT_FRAMES.length), DRAFT_CLIENT_FRAMES);
    assert.ok(p!.subarray(DRAFT_CLIENT_FRAMES.length).every((x) => x === 0));
    // The v1 keys do not open it.
    assert.is(openPacket(pkt, 0, 18, pkt.length, initialKeys(QUIC_V1, DCID, 'client')), null);
    assert.ok(looksLikeQuicInitial(pkt, 0, pkt.length));
    const { client } = conversation();
    const ctx = client();
    assert.is(run(ctx, pkt), Verdict.Continue);
    assert.ok(has(ctx.obs, 'src', 'sni', 'server'));
    assert.ok(has(ctx.obs, 'dst', 'hostname', 'server'));
    // 3 ciphers, 9 extensions, no ALPN.
    assert.ok(ctx.obs.find((o) => o[1] === 'ja4')![2].startsWith('q13d030900_'));
    assert.equal(ctx.counts, []);
  }
  // draft-22 (another salt and era): not read.
  const d22 = Buffer.from(DRAFT23_CLIENT);
  d22.writeUInt32BE(0xff000016, 1);
  assert.not.ok(looksLikeQuicInitial(d22, 0, d22.length));
  assert.is(run(conversation().client(), d22), Verdict.NotMine);
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

const u16b = (v: number): Buffer => Buffer.from([v >> 8, v & 255]);
/** A TLS extension. */
const ext = (t: number, d: Uint8Array): Buffer => Buffer.concat([u16b(t), u16b(d.length), d]);

/** A ClientHello handshake message of `size` bytes or more (a large key share, as Chrome's), naming `sni`, with `extra` extensions before the key share. */
function bigHello(sni: string, size: number, o: { alpn?: string; group?: number; extra?: Buffer[] } = {}): Buffer {
  const name = Buffer.from(sni);
  const sniExt = ext(0, Buffer.concat([Buffer.from([0, name.length + 3, 0, 0, name.length]), name]));
  const a = Buffer.from(o.alpn ?? 'h3');
  const alpn = ext(16, Buffer.concat([u16b(a.length + 1), Buffer.from([a.length]), a]));
  const versions = ext(43, Buffer.from([2, 3, 4]));
  // key_share: one entry (x25519 unless told) whose key fills the hello to `size`.
  const keyLen = Math.max(32, size - 126);
  const share = Buffer.concat([u16b(o.group ?? 0x1d), u16b(keyLen), Buffer.alloc(keyLen, 0x5a)]);
  const filler = ext(51, Buffer.concat([u16b(share.length), share]));
  const exts = Buffer.concat([sniExt, alpn, versions, ...(o.extra ?? []), filler]);
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
  assert.is(run(ctx, d2), Verdict.Continue);
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
  assert.is(run(ctx, Buffer.concat([later, zeroRtt])), Verdict.Continue);
  assert.ok(has(ctx.obs, 'src', 'sni', 'later.example'));
  // A Handshake packet: the client has the server's real ServerHello, no second hello can come.
  const handshake = packet({ pn: 0, type: 2, frames: Buffer.alloc(40, 0x01), dcid: newDcid });
  const ack = packet({ pn: 2, dcid: newDcid, frames: Buffer.from([2, 0, 0, 0, 0]), keys: initialKeys(QUIC_V1, DCID, 'client') });
  assert.is(run(client(), Buffer.concat([ack, handshake])), Verdict.Done);
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
  assert.is(run(ctx, packet({ pn: 1, dcid: newDcid, token: Buffer.from('token'), frames: crypto(0, hello) })), Verdict.Continue);
  assert.ok(has(ctx.obs, 'src', 'sni', 'retry.example'));
  assert.equal(ctx.counts, []);
});

// ---------------------------------------------------------------------------
// Handshakes built here: Retry, HelloRetryRequest, Version Negotiation

const CLIENT_SCID = hex('c0ffee');
const SERVER_SCID = hex('5e5e5e5e5e5e5e5e');
const RETRY_DCID = hex('0102030405060708090a');
const RETRY_TOKEN = Buffer.from('retry-token');
const ACK0 = Buffer.from([2, 0, 0, 0, 0]);
const HRR_RANDOM = createHash('sha256').update('HelloRetryRequest').digest();

/** A TLS 1.3 ServerHello choosing `cipher`; with `hrr`, a HelloRetryRequest (its random) asking for secp256r1 with a cookie. */
function serverHello(cipher: number, hrr?: { cookie: Buffer }): Buffer {
  const exts = hrr
    ? Buffer.concat([ext(43, Buffer.from([3, 4])), ext(51, u16b(0x17)), ext(44, Buffer.concat([u16b(hrr.cookie.length), hrr.cookie]))])
    : Buffer.concat([ext(43, Buffer.from([3, 4])), ext(51, Buffer.concat([u16b(0x1d), u16b(32), Buffer.alloc(32, 0x44)]))]);
  const body = Buffer.concat([Buffer.from([3, 3]), hrr ? HRR_RANDOM : Buffer.alloc(32, 0x33), Buffer.from([0]), u16b(cipher), Buffer.from([0]), u16b(exts.length), exts]);
  return Buffer.concat([Buffer.from([2, 0]), u16b(body.length), body]);
}

/** A v1 or v2 Retry with its integrity tag (RFC 9001 section 5.8, RFC 9369 section 3.3.3). */
function retryPacket(version: number, odcid: Buffer, dcid: Buffer, scid: Buffer, token: Buffer): Buffer {
  const v2 = version === QUIC_V2;
  const head = Buffer.concat([Buffer.from([v2 ? 0xc0 : 0xf0]), Buffer.from([version >>> 24, (version >> 16) & 255, (version >> 8) & 255, version & 255]), Buffer.from([dcid.length]), dcid, Buffer.from([scid.length]), scid, token]);
  const c = createCipheriv('aes-128-gcm', hex(v2 ? '8fb4b01b56ac48e260fbcbcead7ccc92' : 'be0c690b9f66575a1d766b54e368c84e'), hex(v2 ? 'd86969bc2d7c6d9990efb04a' : '461599d35d632bf2239825bb'));
  c.setAAD(Buffer.concat([Buffer.from([odcid.length]), odcid, head]));
  c.final();
  return Buffer.concat([head, c.getAuthTag()]);
}

interface Step {
  client: boolean;
  data: Buffer;
}

/**
 * One connection's Initials, both sides, in order: the client's first hello;
 * with `retry`, the server's Retry (new id RETRY_DCID) and the client's hello
 * again, with the token, under the keys of the new id; with `hrr`, the
 * server's HelloRetryRequest (cipher 0x1301, secp256r1, a cookie) and the
 * client's second hello (the cookie, a P-256 share) after the first in its
 * CRYPTO stream, over two datagrams to the server's id; then the server's
 * ServerHello (after the HRR in its stream), and the client's ACK coalesced
 * with a Handshake packet.
 */
function handshake(o: { sni: string; version?: number; hrr?: boolean; retry?: boolean; alpn?: string; extra?: Buffer[]; cipher?: number }): Step[] {
  const version = o.version ?? QUIC_V1;
  let keysDcid = DCID;
  let token: Buffer | undefined;
  let cpn = 0;
  let spn = 0;
  const cpkt = (dcid: Buffer, frames: Buffer) => packet({ version, pn: cpn++, dcid, scid: CLIENT_SCID, keys: initialKeys(version, keysDcid, 'client'), frames, pad: 1180, token });
  const spkt = (frames: Buffer) => packet({ version, pn: spn++, dcid: CLIENT_SCID, scid: SERVER_SCID, keys: initialKeys(version, keysDcid, 'server'), frames });
  const ch1 = bigHello(o.sni, 1300, { alpn: o.alpn, extra: o.extra });
  const steps: Step[] = [{ client: true, data: cpkt(DCID, crypto(0, ch1)) }];
  if (o.retry) {
    steps.push({ client: false, data: retryPacket(version, DCID, CLIENT_SCID, RETRY_DCID, RETRY_TOKEN) });
    keysDcid = RETRY_DCID;
    token = RETRY_TOKEN;
    steps.push({ client: true, data: cpkt(RETRY_DCID, crypto(0, ch1)) });
  }
  let serverOffset = 0;
  if (o.hrr) {
    const cookie = Buffer.alloc(24, 0xc0);
    const hrr = serverHello(0x1301, { cookie });
    steps.push({ client: false, data: spkt(Buffer.concat([ACK0, crypto(0, hrr)])) });
    serverOffset = hrr.length;
    const ch2 = bigHello(o.sni, 1300, { alpn: o.alpn, group: 0x17, extra: [...(o.extra ?? []), ext(44, Buffer.concat([u16b(cookie.length), cookie]))] });
    steps.push({ client: true, data: cpkt(SERVER_SCID, Buffer.concat([ACK0, crypto(ch1.length, ch2.subarray(0, 700))])) });
    steps.push({ client: true, data: cpkt(SERVER_SCID, crypto(ch1.length + 700, ch2.subarray(700))) });
  }
  steps.push({ client: false, data: spkt(Buffer.concat([ACK0, crypto(serverOffset, serverHello(o.cipher ?? 0x1301))])) });
  const hs = packet({ version, pn: 0, type: 2, dcid: SERVER_SCID, scid: CLIENT_SCID, keys: initialKeys(version, hex('00'), 'client'), frames: Buffer.alloc(40, 1) });
  const ack = packet({ version, pn: cpn++, dcid: SERVER_SCID, scid: CLIENT_SCID, keys: initialKeys(version, keysDcid, 'client'), frames: ACK0, token });
  steps.push({ client: true, data: Buffer.concat([ack, hs]) });
  return steps;
}

const md5 = (s: string): string => createHash('md5').update(s).digest('hex');

test('Retry packets built here carry the integrity tag of the RFC 9001 A.4 example', () => {
  const r = retryPacket(QUIC_V1, DCID, Buffer.alloc(0), hex('f067a5502a4262b5'), Buffer.from('token'));
  // A.4 sets the first byte's unused bits to 0xf; the tag covers it.
  r[0] = 0xff;
  const c = createCipheriv('aes-128-gcm', hex('be0c690b9f66575a1d766b54e368c84e'), hex('461599d35d632bf2239825bb'));
  c.setAAD(Buffer.concat([Buffer.from([8]), DCID, r.subarray(0, r.length - 16)]));
  c.final();
  assert.is(c.getAuthTag().toString('hex'), '04a265ba2eff4d829058fb3f0f2496ba');
});

test('HelloRetryRequest: the second ClientHello (after the first in the CRYPTO stream, same keys) and the real ServerHello are read', () => {
  const steps = handshake({ sni: 'hrr.example', hrr: true });
  const { ctx, client, server } = conversation();
  const since = (n: number): Obs[] => ctx.obs.slice(n);
  // The first hello: reported; the client side goes on (a second may follow).
  assert.is(run(client(), steps[0]!.data), Verdict.Continue);
  assert.ok(has(ctx.obs, 'src', 'sni', 'hrr.example'));
  const ja3 = ctx.obs.find((o) => o[1] === 'ja3')![2];
  const ja4 = ctx.obs.find((o) => o[1] === 'ja4')![2];
  // The client repeats its first Initial before any answer: not opened (a damaged copy is not even counted).
  const repeat = Buffer.from(steps[0]!.data);
  repeat[repeat.length - 1] ^= 1;
  let mark = ctx.obs.length;
  assert.is(run(client(), repeat), Verdict.Continue);
  assert.equal(since(mark), []);
  // The HelloRetryRequest: no banner, the server side goes on.
  assert.is(run(server(), steps[1]!.data), Verdict.Continue);
  assert.equal(since(mark), []);
  // The second hello, over two datagrams to the server's id, with the first DCID's keys.
  assert.is(run(client(), steps[2]!.data), Verdict.Continue);
  assert.equal(since(mark), []);
  assert.is(run(client(), steps[3]!.data), Verdict.Done);
  const second = since(mark);
  assert.not.ok(second.some((o) => o[1] === 'sni' || o[1] === 'hostname'), 'the name is the first hello\'s');
  const ja3b = second.find((o) => o[1] === 'ja3')!;
  const ja4b = second.find((o) => o[1] === 'ja4')!;
  assert.is.not(ja3b[2], ja3);
  assert.is.not(ja4b[2], ja4);
  assert.is(ja3b[2], md5('771,4865-4866-4867,0-16-43-44-51,,')); // the cookie is new
  assert.equal(ja3b[3], { after: 'hello_retry_request' });
  assert.equal(ja4b[3], { alpn: ['h3'], after: 'hello_retry_request' });
  // The real ServerHello follows the HRR in the server's stream.
  mark = ctx.obs.length;
  assert.is(run(server(), steps[4]!.data), Verdict.Done);
  assert.equal(since(mark), [['src', 'banner', 'QUIC v1 TLS 1.3 cipher 0x1301', undefined]]);
  assert.equal(ctx.counts, []);
});

test('HelloRetryRequest in QUIC v2; a ServerHello whose cipher is not the HRR\'s is counted; a client Handshake packet ends the wait', () => {
  const steps = handshake({ sni: 'v2.example', version: QUIC_V2, hrr: true, cipher: 0x1302 });
  const { ctx, client, server } = conversation();
  assert.is(run(client(), steps[0]!.data), Verdict.Continue);
  assert.is(run(server(), steps[1]!.data), Verdict.Continue);
  assert.is(run(client(), steps[2]!.data), Verdict.Continue);
  assert.is(run(client(), steps[3]!.data), Verdict.Done);
  assert.is(ctx.obs.filter((o) => o[1] === 'ja4').length, 2);
  assert.is(run(server(), steps[4]!.data), Verdict.Done);
  assert.ok(has(ctx.obs, 'src', 'banner', 'QUIC v2 TLS 1.3 cipher 0x1302'));
  assert.equal(ctx.counts, ['quic.hrr_mismatch']);
  // Without the server's side: the client's Handshake packet ends the wait for a second hello.
  const alone = conversation();
  const plain = handshake({ sni: 'v2.example', version: QUIC_V2 });
  assert.is(run(alone.client(), plain[0]!.data), Verdict.Continue);
  assert.is(run(alone.client(), plain[2]!.data), Verdict.Done);
  assert.equal(alone.ctx.counts, []);
});

test('Retry, then HelloRetryRequest: keys from the Retry\'s id for both sides, the first hello (sent again) read once', () => {
  const steps = handshake({ sni: 'both.example', retry: true, hrr: true });
  const { ctx, client, server } = conversation();
  assert.is(run(client(), steps[0]!.data), Verdict.Continue);
  assert.is(run(server(), steps[1]!.data), Verdict.Continue); // the Retry
  const mark = ctx.obs.length;
  assert.is(run(client(), steps[2]!.data), Verdict.Continue); // the same hello, new id, new keys
  assert.equal(ctx.obs.slice(mark), []);
  assert.is(run(server(), steps[3]!.data), Verdict.Continue); // HRR under the Retry id's keys
  assert.is(run(client(), steps[4]!.data), Verdict.Continue);
  assert.is(run(client(), steps[5]!.data), Verdict.Done);
  assert.is(run(server(), steps[6]!.data), Verdict.Done);
  assert.is(ctx.obs.filter((o) => o[1] === 'sni').length, 1);
  assert.is(ctx.obs.filter((o) => o[1] === 'ja3').length, 2);
  assert.ok(has(ctx.obs, 'src', 'banner', 'QUIC v1 TLS 1.3 cipher 0x1301'));
  assert.equal(ctx.counts, []);
  // A Retry alone (no HRR): the hello sent again is not reported again either.
  const r = conversation();
  const plain = handshake({ sni: 'retry.example', retry: true });
  for (const [i, v] of [Verdict.Continue, Verdict.Continue, Verdict.Continue, Verdict.Done, Verdict.Done].entries()) assert.is(run(plain[i]!.client ? r.client() : r.server(), plain[i]!.data), v, `step ${i}`);
  assert.is(r.ctx.obs.filter((o) => o[1] === 'sni').length, 1);
  assert.ok(has(r.ctx.obs, 'src', 'banner', 'QUIC v1 TLS 1.3 cipher 0x1301'));
});

test('after the first hello, what follows in the client\'s stream is checked: another message or an over-long hello ends the client side (counted)', () => {
  const ch1 = bigHello('stream.example', 1300);
  const hrr = handshake({ sni: 'stream.example', hrr: true })[1]!.data;
  const later = (frames: Buffer) => packet({ pn: 1, dcid: SERVER_SCID, scid: CLIENT_SCID, keys: initialKeys(QUIC_V1, DCID, 'client'), frames, pad: 1180 });
  for (const [next, counter] of [[Buffer.from([2, 0, 0, 1, 0]), 'quic.not_hello'], [Buffer.from([1, 0, 0x50, 0, 3, 3]), 'quic.crypto_capped']] as const) {
    const { ctx, client, server } = conversation();
    assert.is(run(client(), packet({ pn: 0, scid: CLIENT_SCID, frames: crypto(0, ch1), pad: 1180 })), Verdict.Continue);
    assert.is(run(server(), hrr), Verdict.Continue);
    const mark = ctx.obs.length;
    assert.is(run(client(), later(crypto(ch1.length, next))), Verdict.Done);
    assert.equal(ctx.obs.slice(mark), []);
    assert.equal(ctx.counts, [counter]);
  }
});

test('drafts built here: transport parameters in extension 0xffa5 count in JA3 and JA4, the banner names the draft', () => {
  const tp = ext(0xffa5, Buffer.from([0x04, 0x04, 0x80, 0x10, 0x00, 0x00]));
  const steps = handshake({ sni: 'draft.example', version: 0xff00001b, alpn: 'h3-27', extra: [tp] });
  const { ctx, client, server } = conversation();
  assert.is(run(client(), steps[0]!.data), Verdict.Continue);
  assert.ok(has(ctx.obs, 'src', 'sni', 'draft.example'));
  assert.ok(has(ctx.obs, 'src', 'ja3', md5('771,4865-4866-4867,0-16-43-65445-51,,')));
  assert.ok(ctx.obs.find((o) => o[1] === 'ja4')![2].startsWith('q13d0305h7_'));
  assert.is(run(server(), steps[1]!.data), Verdict.Done);
  assert.ok(has(ctx.obs, 'src', 'banner', 'QUIC draft-27 TLS 1.3 cipher 0x1301'));
  assert.is(run(client(), steps[2]!.data), Verdict.Done);
  assert.equal(ctx.counts, []);
});

test('Version Negotiation: the client\'s new attempt in another version is a new connection, its hello read too', () => {
  const tp = Buffer.from([0x04, 0x04, 0x80, 0x10, 0x00, 0x00]);
  const draft = handshake({ sni: 'vn.example', version: 0xff00001d, alpn: 'h3-29', extra: [ext(0xffa5, tp)] });
  const v1 = handshake({ sni: 'vn.example', extra: [ext(57, tp)] });
  const { ctx, client, server } = conversation();
  assert.is(run(client(), draft[0]!.data), Verdict.Continue);
  const vn = Buffer.concat([Buffer.from([0x80, 0, 0, 0, 0, CLIENT_SCID.length]), CLIENT_SCID, Buffer.from([DCID.length]), DCID, Buffer.from([0, 0, 0, 1])]);
  assert.is(run(server(), vn), Verdict.Continue);
  // Same ids, same ports, v1 now.
  assert.is(run(client(), v1[0]!.data), Verdict.Continue);
  const ja4s = ctx.obs.filter((o) => o[1] === 'ja4').map((o) => o[2]);
  assert.is(ja4s.length, 2);
  assert.ok(ja4s[0]!.startsWith('q13d0305h9_') && ja4s[1]!.startsWith('q13d0305h3_'), ja4s.join(' '));
  assert.is(run(server(), v1[1]!.data), Verdict.Done);
  assert.ok(has(ctx.obs, 'src', 'banner', 'QUIC v1 TLS 1.3 cipher 0x1301'));
  assert.equal(ctx.counts, []);
});

/**
 * The published draft Initials and the built handshakes as captures, one
 * file per connection (tshark ties Initials to connections by their ids,
 * which these share), each from its own client (10.9.0.N:5000N to
 * 198.51.100.N:443). Returns the files.
 */
function writeHandshakes(dir: string): string[] {
  const tp = Buffer.from([0x04, 0x04, 0x80, 0x10, 0x00, 0x00]);
  const flows: [string, Step[]][] = [
    ['draft23-a2', [{ client: true, data: DRAFT23_CLIENT }]],
    ['draft29-a2', [{ client: true, data: DRAFT29_CLIENT }]],
    ['draft27', handshake({ sni: 'draft.example', version: 0xff00001b, alpn: 'h3-27', extra: [ext(0xffa5, tp)] })],
    ['hrr', handshake({ sni: 'hrr.example', hrr: true })],
    ['retry-hrr', handshake({ sni: 'both.example', retry: true, hrr: true })],
    ['v2-hrr', handshake({ sni: 'v2.example', version: QUIC_V2, hrr: true })],
  ];
  let t = 1_700_000_000_000_000;
  return flows.map(([name, steps], i) => {
    const c = { ip: `10.9.0.${i + 1}`, mac: `02:00:00:09:00:0${i + 1}`, port: 50001 + i };
    const s = { ip: `198.51.100.${i + 1}`, mac: `02:00:00:51:00:0${i + 1}`, port: 443 };
    const packets: WriterPacket[] = steps.map((st) => {
      const [from, to] = st.client ? [c, s] : [s, c];
      return { tsUs: (t += 1000), data: B.udpPacket({ src: from.ip, dst: to.ip, srcMac: from.mac, dstMac: to.mac, sport: from.port, dport: to.port, payload: st.data }) };
    });
    const file = join(dir, `quic-${name}.pcap`);
    writePcapFile(file, packets);
    return file;
  });
}

test('version negotiation, short headers, unknown versions, gQUIC: recognised or refused, never read', () => {
  const { client, server } = conversation();
  // Version Negotiation from the server: recognised, ignored.
  const vn = Buffer.from([0x80, 0, 0, 0, 0, 8, ...DCID, 0, 0, 0, 0, 1, 0x6b, 0x33, 0x43, 0xcf]);
  assert.is(run(server(), vn), Verdict.Continue);
  // 1-RTT short header: not the handshake.
  assert.is(run(client(), Buffer.concat([Buffer.from([0x41]), Buffer.alloc(1300, 3)])), Verdict.NotMine);
  // A reserved (greased) version: not read.
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
  for (const sample of [RFC9001_CLIENT, RFC9369_CLIENT, RFC9001_SERVER, DRAFT29_CLIENT]) {
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
    if (r.length > 5) r.writeUInt32BE([QUIC_V1, QUIC_V2, 0xff00001d][i % 3]!, 1);
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

  if (!haveTool('tshark')) skip('tshark is not installed: QUIC SNI / ALPN / JA3 not compared');
  else
    test('real captures: SNI, ALPN and JA3 of every QUIC ClientHello agree with tshark', async () => {
      const { readdirSync } = await import('node:fs');
      const files = [
        ...(readdirSync(QUIC_DIR, { recursive: true }) as string[]).filter((f) => /\.pcap(ng)?$/.test(f)).map((f) => join(QUIC_DIR, f)),
        ...['quic_vn.pcap', 'gquic.pcap', 'quic_32_bit_pointer_overflow.pcap'].map((f) => join(sharedCaptures, 'tcpdump', f)).filter(existsSync),
      ].sort();
      const { agree, diffs, extra } = await compareWithTshark(files);
      console.log(`# ${files.length} QUIC captures: ${agree} ClientHellos agree with tshark, ${diffs.length} differ; nps only: ${extra.join('; ') || 'none'}`);
      assert.ok(agree >= 10, `only ${agree} agree`);
      assert.equal(diffs, []);
    });
}

/**
 * Every QUIC ClientHello tshark shows (client address, SNI, ALPN, JA3) against
 * what the dissector reports on the frames nps decodes, one context per file
 * as in the engine. A second hello (after a HelloRetryRequest) is reported
 * without the name, and without the JA3 when it is the first's: those are
 * taken from the connection's first hello.
 */
async function compareWithTshark(files: string[]): Promise<{ agree: number; diffs: string[]; extra: string[] }> {
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
    const ours = new Set<string>();
    const conv = new Map<string, string>();
    const first = new Map<string, { sni: string; ja3: string }>();
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
      const second = ja4[3]?.['after'] === 'hello_retry_request';
      const sni = ctx.obs.find((o) => o[1] === 'sni')?.[2] ?? (second ? first.get(key)?.sni : undefined) ?? '';
      const ja3 = ctx.obs.find((o) => o[1] === 'ja3')?.[2] ?? (second ? first.get(key)?.ja3 : undefined) ?? '';
      if (!second) first.set(key, { sni, ja3 });
      const alpn = ((ja4[3]?.['alpn'] as string[] | undefined) ?? []).join(',');
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
  return { agree, diffs, extra };
}

if (!haveTool('tshark')) skip('tshark is not installed: the built draft, Retry and HelloRetryRequest captures not compared');
else
  test('built captures (draft vectors, draft-27, HelloRetryRequest, Retry then HRR, v2 HRR): every ClientHello agrees with tshark, the engine keeps both fingerprints', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'nps-quic-'));
    try {
      const files = writeHandshakes(dir);
      const { agree, diffs, extra } = await compareWithTshark(files);
      console.log(`# ${files.length} built QUIC captures: ${agree} ClientHellos agree with tshark, ${diffs.length} differ; nps only: ${extra.join('; ') || 'none'}`);
      assert.equal(diffs, []);
      assert.equal(extra, []);
      // Both drafts' examples, the draft-27 hello, two hellos in each HRR exchange.
      assert.is(agree, 9);
      // Through the engine: the HRR client has its name once and both fingerprints; its server the real ServerHello's cipher.
      const hrr = await assetsOf(files[3]!);
      assert.equal(attr(hrr.assets, '10.9.0.4', 'quic', 'sni'), ['hrr.example']);
      assert.is(attr(hrr.assets, '10.9.0.4', 'quic', 'ja3').length, 2);
      assert.is(attr(hrr.assets, '10.9.0.4', 'quic', 'ja4').length, 2);
      assert.equal(attr(hrr.assets, '198.51.100.4', 'quic', 'banner'), ['QUIC v1 TLS 1.3 cipher 0x1301']);
      const draft = await assetsOf(files[2]!);
      assert.equal(attr(draft.assets, '198.51.100.3', 'quic', 'banner'), ['QUIC draft-27 TLS 1.3 cipher 0x1301']);
      assert.ok(draft.flows.some((f) => f.protocol === 'udp' && f.server_port === 443 && f.application === 'QUIC'));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

test.run();
