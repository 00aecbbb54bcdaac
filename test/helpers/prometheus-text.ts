/**
 * A strict parser of the Prometheus text exposition format (version 0.0.4), written for tests from
 * the format's description (https://prometheus.io/docs/instrumenting/exposition_formats/). It throws
 * on anything malformed: a bad name, label or value, a sample before its TYPE, a histogram whose
 * buckets decrease or whose +Inf bucket differs from its count.
 */
export interface Sample {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

export interface Family {
  readonly name: string;
  readonly help: string;
  readonly type: 'counter' | 'gauge' | 'histogram' | 'summary' | 'untyped';
  readonly samples: Sample[];
}

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const TYPES = new Set(['counter', 'gauge', 'histogram', 'summary', 'untyped']);

export function parsePrometheusText(text: string): Map<string, Family> {
  const families = new Map<string, Family>();
  const helps = new Map<string, string>();
  const lines = text.split('\n');
  if (lines.at(-1) !== '') throw new Error('the exposition must end with a newline');
  for (const [index, line] of lines.entries()) {
    const where = `line ${index + 1}: ${JSON.stringify(line)}`;
    if (line === '') continue;
    if (line.startsWith('# HELP ')) {
      const [name, ...rest] = line.slice(7).split(' ');
      if (!name || !NAME.test(name)) throw new Error(`bad HELP name, ${where}`);
      helps.set(name, rest.join(' '));
    } else if (line.startsWith('# TYPE ')) {
      const [name, type, extra] = line.slice(7).split(' ');
      if (!name || !NAME.test(name) || !type || !TYPES.has(type) || extra !== undefined)
        throw new Error(`bad TYPE, ${where}`);
      if (families.has(name)) throw new Error(`second TYPE for ${name}, ${where}`);
      families.set(name, { name, help: helps.get(name) ?? '', type: type as Family['type'], samples: [] });
    } else if (line.startsWith('#')) {
      // A comment.
    } else {
      const sample = parseSample(line, where);
      const family = familyOf(families, sample.name);
      if (!family) throw new Error(`sample without a TYPE, ${where}`);
      family.samples.push(sample);
    }
  }
  for (const family of families.values()) if (family.type === 'histogram') checkHistogram(family);
  return families;
}

function familyOf(families: Map<string, Family>, sample: string): Family | undefined {
  const exact = families.get(sample);
  if (exact) return exact;
  for (const suffix of ['_bucket', '_sum', '_count']) {
    if (!sample.endsWith(suffix)) continue;
    const family = families.get(sample.slice(0, -suffix.length));
    if (family && (family.type === 'histogram' || family.type === 'summary')) return family;
  }
  return undefined;
}

function parseSample(line: string, where: string): Sample {
  const brace = line.indexOf('{');
  const space = line.indexOf(' ');
  const nameEnd = brace >= 0 && brace < space ? brace : space;
  const name = line.slice(0, nameEnd);
  if (!NAME.test(name)) throw new Error(`bad metric name, ${where}`);
  const labels: Record<string, string> = {};
  let at = nameEnd;
  if (line[at] === '{') {
    at++;
    while (line[at] !== '}') {
      const eq = line.indexOf('=', at);
      const label = line.slice(at, eq);
      if (eq < 0 || !LABEL.test(label) || line[eq + 1] !== '"') throw new Error(`bad label, ${where}`);
      let value = '';
      let i = eq + 2;
      for (; i < line.length && line[i] !== '"'; i++) {
        if (line[i] === '\\') {
          const next = line[++i];
          if (next === 'n') value += '\n';
          else if (next === '\\' || next === '"') value += next;
          else throw new Error(`bad escape in a label value, ${where}`);
        } else value += line[i];
      }
      if (i >= line.length) throw new Error(`unterminated label value, ${where}`);
      if (label in labels) throw new Error(`label ${label} twice, ${where}`);
      labels[label] = value;
      at = i + 1;
      if (line[at] === ',') at++;
      else if (line[at] !== '}') throw new Error(`expected , or } after a label, ${where}`);
    }
    at++;
  }
  if (line[at] !== ' ') throw new Error(`expected a space before the value, ${where}`);
  const [raw, timestamp, extra] = line.slice(at + 1).split(' ');
  if (raw === undefined || extra !== undefined || (timestamp !== undefined && !/^-?\d+$/.test(timestamp)))
    throw new Error(`bad value or timestamp, ${where}`);
  const value = parseFloatLikeGo(raw);
  if (value === undefined) throw new Error(`bad value, ${where}`);
  return { name, labels, value };
}

/**
 * Prometheus reads values with Go's strconv.ParseFloat: decimal or exponent notation, and NaN, Inf,
 * +Inf, -Inf (or Infinity) in any letter case.
 */
function parseFloatLikeGo(raw: string): number | undefined {
  const special = /^([+-]?)(inf|infinity|nan)$/i.exec(raw);
  if (special) {
    if (special[2]?.toLowerCase() === 'nan') return special[1] === '' ? Number.NaN : undefined;
    return special[1] === '-' ? Number.NEGATIVE_INFINITY : Number.POSITIVE_INFINITY;
  }
  if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(raw)) return undefined;
  return Number(raw);
}

function checkHistogram(family: Family): void {
  const series = new Map<string, Sample[]>();
  for (const sample of family.samples) {
    const { le, ...rest } = sample.labels;
    const key = JSON.stringify(Object.entries(rest).sort());
    if (sample.name.endsWith('_bucket') && le === undefined)
      throw new Error(`${family.name}: a bucket without le`);
    series.set(key, [...(series.get(key) ?? []), sample]);
  }
  for (const [key, samples] of series) {
    const buckets = samples.filter((s) => s.name.endsWith('_bucket'));
    const count = samples.find((s) => s.name.endsWith('_count'));
    let previous = -1;
    for (const bucket of buckets) {
      if (bucket.value < previous) throw new Error(`${family.name}${key}: buckets decrease`);
      previous = bucket.value;
    }
    const inf = buckets.find((b) => b.labels.le === '+Inf');
    if (!inf || !count || inf.value !== count.value)
      throw new Error(`${family.name}${key}: the +Inf bucket must equal the count`);
  }
}

/** The value of the first sample named `name` whose labels include `labels`; 0 when there is none. */
export function sampleValue(
  families: Map<string, Family>,
  name: string,
  labels: Record<string, string> = {},
): number {
  for (const family of families.values()) {
    for (const sample of family.samples) {
      if (sample.name !== name) continue;
      if (Object.entries(labels).every(([key, wanted]) => sample.labels[key] === wanted)) return sample.value;
    }
  }
  return 0;
}
