import type { LoggerService } from '@nestjs/common';
import pino, { type DestinationStream, type Logger as PinoLogger, type LoggerOptions } from 'pino';
import { currentRequestId } from './request-context';

/** Header values that must never reach a log line. */
export const REDACTED_PATHS = [
  'req.headers["x-api-key"]',
  'req.headers.authorization',
  'req.headers.cookie',
  'headers["x-api-key"]',
  'headers.authorization',
  'apiKey',
  'secret',
  'key',
];

/**
 * A URL as it may be logged: without its query string, which can carry secrets (an API key sent as
 * `?api_key=…` is ignored by the API but would otherwise reach the logs) and personal data.
 */
export function redactUrl(url: string | undefined): string | undefined {
  if (url === undefined) return url;
  const query = url.indexOf('?');
  return query === -1 ? url : `${url.slice(0, query)}?[redacted]`;
}

interface LoggedRequest {
  method?: string;
  url?: string;
  host?: string;
  hostname?: string;
  ip?: string;
  socket?: { remotePort?: number };
}

/** Fastify's request serializer, minus the query string of the URL. */
function serializeRequest(req: LoggedRequest) {
  return {
    method: req.method,
    url: redactUrl(req.url),
    host: req.host ?? req.hostname,
    remoteAddress: req.ip,
    remotePort: req.socket?.remotePort,
  };
}

export function pinoOptions(level: string): LoggerOptions {
  return {
    level,
    redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
    serializers: { req: serializeRequest },
    base: { service: 'housing-api' },
    // Inside a request (common/request-context.ts), every line carries its id: the framework's, the
    // services' and the repositories' alike, so one grep for an X-Request-Id finds them all.
    // Fastify's request logger has it bound already (app.factory.ts logs its request id as requestId).
    mixin: (_line, _level, logger) => {
      const requestId = currentRequestId();
      return requestId === undefined || 'requestId' in logger.bindings() ? {} : { requestId };
    },
  };
}

/** The process's logger: JSON lines on stdout, or on `destination` (tests read their app's lines). */
export function createPino(level: string, destination?: DestinationStream): PinoLogger {
  return destination ? pino(pinoOptions(level), destination) : pino(pinoOptions(level));
}

/** Nest's logger interface over pino: one JSON log stream for the framework and the app. */
export class PinoNestLogger implements LoggerService {
  constructor(private readonly pino: PinoLogger) {}
  private write(level: 'info' | 'warn' | 'error' | 'debug' | 'trace', message: unknown, rest: unknown[]) {
    const context = typeof rest[rest.length - 1] === 'string' ? (rest.pop() as string) : undefined;
    if (message !== null && typeof message === 'object')
      this.pino[level]({ context, ...(message as object) }, String(rest[0] ?? ''));
    else
      this.pino[level](
        { context, ...(rest.length && level === 'error' && { stack: rest[0] }) },
        String(message),
      );
  }
  log(message: unknown, ...rest: unknown[]) {
    this.write('info', message, rest);
  }
  error(message: unknown, ...rest: unknown[]) {
    this.write('error', message, rest);
  }
  warn(message: unknown, ...rest: unknown[]) {
    this.write('warn', message, rest);
  }
  debug(message: unknown, ...rest: unknown[]) {
    this.write('debug', message, rest);
  }
  verbose(message: unknown, ...rest: unknown[]) {
    this.write('trace', message, rest);
  }
}
