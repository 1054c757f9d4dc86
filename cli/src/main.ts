// `reengage <command>`: the command line of Reengage. One command so far: `import`.
import { runImport } from './importCommand';
import { EXIT, UsageError } from './output';

const USAGE = `Usage: reengage import <file.csv> --practice <id> [options]

Imports patients from a CSV file (UTF-8, "," or ";" separated, French or English headers).
The whole file is checked first: if any line is invalid, nothing is written.

Where to import:
  --url <api base>          a deployed app, e.g. https://<app>.azurewebsites.net/api,
                            or a local \`func start\` at http://localhost:7071/api
    --function-key <key>    the function key (or set REENGAGE_FUNCTION_KEY)
    --practice-key <key>    the practice API key (or set REENGAGE_PRACTICE_KEY)
  --local                   run the import here, straight against a storage account
    --connection <string>   its connection string (default: UseDevelopmentStorage=true, Azurite)
    --table-prefix <prefix> tables named <prefix>Patients, ... (isolated test environments)

Options:
  --practice <id>           the practice to import into (required)
  --dry-run                 report what would change, write nothing
  --separator <, or ;>      the field separator (default: detected from the header line)
  --mapping <map.json>      {"firstName": "Given name", ...}: the file's column for each field
  --json                    print the full report as JSON instead of a summary
  -h, --help                this help

Exit codes: 0 imported (or dry run clean), 1 invalid lines (nothing written), 2 usage error,
3 failure (network, server or storage error).`;

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined || command === '-h' || command === '--help' || command === 'help') {
    process.stdout.write(`${USAGE}\n`);
    return command === undefined ? EXIT.usage : EXIT.ok;
  }
  if (command !== 'import') throw new UsageError(`unknown command "${command}"`);
  if (rest.includes('-h') || rest.includes('--help')) {
    process.stdout.write(`${USAGE}\n`);
    return EXIT.ok;
  }
  return runImport(rest);
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    if (error instanceof UsageError) {
      process.stderr.write(`reengage: ${error.message}\nRun "reengage --help" for usage.\n`);
      process.exitCode = EXIT.usage;
      return;
    }
    process.stderr.write(`reengage: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = EXIT.failure;
  },
);
