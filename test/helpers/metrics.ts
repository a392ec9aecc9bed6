// Reading a Prometheus text exposition the way a test needs: one sample's value, by name and labels.

export interface Sample {
  name: string
  labels: Record<string, string>
  value: number
}

/** Every sample line of an exposition (comments skipped). */
export function samples (exposition: string): Sample[] {
  const lines = exposition.split('\n').filter((line) => line !== '' && !line.startsWith('#'))
  return lines.map((line) => {
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)/.exec(line)
    if (match === null) throw new Error(`not a sample line: ${line}`)
    const labels = Object.fromEntries([...(match[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)].map((m) => [m[1] as string, m[2] as string]))
    return { name: match[1] as string, labels, value: Number(match[3]) }
  })
}

/**
 * The value of the one sample named `name` whose labels include `labels`. A counter or histogram
 * the exposition declares but has not yet counted anything has no sample: that reads as 0. Any
 * other absence throws (a metric that is missing is not a metric at 0), and so do several matches.
 */
export function sampleValue (exposition: string, name: string, labels: Record<string, string> = {}): number {
  const found = samples(exposition).filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))
  if (found.length > 1) throw new Error(`${found.length} samples of ${name} match ${JSON.stringify(labels)}`)
  if (found[0] !== undefined) return found[0].value
  if (declaresCounting(exposition, name)) return 0
  throw new Error(`no sample of ${name} matches ${JSON.stringify(labels)}, and no counter or histogram of that name is declared`)
}

/** Whether the exposition declares `name` as a counter, or as a histogram's count, sum or bucket. */
function declaresCounting (exposition: string, name: string): boolean {
  const declared = (family: string, type: string) => exposition.split('\n').includes(`# TYPE ${family} ${type}`)
  return declared(name, 'counter') || declared(name.replace(/_(count|sum|bucket)$/, ''), 'histogram')
}

/** Scrapes an operations listener. */
export async function scrape (url: string): Promise<string> {
  const res = await fetch(`${url}/metrics`)
  if (res.status !== 200) throw new Error(`/metrics answered ${res.status}`)
  return await res.text()
}
