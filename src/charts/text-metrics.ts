/**
 * Text widths for ECharts' server-side rendering. Without a canvas, ECharts guesses how wide
 * a text is, and guesses narrow: legends then run off the right edge and labels overlap once
 * a browser draws the real glyphs. The CLI's charts are set in Arial (Liberation Sans on
 * Linux and Helvetica on macOS have the same widths), so Arial's advance widths measure them
 * exactly enough for layout.
 */

/** Arial's advance widths in 1/1000 em for the printable ASCII characters, from space (32). */
const ASCII = [
  278, 278, 355, 556, 556, 889, 667, 191, 333, 333, 389, 584, 278, 333, 278, 278, 556, 556, 556,
  556, 556, 556, 556, 556, 556, 556, 278, 278, 584, 584, 584, 556, 1015, 667, 667, 722, 722, 667,
  611, 778, 722, 278, 500, 667, 556, 833, 722, 778, 667, 778, 722, 667, 611, 722, 667, 944, 667,
  667, 611, 278, 278, 278, 469, 556, 333, 556, 556, 500, 556, 556, 278, 556, 556, 222, 222, 500,
  222, 833, 556, 556, 556, 556, 333, 500, 278, 556, 500, 722, 500, 500, 500, 334, 260, 334, 584,
];

/** The few other characters the charts print. */
const OTHER: Readonly<Record<string, number>> = {
  '–': 556,
  '—': 1000,
  '·': 278,
  '×': 584,
  '…': 1000,
  '→': 1000,
  '’': 222,
  '‘': 222,
  '€': 556,
};

/** Bold Arial is about this much wider than regular, for titles. */
const BOLD = 1.08;

/**
 * The width in pixels of `text` set in `font` (a CSS font shorthand such as `bold 17px Arial`).
 *
 * @example measureText('2027', '12px Arial') // { width: 26.688 }
 */
export function measureText(text: string, font?: string): { width: number } {
  const size = Number(/(\d+(?:\.\d+)?)px/.exec(font ?? '')?.[1] ?? 12);
  const bold = /\b(bold|bolder|[6-9]00)\b/.test(font ?? '');
  let units = 0;
  for (const char of text) {
    const code = char.codePointAt(0) ?? 0;
    units += code >= 32 && code <= 126 ? (ASCII[code - 32] ?? 556) : (OTHER[char] ?? 556);
  }
  return { width: (units / 1000) * size * (bold ? BOLD : 1) };
}
