// Translates Table and Queue SDK failures into ReengageError at the adapter boundary.
import { ReengageError } from '../../core/errors';

export interface RestErrorLike {
  name: 'RestError';
  message: string;
  statusCode?: number;
  code?: string;
}

// Matched by name, not instanceof: each SDK may load its own copy of @azure/core-rest-pipeline.
export function isRestError(error: unknown): error is RestErrorLike {
  return error instanceof Error && error.name === 'RestError';
}

const NETWORK_CODES = new Set([
  'REQUEST_SEND_ERROR',
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EAI_AGAIN',
  'ENOTFOUND',
  'EPIPE',
  'ENETUNREACH',
  'EHOSTUNREACH',
  'UND_ERR_SOCKET',
]);

function isTransient(error: unknown): boolean {
  if (isRestError(error)) {
    const status = error.statusCode;
    if (status === undefined) return error.code === undefined || NETWORK_CODES.has(error.code);
    return status >= 500 || status === 408 || status === 429;
  }
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && NETWORK_CODES.has(code);
}

/**
 * 409 → `conflict`, 412 → `precondition_failed`, 5xx/408/429/network → retryable `storage_unavailable`;
 * anything else (400 bad request, 403, a missing table...) is returned unchanged for the caller to rethrow.
 * `what` names the operation and table, never the row's content.
 */
export function translateStorageError(error: unknown, what: string): unknown {
  if (isRestError(error) && error.statusCode === 409) {
    return new ReengageError('conflict', `${what}: the row already exists`, false, { cause: error });
  }
  if (isRestError(error) && error.statusCode === 412) {
    return new ReengageError('precondition_failed', `${what}: the row changed since it was read`, false, {
      cause: error,
    });
  }
  if (isTransient(error)) {
    return new ReengageError('storage_unavailable', `${what}: storage is unavailable`, true, {
      cause: error,
    });
  }
  return error;
}

export function isNotFound(error: unknown): boolean {
  // A missing table is a deployment fault, not a missing row: it must surface.
  return isRestError(error) && error.statusCode === 404 && error.code !== 'TableNotFound';
}

export async function guard<T>(what: string, operation: () => Promise<T>): Promise<T> {
  try {
    return await operation();
  } catch (error) {
    throw translateStorageError(error, what);
  }
}

/** Runs a point read; a missing row is null. */
export async function getOrNull<T>(what: string, operation: () => Promise<T>): Promise<T | null> {
  try {
    return await operation();
  } catch (error) {
    if (isNotFound(error)) return null;
    throw translateStorageError(error, what);
  }
}

/** Runs an insert; an existing row is null instead of an error. */
export async function createOrNull<T>(what: string, operation: () => Promise<T>): Promise<T | null> {
  try {
    return await operation();
  } catch (error) {
    if (isRestError(error) && error.statusCode === 409) return null;
    throw translateStorageError(error, what);
  }
}

/** Runs a delete; a row that is already gone counts as deleted. */
export async function deleteIfPresent(what: string, operation: () => Promise<unknown>): Promise<void> {
  try {
    await operation();
  } catch (error) {
    if (isNotFound(error)) return;
    throw translateStorageError(error, what);
  }
}

/** Iterates a paged listing, translating failures that happen while fetching pages. */
export async function* guardIteration<T>(what: string, source: AsyncIterable<T>): AsyncIterable<T> {
  const iterator = source[Symbol.asyncIterator]();
  while (true) {
    let next: IteratorResult<T>;
    try {
      next = await iterator.next();
    } catch (error) {
      throw translateStorageError(error, what);
    }
    if (next.done) return;
    yield next.value;
  }
}
