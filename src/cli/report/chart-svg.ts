import { createHash } from 'node:crypto';
import type { EChartsCoreOption } from '../../charts/echarts.js';
import { echarts } from '../../charts/echarts.js';
import { escapeHtml } from '../../charts/format.js';
import { lightTheme } from '../../charts/theme.js';
import type { ChartTheme } from '../../charts/theme.js';
import { measureText } from '../../charts/text-metrics.js';

// Lay text out with the widths of the font the SVG names (see text-metrics.ts).
echarts.setPlatformAPI({ measureText });

/**
 * The theme of the CLI's charts: the light one on white, since an SVG file is opened in
 * viewers and slides whatever the system's colour scheme, and transparent dark text on a dark
 * viewer would be unreadable. Set in Arial, whose widths `measureText` knows (Liberation Sans
 * and Helvetica share them). ECharts' SSR writes the font family into a double-quoted `style`
 * attribute without escaping it, so quoted names take single quotes.
 */
export const svgTheme: ChartTheme = {
  ...lightTheme,
  background: '#ffffff',
  fontFamily: "Arial, 'Liberation Sans', Helvetica, sans-serif",
};

/** A chart's drawing size in SVG units; the file scales to its container from it. */
export interface SvgSize {
  readonly width: number;
  readonly height: number;
}

/**
 * Draws an option of src/charts with ECharts' server-side SVG renderer — the same
 * definitions the dashboard draws — and makes the SVG scale to its container: a `viewBox` of
 * the drawing size with `width="100%"` and no fixed height, so a narrower window shows all of
 * it, smaller, at the same aspect. The root gets `role="img"`, a `<title>` (the chart's title)
 * and a `<desc>` (its aria description), which ECharts' SSR output lacks.
 */
export function renderSvg(option: EChartsCoreOption, size: SvgSize): string {
  const chart = echarts.init(null, null, {
    renderer: 'svg',
    ssr: true,
    width: size.width,
    height: size.height,
  });
  let svg: string;
  try {
    chart.setOption(option);
    svg = chart.renderToSVGString({ useViewBox: true });
  } finally {
    chart.dispose();
  }
  return `${stableIds(scalable(svg, size, words(option)))}\n`;
}

/**
 * ECharts names its ids and CSS classes after a counter of chart instances in the process
 * (`zr3-cls-17`), so one chart would not give the same bytes twice, and two files inlined in
 * one page could share a class with different hover rules. The ids are renumbered in order of
 * first use and prefixed with a hash of the drawing: the same chart gives the same bytes, and
 * different charts different names.
 */
function stableIds(svg: string): string {
  const names = new Map<string, string>();
  const counts = new Map<string, number>();
  const placeholder = '\u0000';
  const normal = svg.replace(/\bzr\d+-([a-z]+)-?(\d+)/g, (match: string, kind: string) => {
    let name = names.get(match);
    if (name === undefined) {
      const n = counts.get(kind) ?? 0;
      counts.set(kind, n + 1);
      name = `${placeholder}${kind}${n}`;
      names.set(match, name);
    }
    return name;
  });
  const hash = createHash('sha256').update(normal).digest('hex').slice(0, 8);
  return normal.replaceAll(placeholder, `sg${hash}-`);
}

function words(option: EChartsCoreOption): { title: string; description: string } {
  const aria = option.aria as { label?: { description?: unknown } } | undefined;
  const description = typeof aria?.label?.description === 'string' ? aria.label.description : '';
  const titles = (Array.isArray(option.title) ? option.title : [option.title]) as (
    { text?: unknown } | undefined
  )[];
  const title = titles.map((t) => t?.text).find((t) => typeof t === 'string');
  return { title: typeof title === 'string' ? title : description, description };
}

/** Rewrites the root `<svg …>` tag; the rest of ECharts' output is kept as it is. */
function scalable(svg: string, size: SvgSize, text: { title: string; description: string }) {
  const open = /^<svg\b[^>]*>/.exec(svg);
  if (!open) throw new Error('ECharts did not return an SVG document');
  const attributes = [
    'xmlns="http://www.w3.org/2000/svg"',
    'xmlns:xlink="http://www.w3.org/1999/xlink"',
    'version="1.1"',
    'width="100%"',
    `viewBox="0 0 ${size.width} ${size.height}"`,
    'preserveAspectRatio="xMidYMid meet"',
    // Inline in HTML, `height: auto` keeps the viewBox's aspect; `display: block` drops the
    // baseline gap under an inline element.
    'style="display:block;height:auto;max-width:100%"',
    'role="img"',
    `aria-label="${escapeHtml(text.title)}"`,
  ];
  const head = `<svg ${attributes.join(' ')}>\n<title>${escapeHtml(text.title)}</title>\n<desc>${escapeHtml(text.description)}</desc>`;
  return head + svg.slice(open[0].length);
}
