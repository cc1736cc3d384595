// Shared by run.mjs and by experiments: run a detector config over every NAB file and score
// the output under NAB's three profiles. Imports the compiled package from dist/ (or from
// $HOMEOSTAT_DIST, for builds made elsewhere).
import { pathToFileURL } from 'node:url';
import { resolve } from 'node:path';

const distRoot = process.env.HOMEOSTAT_DIST
  ? pathToFileURL(resolve(process.env.HOMEOSTAT_DIST) + '/').href
  : new URL('../../dist/', import.meta.url).href;
const load = (path) => import(new URL(path, distRoot).href);

const { createDetector, NAMED_DETECTORS } = await load('src/analyze/detectors/create-detector.js');
const { loadNabCorpus } = await load('src/analyze/evaluation/nab-corpus.js');
const { NAB_PROFILES, scoreCorpus, scoreCorpusAt } = await load('src/analyze/evaluation/nab-scorer.js');

export { createDetector, NAMED_DETECTORS, loadNabCorpus, NAB_PROFILES, scoreCorpus, scoreCorpusAt };

/** Run `config` over every file (a fresh detector per file, samples in order). */
export function detect(files, config) {
  return files.map((file) => {
    const detector = createDetector(config);
    const scores = new Array(file.values.length);
    for (let i = 0; i < file.values.length; i++) scores[i] = detector.update(file.timestamps[i], file.values[i]);
    return { name: file.name, timestamps: file.timestamps, scores, windows: file.windows };
  });
}

/** Normalised NAB scores of the detector outputs, per profile. */
export function score(corpus) {
  const result = {};
  for (const [profile, costs] of Object.entries(NAB_PROFILES)) result[profile] = scoreCorpus(corpus, costs);
  return result;
}
