/** The controls above a group of charts: log scale, smoothing, and what the x axis shows. */
import * as React from 'react';

import { IChartOptions, XAxis } from './chartprefs';

export function ChartControls(props: { options: IChartOptions; onChange: (change: Partial<IChartOptions>) => void }) {
  const { options, onChange } = props;
  return (
    <div className="jp-dlops-chart-controls" role="toolbar" aria-label="Chart options">
      <label>
        <input
          type="checkbox"
          className="jp-dlops-log-y"
          checked={options.logY}
          onChange={event => onChange({ logY: event.currentTarget.checked })}
        />
        log scale
      </label>
      <label>
        smoothing
        <input
          type="range"
          className="jp-dlops-smoothing"
          min={0}
          max={0.99}
          step={0.01}
          value={options.smoothing}
          onChange={event => onChange({ smoothing: Number(event.currentTarget.value) })}
        />
        <output className="jp-dlops-smoothing-value">{options.smoothing.toFixed(2)}</output>
      </label>
      <label>
        x axis
        <select
          className="jp-mod-styled jp-dlops-x-axis"
          value={options.xAxis}
          onChange={event => onChange({ xAxis: event.currentTarget.value as XAxis })}
        >
          <option value="step">step</option>
          <option value="wall">wall time</option>
          <option value="relative">relative time</option>
        </select>
      </label>
      <span className="jp-dlops-muted jp-dlops-zoom-hint">drag across a chart to zoom, double-click to reset</span>
    </div>
  );
}
