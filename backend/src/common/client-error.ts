import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import { PROBLEM_BASE } from './problem';

/** Node's HTTP parser errors and what they answer. */
const STATUS_OF: Record<string, number> = {
  HPE_HEADER_OVERFLOW: 431,
  ERR_HTTP_REQUEST_TIMEOUT: 408,
};

const DETAIL_OF: Record<number, string> = {
  431: 'the request headers are too large (at most 16 KiB in all)',
  408: 'the request was not received in time',
  400: 'the request could not be parsed as HTTP',
};

/**
 * Fastify's clientErrorHandler: errors of the HTTP parser (before any route runs: headers too large,
 * malformed request line) answered as application/problem+json like every other error, instead of
 * Fastify's default application/json body.
 */
export function problemClientErrorHandler(error: Error & { code?: string }, socket: Socket): void {
  if (error.code === 'ECONNRESET' || !socket.writable) {
    socket.destroy();
    return;
  }
  const status = STATUS_OF[error.code ?? ''] ?? 400;
  const body = JSON.stringify({
    type: `${PROBLEM_BASE}http-${status}`,
    title: STATUS_CODES[status],
    status,
    detail: DETAIL_OF[status],
  });
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\n` +
      'Content-Type: application/problem+json\r\n' +
      `Content-Length: ${Buffer.byteLength(body)}\r\n` +
      'Connection: close\r\n\r\n' +
      body,
  );
}
