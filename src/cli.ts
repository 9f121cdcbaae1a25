/**
 * The command line (SCENARIO.md §10, §12, §13). Parsing is commander's; each command's work lives in the
 * library. Exit status: 0 every expectation held, 1 something did not hold, 2 bad input.
 * This file (with src/bridge/) is the only place outside the kernel allowed to read the wall clock.
 */
import { Command, CommanderError } from 'commander';
import { checkCommand } from './cli/check-command.js';
import { EXIT_BAD_INPUT, EXIT_OK, runCommand } from './cli/run-command.js';
import { VERSION } from './version.js';

function notYetBuilt(command: string): never {
  process.stderr.write(`mailsim ${command}: not yet built in this version (${VERSION}).\n`);
  process.exit(EXIT_BAD_INPUT);
}

export function buildProgram(): Command {
  const program = new Command();
  program
    .name('mailsim')
    .description('Deterministic end-to-end e-mail simulator: SMTP, POP3 and IMAP over a virtual network')
    .version(VERSION)
    .exitOverride()
    .showHelpAfterError('(run `mailsim --help` for usage)');

  program
    .command('run')
    .description('run scenario files; print a summary line each; write reports')
    .argument('<file...>', 'scenario files (YAML or JSON)')
    .option('--seed <n>', 'override the scenario seed')
    .option('--out <dir>', 'report folder', 'reports')
    .option('--json', 'print the JSON report on stdout and nothing else')
    .option('--trace <file>', 'write the event trace as JSON lines')
    .action((files: string[], options) => {
      process.exitCode = runCommand(files, options);
    });

  program
    .command('check')
    .description('validate scenario files only')
    .argument('<file...>', 'scenario files (YAML or JSON)')
    .action((files: string[]) => {
      process.exitCode = checkCommand(files);
    });

  program
    .command('serve')
    .description('run one mail host on loopback sockets for real mail software')
    .action(() => notYetBuilt('serve'));

  program
    .command('explore')
    .description('search for a fault schedule that breaks a scenario, and shrink it')
    .argument('<file>', 'scenario file')
    .action(() => notYetBuilt('explore'));

  return program;
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
