import { scaleCommand, scaleUsage } from './commands/scale.js';
import { parseArgs } from 'node:util';
import { isHomeostatError } from '../errors/homeostat-error.js';
import { DEFAULT_STORE_URL } from '../store/open-store.js';
import type { Command } from './command.js';
import { runsCommand, runsUsage } from './commands/runs.js';
import { signalCommand, signalUsage } from './commands/signal.js';
import { startCommand, startUsage } from './commands/start.js';
import { workerCommand, workerUsage } from './commands/worker.js';
import { upCommand, upUsage } from './commands/up.js';
import { statusCommand, statusUsage } from './commands/status.js';
import { logsCommand, logsUsage } from './commands/logs.js';
import { analyzeCommand, analyzeHelp, analyzeUsage } from './commands/analyze.js';
import * as loop from './commands/loop-commands.js';
import { configCommand, configUsage } from './commands/config-plan.js';
import { tokenCommand, tokenUsage } from './commands/token.js';
import { agentsCommand, agentsUsage } from './commands/agents.js';
import { approvalsCommand, approvalsUsage } from './commands/approvals.js';
import { inboxCommand, inboxUsage } from './commands/inbox.js';
import { providersCommand, providersUsage } from './commands/providers.js';

/** Each command, its one-line usage, and what `<command> --help` adds under it. */
const COMMANDS: Record<string, { run: Command; usage: string; help?: string }> = {
  worker: { run: workerCommand, usage: workerUsage },
  start: { run: startCommand, usage: startUsage },
  runs: { run: runsCommand, usage: runsUsage },
  signal: { run: signalCommand, usage: signalUsage },
  up: { run: upCommand, usage: upUsage },
  status: { run: statusCommand, usage: statusUsage },
  logs: { run: logsCommand, usage: logsUsage },
  analyze: { run: analyzeCommand, usage: analyzeUsage, help: analyzeHelp },
  incidents: { run: loop.incidentsCommand, usage: loop.incidentsUsage },
  incident: { run: loop.incidentCommand, usage: loop.incidentUsage },
  approvals: { run: approvalsCommand, usage: approvalsUsage },
  approve: { run: loop.approveCommand, usage: loop.approveUsage },
  deny: { run: loop.denyCommand, usage: loop.denyUsage },
  pause: { run: loop.pauseCommand, usage: loop.pauseUsage },
  scale: { run: scaleCommand, usage: scaleUsage },
  resume: { run: loop.resumeCommand, usage: loop.resumeUsage },
  config: { run: configCommand, usage: configUsage },
  audit: { run: loop.auditCommand, usage: loop.auditUsage },
  token: { run: tokenCommand, usage: tokenUsage },
  agents: { run: agentsCommand, usage: agentsUsage },
  inbox: { run: inboxCommand, usage: inboxUsage },
  providers: { run: providersCommand, usage: providersUsage },
};

const HELP = `homeostat — durable workflows that heal themselves

usage: ${Object.values(COMMANDS)
  .map((c) => c.usage)
  .join('\n       ')}

The store is --store URL, else $HOMEOSTAT_STORE, else ${DEFAULT_STORE_URL}.
While \`homeostat up\` serves the API for that store, the commands that read or change
its state (status, incidents, incident, approvals, approve, pause, runs, start, signal, audit, config plan,
token, agents, inbox, providers) go through it, with the token it left in <stateDir>/api.json; --local uses the
store directly, --api URL --token TOKEN (or $HOMEOSTAT_TOKEN) a server you name.
Exit status: 0 success, 1 the operation failed, 2 the command was called wrongly.`;

/** Parse argv, run one command, and turn errors into a one-line message and an exit status. */
export async function main(argv: string[], out = console.log, err = console.error): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    out(HELP);
    return name ? 0 : 2;
  }
  const command = COMMANDS[name];
  if (!command) {
    err(`homeostat: unknown command "${name}"\n\n${HELP}`);
    return 2;
  }
  try {
    const { values, positionals } = parseArgs({
      args: rest,
      allowPositionals: true,
      strict: true,
      options: {
        store: { type: 'string' },
        input: { type: 'string' },
        payload: { type: 'string' },
        id: { type: 'string' },
        timeout: { type: 'string' },
        wait: { type: 'boolean' },
        json: { type: 'boolean' },
        status: { type: 'string' },
        run: { type: 'string' },
        workflow: { type: 'string' },
        limit: { type: 'string' },
        concurrency: { type: 'string' },
        'from-step': { type: 'string' },
        config: { type: 'string', short: 'c' },
        previous: { type: 'boolean' },
        lines: { type: 'string' },
        replica: { type: 'string' },
        detector: { type: 'string' },
        normal: { type: 'string' },
        anomalous: { type: 'string' },
        graph: { type: 'string' },
        strict: { type: 'boolean' },
        reason: { type: 'string' },
        expect: { type: 'string' },
        by: { type: 'string' },
        role: { type: 'string' },
        result: { type: 'string' },
        assignee: { type: 'string' },
        name: { type: 'string' },
        all: { type: 'boolean' },
        quiet: { type: 'boolean' },
        api: { type: 'string' },
        token: { type: 'string' },
        local: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    });
    if (values.help) {
      out(`usage: ${command.usage}${command.help ? `\n\n${command.help}` : ''}`);
      return 0;
    }
    const storeUrl = (values.store as string | undefined) ?? process.env.HOMEOSTAT_STORE ?? DEFAULT_STORE_URL;
    return await command.run({ positionals, options: values, storeUrl, out, err });
  } catch (error) {
    const usage = isHomeostatError(error, 'HS_USAGE');
    if (usage || (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      err(`homeostat ${name}: ${(error as Error).message}${usage ? '' : `\nusage: ${command.usage}`}`);
      return 2;
    }
    if (isHomeostatError(error)) {
      err(`homeostat ${name}: ${error.code}: ${error.message}`);
      return 1;
    }
    err(`homeostat ${name}: unexpected error: ${(error as Error)?.stack ?? String(error)}`);
    return 1;
  }
}
