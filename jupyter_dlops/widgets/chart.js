// The metric chart of widgets.Runs (an anywidget): axes with titles and ticks, a legend, a
// hover readout of (step, value, run), and the theme's colours (the workspace's chart.tsx uses
// the same CSS variables), so it reads in light and dark themes and follows the output's width.

const NS = 'http://www.w3.org/2000/svg';
// the workspace charts' series colours: the theme's, with category10 fallbacks
const SERIES = [
  ['--jp-brand-color1', '#1f77b4'], ['--jp-warn-color1', '#ff7f0e'],
  ['--jp-success-color1', '#2ca02c'], ['--jp-error-color1', '#d62728'],
  ['--jp-info-color1', '#9467bd'], ['--jp-accent-color1', '#8c564b'],
  ['--jp-brand-color3', '#e377c2'], ['--jp-warn-color3', '#7f7f7f']
];
const HEIGHT = 260;
const M = { left: 64, right: 16, top: 12, bottom: 44 };

export function niceTicks(lo, hi, count = 5, integer = false) {
  // round values (1, 2, 5 × 10^k) inside [lo, hi]: what a reader expects on an axis;
  // whole numbers only for an axis of whole numbers (steps: no tick at step 0.2)
  if (!(hi > lo)) return [lo];
  const raw = (hi - lo) / count;
  const mag = Math.pow(10, Math.floor(Math.log10(raw)));
  const norm = raw / mag;
  let step = (norm < 1.5 ? 1 : norm < 3 ? 2 : norm < 7 ? 5 : 10) * mag;
  if (integer) step = Math.max(1, Math.round(step));
  const ticks = [];
  for (let i = Math.ceil(lo / step - 1e-9); i * step <= hi + step * 1e-9; i++) {
    ticks.push(Number((i * step).toPrecision(12)));
  }
  return ticks;
}

export function fmt(v) {
  const a = Math.abs(v);
  if (a !== 0 && (a >= 1e6 || a < 1e-3)) return v.toExponential(2);
  return String(Number(v.toPrecision(4)));
}

function node(tag, attrs, parent, text) {
  const n = document.createElementNS(NS, tag);
  for (const [k, v] of Object.entries(attrs)) n.setAttribute(k, String(v));
  if (text !== undefined) n.textContent = text;
  if (parent) parent.appendChild(n);
  return n;
}

function domain(curves) {
  const xs = [], ys = [];
  for (const c of curves) for (const [x, y] of c.points) { xs.push(x); ys.push(y); }
  let [x0, x1, y0, y1] = [Math.min(...xs), Math.max(...xs), Math.min(...ys), Math.max(...ys)];
  if (!(x1 > x0)) x1 = x0 + 1;
  if (!(y1 > y0)) { y0 -= 0.5; y1 += 0.5; }
  const pad = (y1 - y0) * 0.05; // curves do not touch the frame
  return { x0, x1, y0: y0 - pad, y1: y1 + pad, wholeX: xs.every(Number.isInteger) };
}

function drawAxes(svg, d, sx, sy, w, xTitle, yTitle) {
  const axis = node('g', { class: 'dlops-plot-axes' }, svg);
  for (const t of niceTicks(d.x0, d.x1, Math.max(2, Math.floor((w - M.left - M.right) / 80)), d.wholeX)) {
    node('line', { class: 'dlops-plot-grid', x1: sx(t), x2: sx(t), y1: M.top, y2: HEIGHT - M.bottom }, axis);
    node('text', { class: 'dlops-plot-tick', 'data-axis': 'x', x: sx(t), y: HEIGHT - M.bottom + 14,
      'text-anchor': 'middle' }, axis, fmt(t));
  }
  for (const t of niceTicks(d.y0, d.y1, 5)) {
    node('line', { class: 'dlops-plot-grid', x1: M.left, x2: w - M.right, y1: sy(t), y2: sy(t) }, axis);
    node('text', { class: 'dlops-plot-tick', 'data-axis': 'y', x: M.left - 6, y: sy(t) + 4,
      'text-anchor': 'end' }, axis, fmt(t));
  }
  node('rect', { class: 'dlops-plot-frame', x: M.left, y: M.top, width: w - M.left - M.right,
    height: HEIGHT - M.top - M.bottom }, axis);
  node('text', { class: 'dlops-plot-axis-title', 'data-axis': 'x', x: (M.left + w - M.right) / 2,
    y: HEIGHT - 6, 'text-anchor': 'middle' }, axis, xTitle);
  const my = (M.top + HEIGHT - M.bottom) / 2;
  node('text', { class: 'dlops-plot-axis-title', 'data-axis': 'y', x: 14, y: my,
    'text-anchor': 'middle', transform: `rotate(-90 14 ${my})` }, axis, yTitle);
}

