export { helmChart } from './chart';
export type { HelmChartOptions } from './chart';
export { joinImage, splitImage } from './image';
export type { ImageValues } from './image';
export { escapeTemplateText } from './templates';
export type { ChartValues, WorkloadValues } from './values';
