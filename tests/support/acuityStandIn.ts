// A local stand-in for Acuity Scheduling's API on 127.0.0.1: GET /appointments/{id} with basic auth, as the
// real API answers it (200 JSON, 401 for bad credentials, 404 for an unknown id), plus scripted failures.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A status code to answer with, or `hang`: answer only after the client has long given up. */
export type ScriptedAnswer = number | 'hang';

export interface AcuityStandIn {
  /** The base URL to give HttpAcuityApi, like `https://acuityscheduling.com/api/v1`. */
  url: string;
  /** What GET /appointments/{id} returns from now on (the body as it will be serialized). */
  setAppointment(id: string, body: unknown): void;
  deleteAppointment(id: string): void;
  /** Answers served, in order, before the stored appointment is served again. */
  script(id: string, ...answers: ScriptedAnswer[]): void;
  /** Every request seen: the path and whether its credentials were right. */
  readonly requests: { path: string; authorized: boolean }[];
  close(): Promise<void>;
}

const HANG_MS = 3_000;

export async function startAcuityStandIn(credentials: {
  userId: string;
  apiKey: string;
}): Promise<AcuityStandIn> {
  const appointments = new Map<string, string>();
  const scripts = new Map<string, ScriptedAnswer[]>();
  const requests: { path: string; authorized: boolean }[] = [];
  const expected = `Basic ${Buffer.from(`${credentials.userId}:${credentials.apiKey}`).toString('base64')}`;
  const timers = new Set<NodeJS.Timeout>();

  const json = (response: ServerResponse, status: number, body: unknown) => {
    response.writeHead(status, { 'content-type': 'application/json' });
    response.end(JSON.stringify(body));
  };

  const server = createServer((request: IncomingMessage, response: ServerResponse) => {
    const path = request.url ?? '';
    const authorized = request.headers.authorization === expected;
    requests.push({ path, authorized });
    const match = /^\/api\/v1\/appointments\/(\d+)$/.exec(path);
    if (request.method !== 'GET' || !match)
      return json(response, 404, { status_code: 404, error: 'not_found' });
    if (!authorized)
      return json(response, 401, { status_code: 401, error: 'unauthorized', message: 'Unauthorized' });
    const id = match[1] ?? '';
    const scripted = scripts.get(id)?.shift();
    if (scripted === 'hang') {
      const timer = setTimeout(() => {
        timers.delete(timer);
        if (!response.destroyed) json(response, 200, JSON.parse(appointments.get(id) ?? 'null'));
      }, HANG_MS);
      timers.add(timer);
      return;
    }
    if (scripted !== undefined) return json(response, scripted, { status_code: scripted, error: 'scripted' });
    const stored = appointments.get(id);
    if (stored === undefined) {
      return json(response, 404, { status_code: 404, error: 'not_found', message: 'Appointment not found.' });
    }
    response.writeHead(200, { 'content-type': 'application/json' });
    response.end(stored);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}/api/v1`,
    setAppointment: (id, body) => appointments.set(id, JSON.stringify(body)),
    deleteAppointment: (id) => appointments.delete(id),
    script: (id, ...answers) => scripts.set(id, [...(scripts.get(id) ?? []), ...answers]),
    requests,
    close: async () => {
      for (const timer of timers) clearTimeout(timer);
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
