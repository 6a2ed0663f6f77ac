import { LabIcon } from '@jupyterlab/ui-components';

const svg = (body: string) =>
  `<svg xmlns="http://www.w3.org/2000/svg" width="16" height="16" viewBox="0 0 24 24">` +
  `<g class="jp-icon3" fill="#616161">${body}</g></svg>`;

export const exportIcon = new LabIcon({
  name: 'jupyter-dlops:export',
  svgstr: svg('<path d="M14 2H6a2 2 0 0 0-2 2v16a2 2 0 0 0 2 2h12a2 2 0 0 0 2-2V8l-6-6zm-1 7V3.5L18.5 9H13zM8 13h3l-1.5-2h2l2.5 3-2.5 3h-2l1.5-2H8v-2z"/>')
});

export const experimentsIcon = new LabIcon({
  name: 'jupyter-dlops:experiments',
  svgstr: svg('<path d="M9 2v2h1v5.2L4.6 18.6A2 2 0 0 0 6.3 22h11.4a2 2 0 0 0 1.7-3.4L14 9.2V4h1V2H9zm3 2v5.8l2.4 4.2H9.6L12 9.8V4z"/>')
});

export const parametersIcon = new LabIcon({
  name: 'jupyter-dlops:parameters',
  svgstr: svg('<path d="M3 17v2h6v-2H3zM3 5v2h10V5H3zm10 16v-2h8v-2h-8v-2h-2v6h2zM7 9v2H3v2h4v2h2V9H7zm14 4v-2H11v2h10zm-6-4h2V7h4V5h-4V3h-2v6z"/>')
});

export const skipIcon = new LabIcon({
  name: 'jupyter-dlops:skip',
  svgstr: svg('<path d="M6 18l8.5-6L6 6v12zM16 6v12h2V6h-2z"/>')
});
