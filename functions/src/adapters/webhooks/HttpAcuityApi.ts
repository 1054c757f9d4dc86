// The only code that talks to Acuity Scheduling's API: GET /appointments/{id} with basic auth, bounded in time.
import { setTimeout as sleep } from 'node:timers/promises';
import { ReengageError } from '../../core/errors';
import type { AcuityApi, AcuityAppointmentLookup, AcuityCredentials } from '../../core/ports';

export interface HttpAcuityApiOptions {
  /** ACUITY_API_BASE_URL, e.g. `https://acuityscheduling.com/api/v1`. */
  baseUrl: string;
  /** Per attempt: a webhook answer must not wait on a hung connection. */
  timeoutInMs?: number;
  maxAttempts?: number;
  /** Before the second attempt; doubled before each next one. */
  backoffInMs?: number;
}

type Attempt = { done: AcuityAppointmentLookup } | { retry: string };

export class HttpAcuityApi implements AcuityApi {
  private readonly baseUrl: string;
  private readonly timeoutInMs: number;
  private readonly maxAttempts: number;
  private readonly backoffInMs: number;

  constructor(options: HttpAcuityApiOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.timeoutInMs = options.timeoutInMs ?? 5_000;
    this.maxAttempts = options.maxAttempts ?? 3;
    this.backoffInMs = options.backoffInMs ?? 500;
  }

  async getAppointment(
    credentials: AcuityCredentials,
    appointmentId: string,
  ): Promise<AcuityAppointmentLookup> {
    if (!/^\d{1,20}$/.test(appointmentId)) throw new RangeError('an Acuity appointment id is digits only');
    const url = `${this.baseUrl}/appointments/${appointmentId}`;
    const authorization = `Basic ${Buffer.from(`${credentials.userId}:${credentials.apiKey}`, 'utf8').toString('base64')}`;
    let reason = 'no attempt';
    for (let attempt = 1; attempt <= this.maxAttempts; attempt++) {
      if (attempt > 1) await sleep(this.backoffInMs * 2 ** (attempt - 2));
      const outcome = await this.attempt(url, authorization);
      if ('done' in outcome) return outcome.done;
      reason = outcome.retry;
    }
    throw new ReengageError(
      'transport_unavailable',
      `Acuity API unavailable after ${this.maxAttempts} attempts (${reason})`,
      true,
    );
  }

  private async attempt(url: string, authorization: string): Promise<Attempt> {
    let response: Response;
    try {
      response = await fetch(url, {
        headers: { authorization, accept: 'application/json' },
        signal: AbortSignal.timeout(this.timeoutInMs),
        redirect: 'error',
      });
    } catch (error) {
      const name = error instanceof Error ? error.name : 'error';
      return {
        retry: name === 'TimeoutError' ? `timed out after ${this.timeoutInMs} ms` : 'network failure',
      };
    }
    if (response.status === 404) {
      await response.body?.cancel();
      return { done: { kind: 'not_found' } };
    }
    if (response.status >= 500 || response.status === 429 || response.status === 408) {
      await response.body?.cancel();
      return { retry: `HTTP ${response.status}` };
    }
    if (response.status >= 400) {
      await response.body?.cancel();
      return { done: { kind: 'refused', status: response.status } };
    }
    try {
      return { done: { kind: 'found', body: await response.json() } };
    } catch (error) {
      const name = error instanceof Error ? error.name : 'error';
      // A body cut off by the timeout is worth another try; one that is not JSON is not going to improve.
      if (name === 'TimeoutError' || name === 'AbortError') return { retry: 'timed out reading the body' };
      return { done: { kind: 'found', body: null } };
    }
  }
}