function colour(i) {
  const [name, fallback] = SERIES[i % SERIES.length];
  return `var(${name}, ${fallback})`;
}

function draw(model, el) {
  el.replaceChildren();
  const curves = (model.get('curves') || []).filter(c => c.points.length);
  const metric = model.get('metric');
  if (!curves.length) {
    const empty = document.createElement('div');
    empty.className = 'dlops-plot-empty';
    empty.textContent = metric ? `no values of ${metric} yet` : 'no metrics logged yet';
    el.appendChild(empty);
    return;
  }
  const w = Math.max(280, el.clientWidth || 560);
  const d = domain(curves);
  const sx = x => M.left + (x - d.x0) / (d.x1 - d.x0) * (w - M.left - M.right);
  const sy = y => HEIGHT - M.bottom - (y - d.y0) / (d.y1 - d.y0) * (HEIGHT - M.top - M.bottom);
  const svg = node('svg', { class: 'dlops-plot-svg', width: w, height: HEIGHT, role: 'img',
    'aria-label': `${metric} against ${model.get('x_title')}` }, el);
  drawAxes(svg, d, sx, sy, w, model.get('x_title'), metric);
  curves.forEach((c, i) => {
    node('polyline', { class: 'dlops-plot-line', fill: 'none', style: `stroke: ${colour(i)}`,
      'data-run': c.run_id, points: c.points.map(([x, y]) => `${sx(x)},${sy(y)}`).join(' ') }, svg);
  });
  legend(el, curves);
  hover(el, svg, curves, sx, sy, w, metric);
}

function legend(el, curves) {
  const box = document.createElement('div');
  box.className = 'dlops-plot-legend';
  curves.forEach((c, i) => {
    const item = document.createElement('span');
    item.className = 'dlops-plot-legend-item';
    item.title = c.run_id;
    const swatch = document.createElement('span');
    swatch.className = 'dlops-plot-swatch';
    swatch.style.background = colour(i);
    item.append(swatch, document.createTextNode(c.label));
    box.appendChild(item);
  });
  el.appendChild(box);
}

function hover(el, svg, curves, sx, sy, w, metric) {
  const readout = document.createElement('div');
  readout.className = 'dlops-plot-readout';
  readout.hidden = true;
  el.insertBefore(readout, svg);
  const guide = node('line', { class: 'dlops-plot-guide', y1: M.top, y2: HEIGHT - M.bottom,
    visibility: 'hidden' }, svg);
  const dot = node('circle', { class: 'dlops-plot-dot', r: 4, visibility: 'hidden' }, svg);
  const overlay = node('rect', { class: 'dlops-plot-overlay', x: M.left, y: M.top,
    width: w - M.left - M.right, height: HEIGHT - M.top - M.bottom, fill: 'transparent' }, svg);
  overlay.addEventListener('mousemove', event => {
    const box = svg.getBoundingClientRect();
    const mx = event.clientX - box.left, my = event.clientY - box.top;
    let best = null;
    curves.forEach((c, i) => c.points.forEach(([x, y]) => {
      const dist = (sx(x) - mx) ** 2 + (sy(y) - my) ** 2;
      if (!best || dist < best.dist) best = { dist, x, y, c, i };
    }));
    for (const [n, a] of [[guide, { x1: sx(best.x), x2: sx(best.x) }],
      [dot, { cx: sx(best.x), cy: sy(best.y), style: `fill: ${colour(best.i)}` }]]) {
      for (const [k, v] of Object.entries(a)) n.setAttribute(k, String(v));
      n.setAttribute('visibility', 'visible');
    }
    readout.hidden = false;
    readout.textContent = `step ${fmt(best.x)} · ${metric} ${fmt(best.y)} · run ${best.c.label}`;
  });
  overlay.addEventListener('mouseleave', () => {
    readout.hidden = true;
    guide.setAttribute('visibility', 'hidden');
    dot.setAttribute('visibility', 'hidden');
  });
}

function render({ model, el }) {
  el.classList.add('dlops-plot');
  const redraw = () => draw(model, el);
  model.on('change:curves', redraw);
  model.on('change:metric', redraw);
  // the width follows the output area (a narrower window, an opened sidebar)
  let width = 0;
  const observer = new ResizeObserver(() => {
    if (el.clientWidth && Math.abs(el.clientWidth - width) > 4) { width = el.clientWidth; redraw(); }
  });
  observer.observe(el);
  redraw();
  return () => observer.disconnect();
}

export default { render };
