/**
 * The command line (docs/reference.md §10, §12, §13; docs/research.md for sweep and merge). Parsing is commander's; each command's work lives in
 * src/cli/ and the library, loaded only when that command runs, so `--help` and `serve` start fast.
 * Exit status: 0 every expectation held, 1 something did not hold, 2 bad input.
 * This file (with src/cli/ and src/bridge/) may read the wall clock; the simulation never does.
 */
import { Command, CommanderError } from 'commander';
import { checkNames, exploreRunsDefault } from './explore/names.js';
import { VERSION } from './schema/version.js';

const EXIT_OK = 0;
const EXIT_BAD_INPUT = 2;

export function buildProgram(): Command {
  const program = new Command();
  program
    .name('mailsim')
    .description('Deterministic end-to-end e-mail simulator: SMTP, POP3 and IMAP over a virtual network')
    .version(VERSION)
    .exitOverride()
    .showHelpAfterError('(run `mailsim --help` for usage)');
  addRunCommands(program);
  addServeCommand(program);
  addExploreCommand(program);
  addSweepCommands(program);
  return program;
}

/** `run`, `init` and `check`: the scenario file commands (docs/reference.md §10). */
function addRunCommands(program: Command): void {
  program
    .command('run')
    .description('run scenario files; print a summary line each; write reports')
    .argument('<file...>', 'scenario files (YAML or JSON)')
    .option('--seed <n>', 'override the scenario seed')
    .option('--out <dir>', 'report folder', 'reports')
    .option('--json', 'print the JSON report on stdout and nothing else')
    .option('--trace <file>', 'write the event trace as JSON lines')
    .action(async (files: string[], options) => {
      const { runCommand } = await import('./cli/run-command.js');
      process.exitCode = runCommand(files, options);
    });

  program
    .command('init')
    .description('copy an example scenario into the current directory (without NAME: list them)')
    .argument('[name]', 'the example, e.g. backup-mx')
    .option('--list', 'list the examples with their titles')
    .action(async (name: string | undefined, options: { list?: boolean }) => {
      const { initCommand } = await import('./cli/init-command.js');
      process.exitCode = initCommand(name, options);
    });

  program
    .command('check')
    .description('validate scenario files only')
    .argument('<file...>', 'scenario files (YAML or JSON)')
    .action(async (files: string[]) => {
      const { checkCommand } = await import('./cli/check-command.js');
      process.exitCode = checkCommand(files);
    });

}

/** `serve` (docs/reference.md §12). */
function addServeCommand(program: Command): void {
  program
    .command('serve')
    .description('run one mail host on loopback sockets for real mail software')
    .option('--listen <addr>', 'address to bind (loopback unless you say otherwise)', '127.0.0.1')
    .option('--smtp <port>', 'SMTP, MTA role (0 = any free port)', '2525')
    .option('--submission <port>', 'submission with STARTTLS, AUTH required', '2587')
    .option('--smtps <port>', 'submission with implicit TLS', '2465')
    .option('--pop3 <port>', 'POP3 with STLS', '2110')
    .option('--pop3s <port>', 'POP3 with implicit TLS', '2995')
    .option('--imap <port>', 'IMAP with STARTTLS', '2143')
    .option('--imaps <port>', 'IMAP with implicit TLS', '2993')
    .option('--domain <d>', 'local domain (repeatable; default example.test)', (value: string, all: string[]) => [...all, value], [] as string[])
    .option('--user <name:password>', 'a mailbox (repeatable; default alice:secret and bob:secret)', (value: string, all: string[]) => [...all, value], [] as string[])
    .option('--scenario <file>', 'take the host (domains, users, filters, greylisting, limits, reply/drop faults) from this scenario')
    .option('--host <name>', 'the scenario host to serve')
    .option('--maildir <dir>', 'keep mailboxes as real Maildir folders under DIR/USER/')
    .option('--relay-to <host:port>', 'deliver mail for non-local domains to this real SMTP server')
    .option('--catch-all [user]', 'keep the mail for every recipient of every domain in one mailbox, as a capture server (Mailpit, MailHog) does (default user: the first)')
    .option('--allow-plaintext-auth', 'let POP3 and IMAP clients log in with a cleartext password before TLS from any address (default: only over TLS or from loopback)')
    .option('--cert <file>', 'TLS certificate (PEM); without it a self-signed one is made at start')
    .option('--key <file>', 'TLS private key (PEM)')
    .option('--max-connections <n>', 'cap on concurrent client connections (one more gets 421 / -ERR / * BYE)')
    .option('--max-listener-connections <n>', 'cap on concurrent connections per listener (default 100, Postfix maxproc)')
    .option('--max-client-connections <n>', 'cap on concurrent connections from one client address (default 50, Postfix smtpd_client_connection_count_limit)')
    .option('--http <port>', 'HTTP API (Mailpit-compatible) and web UI (0 = any free port)', '8025')
    .option('--no-http', 'no HTTP API')
    .option('--http-bind <addr>', 'address the HTTP API binds', '127.0.0.1')
    .option('--http-auth <user:password>', 'require HTTP basic auth for the API and UI')
    .action(async (options) => {
      const { serveCommand } = await import('./cli/serve-command.js');
      process.exitCode = await serveCommand(options);
    });

}

