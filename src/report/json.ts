/** JSON with object keys sorted at every level, so identical input gives identical bytes. */
export function stableStringify(value: unknown, indent = 2): string {
  return JSON.stringify(sortKeys(value), null, indent);
}

export function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(value).sort()) {
      const v = (value as Record<string, unknown>)[k];
      if (v !== undefined) out[k] = sortKeys(v);
    }
    return out;
  }
  return value;
}

function indent(text: string, pad: string): string {
  return text.replace(/\n/g, '\n' + pad);
}

/**
 * The same text as `stableStringify(report) + '\n'`, produced piece by piece:
 * top-level arrays are written one element at a time, so a report with a
 * million flow rows never becomes one giant string.
 */
export function writeStableJson(doc: Record<string, unknown>, emit: (chunk: string) => void): void {
  const keys = Object.keys(doc)
    .filter((k) => doc[k] !== undefined)
    .sort();
  if (keys.length === 0) {
    emit('{}\n');
    return;
  }
  emit('{\n');
  keys.forEach((k, i) => {
    const v = doc[k];
    emit(`  ${JSON.stringify(k)}: `);
    if (Array.isArray(v) && v.length > 0) {
      emit('[\n');
      for (let j = 0; j < v.length; j++) {
        emit('    ' + indent(JSON.stringify(sortKeys(v[j]), null, 2) ?? 'null', '    ') + (j < v.length - 1 ? ',\n' : '\n'));
      }
      emit('  ]');
    } else {
      emit(indent(JSON.stringify(sortKeys(v), null, 2), '  '));
    }
    emit(i < keys.length - 1 ? ',\n' : '\n');
  });
  emit('}\n');
}
