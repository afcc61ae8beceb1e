import { Typography } from 'antd';

export interface BarSeries {
  name: string;
  color: string;
}

export interface BarDatum {
  label: string;
  /** One value per series, as integer strings (µc or counts). */
  values: string[];
}

/** Bar heights relative to the largest value, in 0..1000 — bigint division, no precision loss. */
export function barScale(data: BarDatum[]): number[][] {
  let max = 0n;
  for (const d of data) for (const v of d.values) if (BigInt(v) > max) max = BigInt(v);
  return data.map((d) => d.values.map((v) => (max === 0n || BigInt(v) <= 0n ? 0 : Number((BigInt(v) * 1000n) / max))));
}

/** A small grouped bar chart in plain SVG: one group per label, one bar per series. */
export function BarChart({ data, series, format, height = 180 }: { data: BarDatum[]; series: BarSeries[]; format: (v: string) => string; height?: number }) {
  const scaled = barScale(data);
  const groupWidth = Math.max(24, Math.min(80, Math.floor(900 / Math.max(1, data.length))));
  const barWidth = Math.max(4, Math.floor((groupWidth - 6) / series.length));
  const width = Math.max(groupWidth * data.length, 200);
  return (
    <div style={{ overflowX: 'auto' }} data-testid="usage-chart">
      <svg width={width} height={height + 36} role="img">
        {data.map((d, i) =>
          series.map((s, j) => {
            const h = Math.round((scaled[i]![j]! / 1000) * height);
            return (
              <rect key={`${i}-${j}`} x={i * groupWidth + 3 + j * barWidth} y={height - h} width={barWidth - 1} height={h} fill={s.color}>
                <title>{`${d.label} · ${s.name}: ${format(d.values[j]!)}`}</title>
              </rect>
            );
          }),
        )}
        {data.map((d, i) => (
          <text key={d.label} x={i * groupWidth + groupWidth / 2} y={height + 14} fontSize={10} textAnchor="middle" fill="#666">
            {d.label.length > 10 ? `${d.label.slice(0, 9)}…` : d.label}
          </text>
        ))}
      </svg>
      <div>
        {series.map((s) => (
          <Typography.Text key={s.name} style={{ marginRight: 16 }}>
            <span style={{ display: 'inline-block', width: 10, height: 10, background: s.color, marginRight: 4 }} />
            {s.name}
          </Typography.Text>
        ))}
      </div>
    </div>
  );
}