/** `explore` (docs/reference.md §13). */
function addExploreCommand(program: Command): void {
  program
    .command('explore')
    .description('search for a fault schedule that breaks a scenario, and shrink it')
    .argument('<file>', 'scenario file')
    .option('--runs <n>', 'fault schedules to try', String(exploreRunsDefault))
    .option('--seed <n>', 'the fast-check seed, to repeat a search (default: random, printed)')
    .option('--faults <list>', 'fault kinds to draw, comma-separated (default: every kind of docs/reference.md §6)')
    .option('--check <list>', `what counts as a violation, comma-separated: built-in checks (${checkNames.join(',')}; default expect,invariants) or a module of your own (./my-check.ts or .js: its default export, or export "check", a MailCheck or a function (run) => string[])`)
    .option('--out <dir>', 'where NAME.counterexample.yaml goes', 'reports')
    .action(async (file: string, options) => {
      const { exploreCommand } = await import('./cli/explore-command.js');
      process.exitCode = await exploreCommand(file, options, () => Math.floor(Math.random() * 2 ** 31));
    });
}

/** `sweep` and `merge` (docs/research.md §3, §6). */
function addSweepCommands(program: Command): void {
  program
    .command('sweep')
    .description('run a sweep: every grid point × seed of a scenario; write tables, a summary and a page')
    .argument('<file>', 'sweep file (YAML)')
    .option('--out <dir>', 'output folder (default sweeps/NAME)')
    .option('--workers <n>', 'worker threads (default: every core)')
    .option('--resume', 'continue the sweep in --out, skipping the runs already written')
    .option('--shard <i/n>', 'run the i-th of n slices (default: from SLURM_ARRAY_TASK_ID, JOB_COMPLETION_INDEX, AWS_BATCH_JOB_ARRAY_INDEX)')
    .option('--shard-count <n>', 'the number of slices, with JOB_COMPLETION_INDEX or AWS_BATCH_JOB_ARRAY_INDEX')
    .action(async (file: string, options) => {
      const { sweepCommand } = await import('./cli/sweep-command.js');
      process.exitCode = await sweepCommand(file, options);
    });

  program
    .command('merge')
    .description("join the shards' outputs of one sweep into what one machine would have written")
    .argument('<dir...>', 'the shards\' output folders')
    .requiredOption('--out <dir>', 'output folder')
    .action(async (dirs: string[], options: { out: string }) => {
      const { mergeCommand } = await import('./cli/sweep-command.js');
      process.exitCode = await mergeCommand(dirs, options);
    });
}

export async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  try {
    process.exitCode = undefined;
    await program.parseAsync(argv, { from: 'user' });
    return typeof process.exitCode === 'number' ? process.exitCode : EXIT_OK;
  } catch (error) {
    if (error instanceof CommanderError) {
      // --help and --version exit 0; anything else commander rejects is bad input.
      return error.exitCode === 0 ? EXIT_OK : EXIT_BAD_INPUT;
    }
    throw error;
  }
}

process.exitCode = await main(process.argv.slice(2));
