/**
 * ATM with RFC 1483 LLC encapsulation (100): routed SNAP (an EtherType),
 * bridged 802.3 (OUI 00-80-C2, with and without the FCS), and LLC payloads
 * without IP.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as B from '../../src/capture/builder.js';
import { isKnownLinkType } from '../../src/decode/link.js';
import { L3 } from '../../src/decode/view.js';
import { addrs, decode, hex, survivesDamage } from '../helpers/decode-frame.js';

const ATM = 100;
const v4 = B.ipv4({ src: '10.1.1.1', dst: '10.1.1.2', proto: B.IPPROTO.UDP, payload: B.udp({ srcPort: 40000, dstPort: 53, payload: 'q' }) });
const eth = B.ethernet({ src: '00:16:3e:00:00:10', dst: '00:16:3e:00:00:20', etherType: 0x0800, payload: v4 });

test('routed: SNAP with OUI 0 and an EtherType', () => {
  assert.ok(isKnownLinkType(ATM));
  const { v, errs } = decode(Buffer.concat([hex('aaaa03 000000 0800'), v4]), ATM);
  assert.is(addrs(v), '10.1.1.1 > 10.1.1.2');
  assert.is(v.macSrc, -1);
  assert.equal(errs.toObject(), {});
});

test('bridged 802.3 after two bytes of padding, its FCS dropped when PID 0x0001 says it is kept', () => {
  const plain = decode(Buffer.concat([hex('aaaa03 0080c2 0007 0000'), eth]), ATM);
  assert.is(addrs(plain.v), '10.1.1.1 > 10.1.1.2');
  assert.is(plain.v.macSrc, 0x00163e000010);
  assert.equal(plain.errs.toObject(), {});
  const withFcs = decode(Buffer.concat([hex('aaaa03 0080c2 0001 0000'), eth, hex('deadbeef')]), ATM);
  assert.is(addrs(withFcs.v), '10.1.1.1 > 10.1.1.2');
  assert.is(withFcs.v.payloadLen, plain.v.payloadLen, 'the FCS is not payload');
});

test('OSI and other LLC payloads carry no IP and count nothing', () => {
  for (const head of ['fefe03 81', '424203 0000', 'aaaa03 00000c 2000']) {
    const { v, errs } = decode(Buffer.concat([hex(head), v4]), ATM);
    assert.is(v.l3, L3.None, head);
    assert.equal(errs.toObject(), {}, head);
  }
});

test('every cut short of the IP header is counted; random bytes never throw', () => {
  const f = Buffer.concat([hex('aaaa03 000000 0800'), v4]);
  for (let n = 0; n < 8 + 20; n++) {
    const { v, errs } = decode(f, ATM, n);
    assert.ok(errs.total >= 1, `cut at ${n}`);
    assert.is(addrs(v), '-', `cut at ${n}`);
  }
  survivesDamage(f, ATM);
});

test.run();
