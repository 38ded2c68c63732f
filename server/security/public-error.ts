// What an API error may say to the caller: our own messages (which name the field or id), and for
// anything unexpected a generic line with an id that finds the full error in the server log —
// never the SQL statement, the document or the file contents an exception may carry.
import { randomBytes } from 'node:crypto';
import { ZodError } from 'zod';

/** Longest message sent to a caller; ours are far shorter, so this only trims echoes. */
const MAX_MESSAGE = 600;

/** An id for one logged error, quoted in the response. */
export function newErrorId(): string {
  return `e_${randomBytes(6).toString('hex')}`;
}

/** Logs an unexpected error under a fresh id and returns the message the caller may see. */
export function internalErrorMessage(err: unknown, where: string): string {
  const id = newErrorId();
  console.error(`[${id}] ${where}:`, err);
  return `internal error ${id}; the server log has the details`;
}

/** The message of a zod error as `path: message` pairs (tRPC's default is the raw issue JSON). */
export function zodMessage(err: ZodError): string {
  const parts = err.issues.slice(0, 5).map((i) => (i.path.length ? `${i.path.join('.')}: ${i.message}` : i.message));
  if (err.issues.length > 5) parts.push(`and ${err.issues.length - 5} more`);
  return trimMessage(parts.join('; '));
}

/** A message cut to a size that cannot carry a whole document. */
export function trimMessage(message: string): string {
  return message.length > MAX_MESSAGE ? `${message.slice(0, MAX_MESSAGE)}…` : message;
}

/**
 * The public message for an error tRPC is about to send. `expected` errors are TRPCErrors our code
 * threw on purpose; everything else (INTERNAL_SERVER_ERROR wrapping an exception, a parse error
 * quoting the body) is replaced.
 */
export function publicMessage(code: string, message: string, cause: unknown, path: string | undefined): string {
  if (cause instanceof ZodError) return zodMessage(cause);
  if (code === 'INTERNAL_SERVER_ERROR') return internalErrorMessage(cause ?? message, `tRPC ${path ?? '(unknown procedure)'}`);
  // JSON.parse messages quote the text around the error.
  if (cause instanceof SyntaxError || code === 'PARSE_ERROR') return 'the request is not valid JSON';
  return trimMessage(message);
}
