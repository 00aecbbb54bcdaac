export interface Series {
  readonly label: string;
  readonly unit: string;
  readonly values: readonly number[];
}

const WIDTH = 900;
const PANEL = 130;
const LEFT = 70;
const RIGHT = 20;
const TOP = 40;
const GAP = 30;
const COLORS = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd', '#ff7f0e', '#8c564b'];

/**
 * A plain SVG of stacked line charts sharing one x axis (one panel per series, its own y scale from 0),
 * written without a plotting library. NaN values break the line.
 */
export function renderSvgPanels(
  title: string,
  xLabel: string,
  x: readonly number[],
  series: readonly Series[],
): string {
  const height = TOP + series.length * (PANEL + GAP) + 20;
  const plotW = WIDTH - LEFT - RIGHT;
  const xMax = Math.max(...x.filter(Number.isFinite), 1e-9);
  const px = (v: number): number => LEFT + (v / xMax) * plotW;
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" font-family="sans-serif" font-size="11">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    `<text x="${WIDTH / 2}" y="20" text-anchor="middle" font-size="14" font-weight="bold">${escape(title)}</text>`,
  ];
  series.forEach((s, index) => {
    const top = TOP + index * (PANEL + GAP);
    const bottom = top + PANEL;
    const finite = s.values.filter(Number.isFinite);
    const yMax = niceMax(Math.max(...finite, 0));
    const py = (v: number): number => bottom - (v / yMax) * PANEL;
    const color = COLORS[index % COLORS.length];
    parts.push(
      `<text x="${LEFT}" y="${top - 6}" font-weight="bold">${escape(s.label)} (${escape(s.unit)})</text>`,
      `<line x1="${LEFT}" y1="${bottom}" x2="${WIDTH - RIGHT}" y2="${bottom}" stroke="#444"/>`,
      `<line x1="${LEFT}" y1="${top}" x2="${LEFT}" y2="${bottom}" stroke="#444"/>`,
      `<line x1="${LEFT}" y1="${top}" x2="${WIDTH - RIGHT}" y2="${top}" stroke="#ddd"/>`,
      `<line x1="${LEFT}" y1="${(top + bottom) / 2}" x2="${WIDTH - RIGHT}" y2="${(top + bottom) / 2}" stroke="#eee"/>`,
      `<text x="${LEFT - 6}" y="${bottom + 4}" text-anchor="end">0</text>`,
      `<text x="${LEFT - 6}" y="${(top + bottom) / 2 + 4}" text-anchor="end">${fmtTick(yMax / 2)}</text>`,
      `<text x="${LEFT - 6}" y="${top + 4}" text-anchor="end">${fmtTick(yMax)}</text>`,
    );
    for (const segment of segments(x, s.values)) {
      const points = segment.map(([xv, yv]) => `${px(xv).toFixed(1)},${py(yv).toFixed(1)}`).join(' ');
      parts.push(`<polyline fill="none" stroke="${color}" stroke-width="1.5" points="${points}"/>`);
    }
    if (index === series.length - 1) {
      for (const f of [0, 0.25, 0.5, 0.75, 1]) {
        const xv = f * xMax;
        parts.push(`<text x="${px(xv)}" y="${bottom + 16}" text-anchor="middle">${fmtTick(xv)}</text>`);
      }
      parts.push(
        `<text x="${LEFT + plotW / 2}" y="${bottom + 30}" text-anchor="middle">${escape(xLabel)}</text>`,
      );
    }
  });
  parts.push('</svg>');
  return `${parts.join('\n')}\n`;
}

function segments(x: readonly number[], y: readonly number[]): [number, number][][] {
  const out: [number, number][][] = [];
  let current: [number, number][] = [];
  for (let i = 0; i < x.length; i++) {
    const xv = x[i] as number;
    const yv = y[i] as number;
    if (Number.isFinite(xv) && Number.isFinite(yv)) current.push([xv, yv]);
    else if (current.length > 0) {
      out.push(current);
      current = [];
    }
  }
  if (current.length > 0) out.push(current);
  return out;
}

function niceMax(v: number): number {
  if (v <= 0) return 1;
  const power = 10 ** Math.floor(Math.log10(v));
  for (const step of [1, 2, 2.5, 5, 10]) if (step * power >= v) return step * power;
  return 10 * power;
}

function fmtTick(v: number): string {
  return Math.abs(v) >= 100
    ? v.toFixed(0)
    : Math.abs(v) >= 10
      ? v.toFixed(1).replace(/\.0$/, '')
      : String(Math.round(v * 100) / 100);
}

function escape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Rows of objects as CSV (header from the first row's keys). */
export function toCsv(rows: readonly Record<string, number | string>[]): string {
  if (rows.length === 0) return '';
  const keys = Object.keys(rows[0] as object);
  return `${[keys.join(','), ...rows.map((row) => keys.map((k) => String(row[k])).join(','))].join('\n')}\n`;
}
