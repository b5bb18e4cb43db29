/**
 * Configuration lint across sensors (SPEC §6.4, §7): two sensors on one
 * network that both inventory the same addresses would each create an asset
 * for one machine. The recommended layout is that each sensor inventories its
 * own subnet and lists the others with `inventory: false`.
 */
import { parseRange, rangesOverlap } from '../config/load.js';
import type { AddressRange } from '../config/types.js';

export interface SensorRanges {
  sensor: string;
  network: string;
  /** Where the ranges come from (a report or a configuration file), for the message. */
  source: string;
  groups: { name: string; inventory: boolean; ranges: AddressRange[] }[];
}

export interface LintWarning {
  code: 'overlapping-inventory-ranges';
  message: string;
  count: number;
  sensors: string[];
  ranges: string[];
}

/** Ranges written as text (as reports carry them); unreadable ones are skipped. */
export function rangesFromText(texts: readonly string[]): AddressRange[] {
  return texts.map((t) => parseRange(t)).filter((r): r is AddressRange => r !== null);
}

/**
 * One warning per pair of sensors whose inventoried ranges overlap on the same
 * network, listing each overlapping pair of ranges. Sources of one sensor
 * (several reports of it) are not compared with each other.
 */
export function crossSensorOverlaps(inputs: SensorRanges[]): LintWarning[] {
  // One entry per sensor and network: the union of what its sources inventory.
  const bySensor = new Map<string, SensorRanges>();
  for (const s of inputs) {
    const key = `${s.network}\u0000${s.sensor}`;
    const have = bySensor.get(key);
    if (!have) bySensor.set(key, { ...s, groups: [...s.groups] });
    else have.groups.push(...s.groups.filter((g) => !have.groups.some((h) => h.name === g.name)));
  }
  const sensors = [...bySensor.values()].sort((a, b) => (a.network + '\u0000' + a.sensor < b.network + '\u0000' + b.sensor ? -1 : 1));
  const warnings: LintWarning[] = [];
  for (let i = 0; i < sensors.length; i++) {
    for (let j = i + 1; j < sensors.length; j++) {
      const a = sensors[i]!;
      const b = sensors[j]!;
      if (a.network !== b.network) continue;
      const pairs: string[] = [];
      for (const ga of a.groups) {
        if (!ga.inventory) continue;
        for (const gb of b.groups) {
          if (!gb.inventory) continue;
          for (const ra of ga.ranges) for (const rb of gb.ranges) if (rangesOverlap(ra, rb)) pairs.push(`${ra.text} (${a.sensor}/${ga.name}) and ${rb.text} (${b.sensor}/${gb.name})`);
        }
      }
      if (pairs.length === 0) continue;
      warnings.push({
        code: 'overlapping-inventory-ranges',
        message:
          `sensors ${a.sensor} and ${b.sensor} both inventory addresses on network "${a.network}": ${pairs.slice(0, 3).join('; ')}` +
          `${pairs.length > 3 ? `; and ${pairs.length - 3} more` : ''}. One machine would become an asset of both; ` +
          'let each sensor inventory its own subnet and list the other subnets with `inventory: false`',
        count: pairs.length,
        sensors: [a.sensor, b.sensor],
        ranges: pairs,
      });
    }
  }
  return warnings;
}
