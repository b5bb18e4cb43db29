/**
 * The merged inventory of everything `nps receive` stored (`nps.inventory/v1`):
 * per sensor (name + network), the pushes applied in stored order — new
 * assets set whole, changed fields laid over the record, removed ids dropped,
 * flow growth summed per flow key. Updated on each stored push, never rebuilt
 * from the file on a request.
 */
import { FLOW_COUNT_FIELDS, flowKey, type JsonObject, type PushDocument } from '../push/types.js';

export const INVENTORY_SCHEMA = 'nps.inventory/v1';

export interface InventorySensor {
  name: string;
  network: string;
  /** Pushes stored for this sensor. */
  pushes: number;
  /** `sequence` of the latest stored push (sequences restart with each sensor run). */
  last_sequence: number;
  /** The latest interval end of any stored push. */
  last_interval_end: string;
  /** The latest stored push was a run's last (`final: true`). */
  final_seen: boolean;
  assets: JsonObject[];
  flows: JsonObject[];
}

export interface InventoryDocument {
  schema: typeof INVENTORY_SCHEMA;
  sensors: InventorySensor[];
}

interface SensorState {
  name: string;
  network: string;
  pushes: number;
  lastSequence: number;
  lastIntervalEnd: string;
  finalSeen: boolean;
  assets: Map<string, JsonObject>;
  flows: Map<string, JsonObject>;
}

const COUNT_FIELDS: ReadonlySet<string> = new Set(FLOW_COUNT_FIELDS);

export class Inventory {
  private readonly sensors = new Map<string, SensorState>();
  private pushCount = 0;

  get pushes(): number {
    return this.pushCount;
  }

  get sensorCount(): number {
    return this.sensors.size;
  }

  /** Applies one stored push. The document's records are copied, not kept. */
  apply(doc: PushDocument): void {
    const id = JSON.stringify([doc.sensor.name, doc.sensor.network]);
    let s = this.sensors.get(id);
    if (!s) {
      s = { name: doc.sensor.name, network: doc.sensor.network, pushes: 0, lastSequence: 0, lastIntervalEnd: '', finalSeen: false, assets: new Map(), flows: new Map() };
      this.sensors.set(id, s);
    }
    this.pushCount++;
    s.pushes++;
    s.lastSequence = doc.sequence;
    // Timestamps have one fixed ISO format (six fractional digits, Z): string order is time order.
    if (doc.interval.end > s.lastIntervalEnd) s.lastIntervalEnd = doc.interval.end;
    s.finalSeen = doc.final;
    for (const a of doc.new_assets) s.assets.set(String(a.id), { ...a });
    for (const c of doc.changed_assets) {
      const key = String(c.id);
      const have = s.assets.get(key);
      if (have) Object.assign(have, c);
      else s.assets.set(key, { ...c });
    }
    for (const r of doc.removed_assets ?? []) s.assets.delete(r);
    for (const f of doc.flows) {
      const k = flowKey(f);
      const have = s.flows.get(k);
      if (!have) {
        s.flows.set(k, { ...f });
        continue;
      }
      for (const [field, value] of Object.entries(f)) {
        if (COUNT_FIELDS.has(field)) have[field] = Number(have[field] ?? 0) + Number(value);
        else if (field === 'first_seen') {
          if (typeof value === 'string' && (typeof have.first_seen !== 'string' || value < have.first_seen)) have.first_seen = value;
        } else if (field === 'last_seen') {
          if (typeof value === 'string' && (typeof have.last_seen !== 'string' || value > have.last_seen)) have.last_seen = value;
        } else have[field] = value; // key fields are equal; application, family, interval_end: the latest push's
      }
    }
  }

  toDocument(): InventoryDocument {
    const sensors = [...this.sensors.values()].sort((a, b) => cmp(a.name, b.name) || cmp(a.network, b.network));
    return {
      schema: INVENTORY_SCHEMA,
      sensors: sensors.map((s) => ({
        name: s.name,
        network: s.network,
        pushes: s.pushes,
        last_sequence: s.lastSequence,
        last_interval_end: s.lastIntervalEnd,
        final_seen: s.finalSeen,
        assets: [...s.assets.entries()].sort((a, b) => cmp(a[0], b[0])).map(([, a]) => ({ ...a })),
        flows: [...s.flows.entries()]
          .sort((a, b) => cmp(String(a[1].interval_start), String(b[1].interval_start)) || cmp(a[0], b[0]))
          .map(([, f]) => ({ ...f })),
      })),
    };
  }
}

/** Code-point order (not locale order): the same everywhere. */
function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
