// Shared pieces of the model-step benchmarks: the stand-in provider (in a process of its
// own, so neither side pays for the server's work on its event loop), the one request
// both sides send, and the child-process runner every measured cell goes through.
import { fork } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { libraryPath } from '../engine/common.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));

/** The one model both sides ask, and the price homeostat bills it at (a small public model's). */
export const MODEL = 'stand-in-small';
export const MAX_TOKENS = 256;
export const NODES = 10;

/** `homeostat/testing` from the same build as the library. */
export async function loadTesting() {
  return import(pathToFileURL(path.join(path.dirname(libraryPath), 'testing', 'index.js')).href);
}

/**
 * The `models:` config of the homeostat side: one OpenAI-style provider, the stand-in, not
 * streamed (the bare `fetch` side reads one JSON body too), no budgets unless asked for.
 */
export function modelsConfig(baseUrl, { budgets } = {}) {
  return {
    providers: {
      standin: { kind: 'openai', baseUrl, stream: false, models: { [MODEL]: { inputPerMillion: 0.15, outputPerMillion: 0.6 } } },
    },
    chains: { default: [{ provider: 'standin', model: MODEL }] },
    defaults: { maxTokens: MAX_TOKENS },
    ...(budgets ? { budgets } : {}),
  };
}

/**
 * The bare HTTP call: the same chat-completions request homeostat sends for a prompt
 * (same body, same headers but the key), answered JSON read and its text taken. A plain
 * `fetch` as an application would write it; with `likeHomeostat`, with the options
 * homeostat's model client passes too (`redirect: 'error'`, no window: undici then sends
 * the request as is instead of cloning it for a redirect), so the durable part of a model
 * step can be told from what its HTTP client saves.
 */
export async function bareChatCompletion(baseUrl, prompt, { likeHomeostat = false } = {}) {
  const response = await fetch(`${baseUrl}/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json' },
    body: JSON.stringify({ model: MODEL, messages: [{ role: 'user', content: prompt }], max_tokens: MAX_TOKENS, stream: false }),
    ...(likeHomeostat ? { redirect: 'error', window: null } : {}),
  });
  if (!response.ok) throw new Error(`stand-in answered ${response.status}: ${await response.text()}`);
  const body = await response.json();
  return body.choices[0].message.content;
}

/**
 * Start the stand-in provider in a child process (`stand-in-host.mjs`). Its counts are read
 * over IPC: requests received, completions sent whole (what a real provider bills).
 */
export async function startStandInHost() {
  const child = fork(path.join(here, 'stand-in-host.mjs'), [], { execArgv: [], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const pending = [];
  child.on('message', (message) => pending.shift()?.(message));
  const ask = (request) =>
    new Promise((resolve, reject) => {
      pending.push(resolve);
      child.send(request, (error) => error && reject(error));
    });
  const ready = await new Promise((resolve, reject) => {
    pending.push(resolve);
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`the stand-in host exited with ${code}`)));
  });
  return {
    baseUrl: ready.baseUrl,
    counts: () => ask({ type: 'counts' }),
    async close() {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.disconnect();
      await exited;
    },
  };
}

/**
 * Run `script` in a fresh Node process with `args`; its last stdout line is its JSON
 * result. A fresh process per cell keeps one side's heap, JIT state and open files from
 * touching the other's.
 */
export function runCell(script, args, { onMessage } = {}) {
  return new Promise((resolve, reject) => {
    const child = fork(path.join(here, script), args, { execArgv: [], stdio: ['ignore', 'pipe', 'inherit', 'ipc'] });
    let out = '';
    child.stdout.on('data', (chunk) => (out += chunk));
    if (onMessage) child.on('message', (message) => onMessage(message, child));
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      if (code !== 0) return reject(new Error(`${script} ${args.join(' ')} exited with ${signal ?? code}`));
      try {
        resolve(JSON.parse(out.trim().split('\n').at(-1)));
      } catch (error) {
        reject(new Error(`${script} printed no JSON result: ${error.message}`));
      }
    });
  });
}
