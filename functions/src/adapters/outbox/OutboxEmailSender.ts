// The local transport: one RFC 5322 `.eml` file per email in a directory, instead of ACS.
import { randomUUID } from 'node:crypto';
import { mkdir, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Clock, EmailSender, OutgoingEmail, SendOutcome, SendStatus } from '../../core/ports';
import { buildMessage } from './mime';

/** Operation ids become part of a file name, so only these characters are accepted. */
const OPERATION_ID = /^[A-Za-z0-9][A-Za-z0-9-]{0,99}$/;
const FILE_NAME = /^\d{8}-\d{6}-([A-Za-z0-9-]+)\.eml$/;

export class OutboxEmailSender implements EmailSender {
  /** Sends in flight per operation id, so two concurrent sends of one id in this process write one file. */
  private readonly inFlight = new Map<string, Promise<SendOutcome>>();

  constructor(
    private readonly directory: string,
    private readonly clock: Clock,
  ) {}

  async send(email: OutgoingEmail, operationId: string): Promise<SendOutcome> {
    assertOperationId(operationId);
    const running = this.inFlight.get(operationId);
    if (running) return running;
    const sending = this.write(email, operationId).finally(() => this.inFlight.delete(operationId));
    this.inFlight.set(operationId, sending);
    return sending;
  }

  async getStatus(operationId: string): Promise<SendStatus> {
    assertOperationId(operationId);
    return (await this.findFile(operationId)) ? 'succeeded' : 'unknown';
  }

  private async write(email: OutgoingEmail, operationId: string): Promise<SendOutcome> {
    const accepted: SendOutcome = { kind: 'accepted', messageId: operationId };
    if (await this.findFile(operationId)) return accepted;
    const sentAt = this.clock.now();
    const content = buildMessage(email, { messageId: `${operationId}@reengage.local`, date: sentAt });
    await mkdir(this.directory, { recursive: true });
    // Written under a temporary name, then renamed: a reader never sees half a message, and a crash leaves
    // only a dot-file that getStatus ignores.
    const temporary = join(this.directory, `.${operationId}.${randomUUID()}.tmp`);
    try {
      await writeFile(temporary, content, { encoding: 'utf8', flag: 'wx' });
      await rename(temporary, join(this.directory, `${fileStamp(sentAt)}-${operationId}.eml`));
    } catch (error) {
      await rm(temporary, { force: true });
      throw error;
    }
    return accepted;
  }

  private async findFile(operationId: string): Promise<string | null> {
    let names: string[];
    try {
      names = await readdir(this.directory);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw error;
    }
    return names.find((name) => FILE_NAME.exec(name)?.[1] === operationId) ?? null;
  }
}

/** `yyyyMMdd-HHmmss` in UTC, so that file names sort in sending order whatever the machine's zone. */
function fileStamp(date: Date): string {
  const two = (n: number) => String(n).padStart(2, '0');
  return (
    `${date.getUTCFullYear()}${two(date.getUTCMonth() + 1)}${two(date.getUTCDate())}-` +
    `${two(date.getUTCHours())}${two(date.getUTCMinutes())}${two(date.getUTCSeconds())}`
  );
}

function assertOperationId(operationId: string): void {
  if (!OPERATION_ID.test(operationId)) throw new TypeError('operationId must be letters, digits and dashes');
}
