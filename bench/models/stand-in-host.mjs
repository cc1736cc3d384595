// The stand-in model provider (homeostat/testing's, OpenAI wire format) in a process of
// its own: it tells its parent its base URL, answers `counts` requests over IPC, and
// stops when the parent disconnects.
import { loadTesting } from './common.mjs';

const { startModelStandIn } = await loadTesting();
const server = await startModelStandIn({ kind: 'openai', answer: () => '{"summary":"a short answer","sentiment":"neutral"}' });
process.on('message', (message) => {
  if (message?.type === 'counts') process.send({ ...server.counts });
});
process.on('disconnect', () => void server.close().then(() => process.exit(0)));
process.send({ baseUrl: server.baseUrl });
