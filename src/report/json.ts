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

const NEWLINES = /\n/g;
const NO_KEYS: ReadonlySet<string> = new Set();

function isPrimitive(v: unknown): boolean {
  return v === null || (typeof v !== 'object' && typeof v !== 'undefined' && typeof v !== 'function');
}

/**
 * Keys already in sorted order at every level (plain objects and arrays of
 * them): JSON.stringify then prints the value exactly as sorting would.
 * Undefined members need no care: both leave them out of objects and print
 * them as null in arrays.
 */
function isSortedDeep(v: unknown, depth: number): boolean {
  if (isPrimitive(v) || v === undefined) return true;
  if (depth > 32 || typeof v !== 'object') return false;
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) if (!isSortedDeep(v[i], depth + 1)) return false;
    return true;
  }
  let prev = '';
  for (const k in v as Record<string, unknown>) {
    if (k <= prev && prev !== '') return false;
    prev = k;
    if (!isSortedDeep((v as Record<string, unknown>)[k], depth + 1)) return false;
  }
  return true;
}

/**
 * Appends `value` as JSON.stringify(value, null, 2) would print it at nesting
 * `pad`, with object keys sorted, to `out`, without building intermediate
 * objects or one big string.
 */
function serialize(value: unknown, pad: string, out: string[]): void {
  if (value === null || typeof value !== 'object') {
    out.push(JSON.stringify(value) ?? 'null');
    return;
  }
  const inner = pad + '  ';
  if (Array.isArray(value)) {
    const n = value.length;
    if (n === 0) {
      out.push('[]');
      return;
    }
    out.push('[\n');
    for (let i = 0; i < n; i++) {
      out.push(inner);
      serialize(value[i], inner, out);
      out.push(i < n - 1 ? ',\n' : '\n');
    }
    out.push(pad + ']');
    return;
  }
  const obj = value as Record<string, unknown>;
  if (isSortedDeep(obj, 0)) {
    // Common case (report records built in key order): let the native serializer do it.
    out.push(JSON.stringify(obj, null, 2).replace(NEWLINES, '\n' + pad));
    return;
  }
  const keys = Object.keys(obj).filter((k) => obj[k] !== undefined).sort();
  if (keys.length === 0) {
    out.push('{}');
    return;
  }
  out.push('{\n');
  for (let i = 0; i < keys.length; i++) {
    const k = keys[i]!;
    out.push(inner, JSON.stringify(k), ': ');
    serialize(obj[k], inner, out);
    out.push(i < keys.length - 1 ? ',\n' : '\n');
  }
  out.push(pad + '}');
}

/**
 * The same text as `stableStringify(doc) + '\n'`, produced piece by piece.
 * Top-level arrays are written one element at a time; `lazy` supplies arrays
 * as iterables (rendered one row at a time, never all held), replacing the
 * document's own value under that key.
 */
export function writeStableJson(
  doc: Record<string, unknown>,
  emit: (chunk: string) => void,
  lazy: Record<string, Iterable<unknown>> = {},
  /** Top-level arrays whose elements are written one per line, unindented. */
  compact: ReadonlySet<string> = NO_KEYS,
  /**
   * Lazy arrays whose rows are flat objects built with their keys already in
   * sorted order (the report builder's flow and traffic rows): written by
   * JSON.stringify without checking.
   */
  presorted: ReadonlySet<string> = NO_KEYS,
  /** Lazy arrays whose rows come as JSON text already (compact, keys sorted): written as they are. */
  raw: ReadonlySet<string> = NO_KEYS,
): void {
  const keys = [...new Set([...Object.keys(doc), ...Object.keys(lazy)])].filter((k) => k in lazy || doc[k] !== undefined).sort();
  if (keys.length === 0) {
    emit('{}\n');
    return;
  }
  emit('{\n');
  const out: string[] = [];
  // Pieces go to `emit` one by one: joining them first would copy every byte once more.
  const drain = () => {
    for (let i = 0; i < out.length; i++) emit(out[i]!);
    out.length = 0;
  };
  keys.forEach((k, i) => {
    out.push('  ', JSON.stringify(k), ': ');
    const v = k in lazy ? lazy[k]! : doc[k];
    if (k in lazy || Array.isArray(v)) {
      let first = true;
      const oneLine = compact.has(k);
      const trusted = presorted.has(k);
      for (const el of v as Iterable<unknown>) {
        out.push(first ? '[\n    ' : ',\n    ');
        first = false;
        if (raw.has(k)) out.push(el as string);
        else if (oneLine) out.push(trusted ? JSON.stringify(el) : compactJson(el));
        else serialize(el, '    ', out);
        // Hand pieces on soon: held ones outlive the young generation and get copied by the GC.
        if (out.length > 64) drain();
      }
      out.push(first ? '[]' : '\n  ]');
    } else {
      serialize(v, '  ', out);
    }
    out.push(i < keys.length - 1 ? ',\n' : '\n');
    drain();
  });
  emit('}\n');
}

/** One line of JSON with sorted keys (the native serialiser when keys are already in order). */
export function compactJson(value: unknown): string {
  if (value !== null && typeof value === 'object' && !Array.isArray(value) && isSortedDeep(value, 0)) {
    return JSON.stringify(value);
  }
  return JSON.stringify(sortKeys(value)) ?? 'null';
}
