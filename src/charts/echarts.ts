/**
 * ECharts with only what stargate's charts use, for the dashboard (in the browser) and the
 * CLI's `--chart` (server-side SVG): one list, so both draw with the same parts and the page's
 * bundle carries nothing else. Rendered as SVG in both places.
 */
import * as echarts from 'echarts/core';
import { BarChart, CustomChart, LineChart, SankeyChart } from 'echarts/charts';
import {
  AriaComponent,
  GridComponent,
  LegendComponent,
  MarkLineComponent,
  TitleComponent,
  TooltipComponent,
} from 'echarts/components';
import { SVGRenderer } from 'echarts/renderers';

echarts.use([
  BarChart,
  CustomChart,
  LineChart,
  SankeyChart,
  AriaComponent,
  GridComponent,
  LegendComponent,
  MarkLineComponent,
  TitleComponent,
  TooltipComponent,
  SVGRenderer,
]);

export { echarts };
export type { EChartsCoreOption } from 'echarts/core';
