export { helmChart } from './chart';
export type { HelmChartOptions } from './chart';
export type { ImageValues } from './image';
export { escapeTemplateText } from './templates';
export type { ChartValues, WorkloadValues } from './values';
