/**
 * Whether a valid JSON text repeats a key inside one object. `JSON.parse` keeps the last
 * value silently, and input must not say two things at once: a scenario file that repeats a
 * key goes to the YAML reader (which refuses it with its line), an HTTP body is refused with
 * 400. Linear in the text; a key is decoded only when it holds an escape.
 */
export function repeatsKey(text: string): boolean {
  // One entry per open container: the keys seen so far for an object, undefined for an array.
  const open: (Set<string> | undefined)[] = [];
  let expectKey = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22 /* " */) {
      const start = i;
      let escaped = false;
      for (i++; i < text.length; i++) {
        const d = text.charCodeAt(i);
        if (d === 0x5c /* \ */) {
          escaped = true;
          i++;
        } else if (d === 0x22) break;
      }
      if (!expectKey) continue;
      const raw = text.slice(start + 1, i);
      const key = escaped ? (JSON.parse(`"${raw}"`) as string) : raw;
      const keys = open[open.length - 1];
      if (keys?.has(key)) return true;
      keys?.add(key);
      expectKey = false;
    } else if (c === 0x7b /* { */) {
      open.push(new Set());
      expectKey = true;
    } else if (c === 0x5b /* [ */) {
      open.push(undefined);
      expectKey = false;
    } else if (c === 0x7d /* } */ || c === 0x5d /* ] */) {
      open.pop();
      expectKey = false;
    } else if (c === 0x2c /* , */) {
      expectKey = open[open.length - 1] !== undefined;
    }
  }
  return false;
}
