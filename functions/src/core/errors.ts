// The one domain error type: a stable code, and whether trying again later can succeed.

export type ErrorCode =
  | 'conflict'
  | 'precondition_failed'
  | 'not_found'
  | 'invalid_input'
  | 'unauthorized'
  | 'throttled'
  | 'transport_unavailable'
  | 'storage_unavailable'
  | 'render_failed'
  | 'invalid_configuration';

export class ReengageError extends Error {
  override readonly name = 'ReengageError';

  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly retryable: boolean = false,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export function isReengageError(error: unknown, code?: ErrorCode): error is ReengageError {
  return error instanceof ReengageError && (code === undefined || error.code === code);
}
