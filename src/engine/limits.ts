/**
 * The configuration's `limits:` (SPEC §10) as engine options: every table
 * that traffic can grow gets its bound from here. The DNS-learned names are
 * bounded in the classifier instead (see `classifierFrom` in cli/analyze.ts),
 * which is built before the engine.
 */
import type { TableLimits } from '../config/types.js';
import type { EngineOptions } from './engine.js';

/** EngineOptions fields for the configured bounds; spread them into `new Engine({...})`. */
export function engineLimits(limits: TableLimits): Pick<
  EngineOptions,
  'flows' | 'maxHosts' | 'maxMacs' | 'maxFlowRows' | 'maxFragments' | 'maxFragmentBytes' | 'maxTcpStreams' | 'maxObservations' | 'duplicateSlots'
> {
  return {
    flows: { maxFlows: limits.flows },
    maxHosts: limits.assets,
    maxMacs: limits.macs,
    maxFlowRows: limits.flowRows,
    maxFragments: limits.fragments,
    maxFragmentBytes: limits.fragmentBytes,
    maxTcpStreams: limits.tcpStreams,
    maxObservations: limits.observations,
    duplicateSlots: limits.duplicateSlots,
  };
}
