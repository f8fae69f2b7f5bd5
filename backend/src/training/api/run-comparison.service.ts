import { Injectable, Logger } from '@nestjs/common';
import type { ModelEvaluation } from '@housing/ml';
import type { Principal } from '../../auth/principal';
import { notFound, validationProblem } from '../../common/problem';
import type { ModelVersionEntity } from '../../model-registry/model-version.entity';
import { MAX_VERSION } from '../../model-registry/registry.params';
import { RegistryService } from '../../model-registry/registry.service';
import type { TrainingRunEntity } from '../shared/training-run.entity';
import { TrainingRunsRepository } from '../shared/training-runs.repository';
import {
  compareErrors,
  compareMetrics,
  compareParams,
  tuningHistory,
  type ComparisonSubject,
} from './run-comparison';
import { MAX_COMPARED, MIN_COMPARED, type ComparedItemDto, type ComparisonDto } from './run-comparison.dto';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const isAdmin = (principal: Principal) => principal.scopes.includes('admin');
const iso = (ms: number) => new Date(ms).toISOString();
const modelRef = (name: string, version: number) => ({
  name,
  version,
  href: `/v1/models/${encodeURIComponent(name)}/versions/${version}`,
});

export interface CompareOptions {
  allParams?: boolean;
  cells?: boolean;
}

interface Compared {
  item: ComparedItemDto;
  subject: ComparisonSubject;
}

/** A comma-separated list of 2 to 10 distinct entries (400 naming the field otherwise). */
function splitList(field: string, raw: string): string[] {
  const entries = raw.split(',').map((s) => s.trim());
  if (entries.length < MIN_COMPARED || entries.length > MAX_COMPARED)
    throw validationProblem([{ field, message: `must list ${MIN_COMPARED} to ${MAX_COMPARED} entries (got ${entries.length})` }]);
  const repeated = entries.filter((e, i) => entries.indexOf(e) !== i);
  if (repeated.length > 0) throw validationProblem([{ field, message: `lists ${repeated.join(', ')} more than once` }]);
  return entries;
}

/**
 * Side-by-side comparison of training runs or of a model's versions (MLflow's compare view): metrics
 * with deltas against the first, the parameters that differ, holdout error by month and region from
 * each registered version's evaluation cells, and each tuning history.
 */
@Injectable()
export class RunComparisonService {
  private readonly logger = new Logger('RunComparison');

  constructor(
    private readonly runs: TrainingRunsRepository,
    private readonly registry: RegistryService,
  ) {}

  /** Runs by id, in the order given; ids the key may not see are as unknown as missing ones (404 naming them). */
  async compareRuns(principal: Principal, rawIds: string, options: CompareOptions): Promise<ComparisonDto> {
    const ids = splitList('ids', rawIds);
    const malformed = ids.filter((id) => !UUID.test(id));
    if (malformed.length > 0)
      throw validationProblem(malformed.map((id) => ({ field: 'ids', message: `${id.slice(0, 60)} is not a run id (UUID)` })));
    const found = new Map(
      (await this.runs.findByIds(ids))
        .filter((row) => isAdmin(principal) || row.apiKeyId === principal.keyId)
        .map((row) => [row.id.toLowerCase(), row]),
    );
    const unknown = ids.filter((id) => !found.has(id.toLowerCase()));
    if (unknown.length > 0) throw notFound(`no training run ${unknown.join(', ')}`);
    const compared = await Promise.all(ids.map((id) => this.ofRun(found.get(id.toLowerCase())!)));
    return this.compare(compared, options);
  }

  /** Versions of one model by number, in the order given (404 naming the unknown ones). */
  async compareVersions(name: string, rawVersions: string, options: CompareOptions): Promise<ComparisonDto> {
    const numbers = splitList('versions', rawVersions).map(Number);
    if (numbers.some((n) => !(Number.isInteger(n) && n >= 1 && n <= MAX_VERSION)))
      throw validationProblem([{ field: 'versions', message: 'must be positive integer version numbers' }]);
    const byNumber = new Map((await this.registry.list(name)).map((v) => [v.version, v]));
    const unknown = numbers.filter((n) => !byNumber.has(n));
    if (unknown.length > 0) throw notFound(`model ${name} has no version ${unknown.join(', ')}`);
    const compared = await Promise.all(numbers.map((n) => this.ofVersion(byNumber.get(n)!)));
    return this.compare(compared, options);
  }

  private compare(compared: Compared[], options: CompareOptions): ComparisonDto {
    const subjects = compared.map((c) => c.subject);
    return {
      items: compared.map((c) => c.item),
      metrics: compareMetrics(subjects),
      params: compareParams(subjects, options.allParams ?? false),
      errorByMonth: compareErrors(subjects, (cell) => ({ month: cell.month })),
      errorByRegion: compareErrors(subjects, (cell) => ({ region: cell.region })),
      ...(options.cells && { errorByCell: compareErrors(subjects, ({ month, region }) => ({ month, region })) }),
      tuning: subjects.map((s) => ({ trials: tuningHistory(s.trials) })),
    };
  }

  private async ofRun(row: TrainingRunEntity): Promise<Compared> {
    const version = await this.registeredVersionOf(row);
    const evaluation = version ? await this.evaluationOf(version) : null;
    const ownTrials = (row.trials ?? []).map((t) => ({ n: t.n, score: t.score }));
    // A run recorded without its trials still has them in its package's evaluation.
    const trials = ownTrials.length > 0 || !evaluation ? ownTrials : trialsOf(evaluation);
    return {
      item: {
        kind: 'run',
        label: `run ${row.id.slice(0, 8)}`,
        runId: row.id,
        status: row.status,
        model: version ? modelRef(version.name, version.version) : null,
        specName: row.specName,
        tuningMetric: trials.length === 0 ? null : ownTrials.length > 0 ? (row.options.metric ?? 'rmse') : 'eval_rmse',
        createdAt: iso(row.createdAt),
      },
      subject: { params: row.params, metrics: row.metrics, trials, cells: evaluation?.cells ?? null },
    };
  }

  private async ofVersion(version: ModelVersionEntity): Promise<Compared> {
    const evaluation = await this.evaluationOf(version);
    const trials = evaluation ? trialsOf(evaluation) : [];
    return {
      item: {
        kind: 'version',
        label: `${version.name} v${version.version}`,
        runId: null,
        status: null,
        model: modelRef(version.name, version.version),
        specName: version.datasetSpec,
        tuningMetric: trials.length > 0 ? 'eval_rmse' : null,
        createdAt: iso(version.createdAt),
      },
      subject: {
        params: version.hyperparameters,
        metrics: version.metrics,
        trials,
        cells: evaluation?.cells ?? null,
      },
    };
  }

  private async registeredVersionOf(row: TrainingRunEntity): Promise<ModelVersionEntity | null> {
    if (row.modelName === null || row.modelVersion === null) return null;
    // A version removed since the run registered it: compare the run without its evaluation.
    return this.registry.get(row.modelName, row.modelVersion).catch(() => null);
  }

  /** A version's evaluation; an unreadable one leaves its error columns empty rather than failing the comparison. */
  private async evaluationOf(version: ModelVersionEntity): Promise<ModelEvaluation | null> {
    try {
      return await this.registry.readEvaluation(version);
    } catch (error) {
      this.logger.warn(`${version.name} v${version.version}: evaluation not readable (${(error as Error).message})`);
      return null;
    }
  }
}

const trialsOf = (evaluation: ModelEvaluation) =>
  evaluation.trials.map((t) => ({ n: t.number, score: t.eval_rmse }));
