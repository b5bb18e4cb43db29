/** A DissectContext for dissector unit tests that records what a dissector says. */
import { PacketView } from '../../src/decode/view.js';
import type { DissectContext, ObservationData } from '../../src/dissect/types.js';

/** [who, kind, value, data]: 'src' the sender, 'dst' the receiver. */
export type Obs = [who: 'src' | 'dst', kind: string, value: string, data?: ObservationData];

export function recorder(fromClient: boolean, proto = 6): DissectContext & { obs: Obs[]; counts: string[] } {
  const view = new PacketView();
  view.proto = proto;
  const ctx = {
    view,
    fromClient,
    obs: [] as Obs[],
    counts: [] as string[],
    count(r: string) {
      ctx.counts.push(r);
    },
    src(kind: string, value: string, data?: ObservationData) {
      ctx.obs.push(['src', kind, value, data]);
    },
    dst(kind: string, value: string, data?: ObservationData) {
      ctx.obs.push(['dst', kind, value, data]);
    },
    about() {},
    about4() {},
    wants4() {
      return true;
    },
  };
  return ctx as unknown as DissectContext & { obs: Obs[]; counts: string[] };
}

/** Whether `who` was said to have `kind` = `value`. */
export function has(obs: Obs[], who: 'src' | 'dst', kind: string, value: string): boolean {
  return obs.some((o) => o[0] === who && o[1] === kind && o[2] === value);
}
