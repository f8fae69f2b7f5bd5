import type { Readable } from 'node:stream';
import { HttpStatus, Inject, Injectable } from '@nestjs/common';
import type { MultipartFile } from '@fastify/multipart';
import type { FastifyRequest } from 'fastify';
import { APP_CONFIG, type AppConfig } from '../../config/config';
import { drain, plainFileStream } from '../../common/multipart';
import { ProblemException, validationProblem } from '../../common/problem';
import { AppValidationPipe, VALIDATION_PIPE_OPTIONS } from '../../common/validation';
import { CONTROL_CHARACTERS } from '../../batch/api/batch.dto';
import { RecordedRunDto, TrainingRequestFieldsDto } from './training.dto';
import { tooLarge } from './training-runs.service';

/** The form fields of POST /v1/training-runs, read before the file part. */
const FIELDS = ['specName', 'spec', 'trials', 'metric', 'seeds', 'fast', 'timeLimitSeconds', 'modelName'] as const;
const NUMBERS = new Set(['trials', 'seeds', 'timeLimitSeconds']);

/**
 * Reads the multipart forms of the training routes: the fields first (validated by the same DTO and
 * pipe as the JSON body: a 400 naming each bad field), then the file part, streamed to the handler. A
 * refused form is drained, so the client reads the problem instead of a reset connection.
 */
@Injectable()
export class TrainingUploadForms {
  private readonly validation = new AppValidationPipe(VALIDATION_PIPE_OPTIONS);

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  async withUpload<T>(
    request: FastifyRequest,
    handle: (fields: TrainingRequestFieldsDto, stream: Readable, fileName: string | undefined) => Promise<T>,
  ): Promise<T> {
    const limit = this.config.TRAINING_UPLOAD_LIMIT_BYTES;
    const part = await this.filePart(request, 'file', limit, 'the training CSV');
    try {
      const fields = await this.fields(part);
      if (part.filename && CONTROL_CHARACTERS.test(part.filename))
        throw validationProblem([{ field: 'file', message: 'the file name must not contain control characters' }]);
      return await handle(fields, plainFileStream(part, limit), part.filename || undefined);
    } catch (error) {
      await drain(part.file);
      throw error;
    }
  }

  async withRecordedRun<T>(request: FastifyRequest, handle: (run: RecordedRunDto, archive: Readable) => Promise<T>): Promise<T> {
    const limit = this.config.MODEL_PACKAGE_LIMIT_BYTES;
    const part = await this.filePart(request, 'package', limit, 'the package archive (.tar.gz)');
    try {
      const raw = this.value(part, 'run');
      if (raw === undefined) throw validationProblem([{ field: 'run', message: 'is required: the run as JSON, before the package' }]);
      const run = (await this.validation.transform(this.json('run', raw), {
        type: 'body',
        metatype: RecordedRunDto,
        data: undefined,
      })) as RecordedRunDto;
      return await handle(run, plainFileStream(part, limit));
    } catch (error) {
      await drain(part.file);
      if ((error as Error)?.name === 'ArtifactTooLargeError' || part.file.truncated)
        throw new ProblemException(HttpStatus.PAYLOAD_TOO_LARGE, 'payload-too-large', 'Package too large', `the package exceeds MODEL_PACKAGE_LIMIT_BYTES (${limit} bytes)`);
      throw error;
    }
  }

  private async filePart(request: FastifyRequest, field: string, limit: number, what: string): Promise<MultipartFile> {
    let part: MultipartFile | undefined;
    try {
      part = await request.file({ limits: { fileSize: limit + 1, files: 1, fields: 20, fieldSize: 512 * 1024 } });
    } catch (error) {
      if ((error as { statusCode?: number }).statusCode === 413) throw tooLarge(limit);
      throw validationProblem([{ field, message: `the multipart body is malformed: ${(error as Error).message}` }]);
    }
    if (!part || part.fieldname !== field) {
      if (part) await drain(part.file);
      throw validationProblem([{ field, message: `is required: ${what}, as multipart/form-data field "${field}" after the other fields` }]);
    }
    return part;
  }

  private value(part: MultipartFile, name: string): string | undefined {
    const fields = part.fields as Record<string, { value?: unknown } | unknown[] | undefined>;
    if (Array.isArray(fields[name])) throw validationProblem([{ field: name, message: 'must be sent once' }]);
    const v = (fields[name] as { value?: unknown } | undefined)?.value;
    return typeof v === 'string' ? v : undefined;
  }

  private json(field: string, text: string): unknown {
    try {
      return JSON.parse(text);
    } catch (error) {
      throw validationProblem([{ field, message: `must be JSON: ${(error as Error).message}` }]);
    }
  }

  /** The option fields as the JSON body would carry them, validated by the same DTO. */
  private async fields(part: MultipartFile): Promise<TrainingRequestFieldsDto> {
    const body: Record<string, unknown> = {};
    const known = new Set<string>(FIELDS);
    for (const name of Object.keys(part.fields))
      if (name !== part.fieldname && !known.has(name))
        throw validationProblem([{ field: name, message: `is not a field of this form (fields: ${FIELDS.join(', ')}, file)` }]);
    for (const name of FIELDS) {
      const text = this.value(part, name);
      if (text === undefined) continue;
      const trimmed = text.trim();
      if (name === 'spec') body.spec = this.json('spec', text);
      else if (NUMBERS.has(name)) body[name] = /^-?\d+$/.test(trimmed) ? Number(trimmed) : trimmed;
      else if (name === 'fast') body.fast = trimmed === 'true' ? true : trimmed === 'false' ? false : trimmed;
      else body[name] = trimmed;
    }
    return (await this.validation.transform(body, {
      type: 'body',
      metatype: TrainingRequestFieldsDto,
      data: undefined,
    })) as TrainingRequestFieldsDto;
  }
}
