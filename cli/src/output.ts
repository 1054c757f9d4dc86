// What the CLI prints: exit codes, the progress bar (stderr) and the import summary (stdout).
import type { ImportProgress, ImportReport } from '../../functions/src/app/importPatients';

export const EXIT = { ok: 0, invalid: 1, usage: 2, failure: 3 } as const;

/** A mistake in the command line or its inputs: exit code 2, with the usage hint. */
export class UsageError extends Error {}

const PHASE_LABELS: Record<ImportProgress['phase'], string> = {
  checking: 'Checking',
  writing: 'Writing ',
};

const number = (n: number) => n.toLocaleString('en-US');

/**
 * A bar redrawn in place on a terminal; on a pipe or a log file, one plain line every 1,000 rows and at
 * the end of each phase, so that CI logs stay readable.
 */
export class ProgressReporter {
  private lastDrawMs = 0;
  private drawn = false;

  constructor(private readonly stream: NodeJS.WriteStream) {}

  update = (progress: ImportProgress): void => {
    const { phase, done, total } = progress;
    const label = PHASE_LABELS[phase];
    if (!this.stream.isTTY) {
      if (done % 1000 === 0 || done === total)
        this.stream.write(`${label.trim()}: ${number(done)}/${number(total)} lines\n`);
      return;
    }
    const nowMs = performance.now();
    if (done !== total && nowMs - this.lastDrawMs < 100) return;
    this.lastDrawMs = nowMs;
    const width = 30;
    const filled = total === 0 ? width : Math.round((done / total) * width);
    const bar = `${'█'.repeat(filled)}${'░'.repeat(width - filled)}`;
    const percent = total === 0 ? 100 : Math.floor((done / total) * 100);
    this.stream.write(
      `\r${label} ${bar} ${String(percent).padStart(3)}%  ${number(done)}/${number(total)}\x1b[K`,
    );
    this.drawn = true;
    if (done === total) {
      this.stream.write('\n');
      this.drawn = false;
    }
  };

  /** A status line (e.g. while a server works), shown only on a terminal. */
  status(text: string): void {
    if (this.stream.isTTY) {
      this.stream.write(`\r${text}\x1b[K`);
      this.drawn = true;
    }
  }

  end(): void {
    if (this.drawn) this.stream.write('\r\x1b[K');
    this.drawn = false;
  }
}

const MAX_INVALID_SHOWN = 10;

export function formatSummary(report: ImportReport, file: string): string {
  const out: string[] = [];
  const mode = report.dryRun ? 'Dry run' : 'Import';
  out.push(
    `${mode} of ${file} into practice ${report.practiceId} (separator "${report.separator}", ${report.encoding})`,
  );
  const columns = Object.entries(report.columns).map(([field, header]) => `${field} <- "${header}"`);
  if (columns.length > 0) out.push(`Columns: ${columns.join(', ')}`);
  if (report.ignoredColumns.length > 0)
    out.push(`Not imported: ${report.ignoredColumns.map((c) => `"${c}"`).join(', ')}`);

  if (report.fileErrors.length > 0) {
    out.push('', 'The file cannot be imported; nothing was written:');
    for (const e of report.fileErrors) out.push(`  ${e.line === null ? '' : `line ${e.line}: `}${e.message}`);
    return `${out.join('\n')}\n`;
  }

  const t = report.totals;
  const verbs = report.outcome === 'applied' ? ['created', 'updated'] : ['to create', 'to update'];
  out.push(
    '',
    `${number(t.lines)} line${t.lines === 1 ? '' : 's'}: ${number(t.create)} ${verbs[0]}, ${number(t.update)} ${verbs[1]}, ` +
      `${number(t.unchanged)} unchanged, ${number(t.invalid)} invalid`,
  );
  if (t.suppressed > 0) {
    out.push(
      `${number(t.suppressed)} address${t.suppressed > 1 ? 'es are' : ' is'} on the suppression list: ` +
        'imported, never written to.',
    );
  }
  if (report.outcome === 'invalid') {
    out.push('', `Nothing was written: fix the invalid line${t.invalid > 1 ? 's' : ''} and run again.`);
    const invalid = report.lines.filter((l) => l.action === 'invalid');
    for (const line of invalid.slice(0, MAX_INVALID_SHOWN)) {
      const id = line.patientId ? ` (${line.patientId})` : '';
      for (const e of line.errors ?? []) {
        const where = e.column ? `${e.column}: ` : '';
        out.push(`  line ${line.line}${id}: ${where}${e.message}`);
      }
    }
    if (invalid.length > MAX_INVALID_SHOWN)
      out.push(`  ... and ${number(invalid.length - MAX_INVALID_SHOWN)} more (--json lists them all)`);
  } else if (report.outcome === 'dry_run') {
    out.push('Nothing was written (dry run).');
  }
  return `${out.join('\n')}\n`;
}
