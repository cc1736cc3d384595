import { readFileSync, readdirSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { parseTimestamp } from '../timestamp.js';
import type { CostProfile } from './nab-scorer.js';

/** One NAB data file: its relative name (`<category>/<file>.csv`), rows and labelled windows. */
export interface NabFile {
  name: string;
  timestamps: number[];
  values: number[];
  windows: [number, number][];
}

/** Read a `timestamp,<column>` CSV with a header into timestamps (ms) and numbers. */
export function readTimestampedCsv(path: string): { timestamps: number[]; values: number[] } {
  const timestamps: number[] = [];
  const values: number[] = [];
  const lines = readFileSync(path, 'utf8').split(/\r?\n/);
  for (let n = 1; n < lines.length; n++) {
    const line = lines[n]!;
    if (line.trim() === '') continue;
    const comma = line.indexOf(',');
    const time = parseTimestamp(line.slice(0, comma));
    const value = Number(line.slice(comma + 1));
    if (comma < 0 || Number.isNaN(time) || !Number.isFinite(value)) {
      throw new RangeError(`${path}:${n + 1}: expected "timestamp,number", got "${line}"`);
    }
    timestamps.push(time);
    values.push(value);
  }
  return { timestamps, values };
}

/** The NAB corpus under `root` (data/, labels/windows.json), files in a stable order. */
export function loadNabCorpus(root: string): NabFile[] {
  const windowsPath = join(root, 'labels', 'windows.json');
  if (!existsSync(windowsPath)) {
    throw new Error(`NAB data not found: ${windowsPath} does not exist (pass the folder that holds NAB's data/ and labels/)`);
  }
  const windows = JSON.parse(readFileSync(windowsPath, 'utf8')) as Record<string, [string, string][]>;
  const files: NabFile[] = [];
  for (const category of readdirSync(join(root, 'data')).sort()) {
    for (const file of readdirSync(join(root, 'data', category)).sort()) {
      if (!file.endsWith('.csv')) continue;
      const name = `${category}/${file}`;
      const { timestamps, values } = readTimestampedCsv(join(root, 'data', category, file));
      const labelled = (windows[name] ?? []).map(([start, end]) => [parseTimestamp(start), parseTimestamp(end)] as [number, number]);
      files.push({ name, timestamps, values, windows: labelled });
    }
  }
  return files;
}

/** NAB's published scores for a detector, by file: `reference-results/<detector>/<category>/<detector>_<file>`. */
export function loadReferenceScores(root: string, detector: string, name: string): number[] {
  const [category, file] = name.split('/') as [string, string];
  return readTimestampedCsv(join(root, 'reference-results', detector, category, `${detector}_${file}`)).values;
}

/** The cost profiles in `config/profiles.json`. */
export function loadNabProfiles(root: string): Record<string, CostProfile> {
  const raw = JSON.parse(readFileSync(join(root, 'config', 'profiles.json'), 'utf8')) as Record<string, { CostMatrix: CostProfile }>;
  return Object.fromEntries(Object.entries(raw).map(([name, entry]) => [name, entry.CostMatrix]));
}
