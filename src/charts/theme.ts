/**
 * Colours and type for charts, light and dark. The dashboard follows the system setting; the
 * CLI's SVG uses the light one (slides and documents are light). Providers keep one colour
 * each everywhere, in the order of `PROVIDER_COLOURS`, assigned by sorted provider id, so a
 * provider is the same colour on every chart.
 */
export interface ChartTheme {
  readonly name: 'light' | 'dark';
  readonly background: string;
  readonly text: string;
  readonly muted: string;
  readonly grid: string;
  readonly axis: string;
  readonly palette: readonly string[];
  readonly fontFamily: string;
}

/** Colour-blind-safe (Okabe–Ito, reordered), readable on white and on near-black. */
const PALETTE = [
  '#0072B2',
  '#E69F00',
  '#009E73',
  '#CC79A7',
  '#56B4E9',
  '#D55E00',
  '#7F7F7F',
  '#F0E442',
];

export const lightTheme: ChartTheme = {
  name: 'light',
  background: 'transparent',
  text: '#1f2328',
  muted: '#59636e',
  grid: '#d1d9e0',
  axis: '#818b98',
  palette: PALETTE,
  fontFamily: 'system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif',
};

export const darkTheme: ChartTheme = {
  ...lightTheme,
  name: 'dark',
  text: '#e6edf3',
  muted: '#9198a1',
  grid: '#3d444d',
  axis: '#656c76',
  palette: ['#56B4E9', '#E69F00', '#009E73', '#CC79A7', '#0072B2', '#D55E00', '#9e9e9e', '#F0E442'],
};

/** A colour per provider, stable across charts: by the provider's rank in sorted order. */
export function providerColours(
  providers: readonly string[],
  theme: ChartTheme,
): Map<string, string> {
  const sorted = [...new Set(providers)].sort();
  return new Map(
    sorted.map((id, index) => [id, theme.palette[index % theme.palette.length] ?? '#888']),
  );
}
