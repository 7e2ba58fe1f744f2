// Stacked bars over time, drawn as SVG: a chart library would weigh more than the whole app for it.

export interface Segment {
  key: string;
  value: number;
  /** a class that sets `--state` (the state badges' colours) or `--bar` */
  className: string;
}

export interface Bar {
  label: string;
  segments: Segment[];
}

const HEIGHT = 120;

/** One bar per time bucket, its segments stacked; each bar says its figures on hover (title), and
 * the whole chart has a text summary for screen readers. */
export function BarChart({
  bars,
  summary,
  format = String,
}: {
  bars: Bar[];
  summary: string;
  format?: (n: number) => string;
}) {
  const max = Math.max(1, ...bars.map((b) => b.segments.reduce((sum, s) => sum + s.value, 0)));
  const width = 100 / Math.max(bars.length, 1);
  return (
    <div className="bar-chart">
      <svg viewBox={`0 0 100 ${HEIGHT}`} preserveAspectRatio="none" role="img" aria-label={summary}>
        {bars.map((bar, i) => {
          let y = HEIGHT;
          const total = bar.segments.reduce((sum, s) => sum + s.value, 0);
          return (
            <g key={bar.label} data-bar={bar.label}>
              <title>
                {`${bar.label}: ${format(total)}${bar.segments
                  .filter((s) => s.value > 0)
                  .map((s) => `\n${s.key}: ${format(s.value)}`)
                  .join('')}`}
              </title>
              {/* the whole column takes the hover, thin bars included */}
              <rect x={i * width} y={0} width={width} height={HEIGHT} fill="transparent" />
              {bar.segments.map((s) => {
                const h = (s.value / max) * (HEIGHT - 4);
                y -= h;
                return (
                  s.value > 0 && (
                    <rect
                      key={s.key}
                      className={`bar ${s.className}`}
                      x={i * width + width * 0.12}
                      y={y}
                      width={width * 0.76}
                      height={h}
                    />
                  )
                );
              })}
            </g>
          );
        })}
      </svg>
      <div className="bar-axis muted small">
        <span>{bars[0]?.label}</span>
        <span>{bars[bars.length - 1]?.label}</span>
      </div>
    </div>
  );
}
