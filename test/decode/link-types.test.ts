/**
 * The two lists of link types in decode/link.ts agree: isKnownLinkType (which
 * the engine asks once per link type, to warn about the others) says yes
 * exactly for the types decodeLinkAs has a decoder for.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { DecodeErrors } from '../../src/decode/errors.js';
import { decodeLinkAs, isKnownLinkType } from '../../src/decode/link.js';
import { PacketView } from '../../src/decode/view.js';
import { linkTypeName } from '../../src/report/link-types.js';

test('isKnownLinkType is true exactly where decodeLinkAs decodes', () => {
  const frame = Buffer.alloc(64);
  const disagree: string[] = [];
  let known = 0;
  for (let t = 0; t < 300; t++) {
    const v = new PacketView();
    const errs = new DecodeErrors();
    v.reset(frame, 0, frame.length, frame.length, 0, t);
    decodeLinkAs(v, errs, t, 0, frame.length);
    const decoded = errs.toObject()['link.unsupported_type'] === undefined;
    if (decoded) known++;
    if (decoded !== isKnownLinkType(t)) disagree.push(`${t} ${linkTypeName(t)}: decoded ${decoded}, known ${isKnownLinkType(t)}`);
  }
  assert.equal(disagree, []);
  assert.ok(known >= 30, `${known} link types decoded`);
});

test.run();
