import {
  HttpStatus,
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnModuleDestroy,
} from '@nestjs/common';
import {
  checkParity,
  PackageExplainer,
  loadPackageModel,
  transformInto,
  type ModelManifest,
  type OnnxModel,
} from '@housing/ml';
import { ProblemException } from '../common/problem';
import { APP_CONFIG, type AppConfig } from '../config/config';
import { MetricsService } from '../metrics/metrics.service';
import { RegistryService } from '../model-registry/registry.service';
import { ModelEvents } from '../model-registry/model-events';
import type { ModelVersionEntity } from '../model-registry/model-version.entity';

const RETRY_FAILED_LOAD_MS = 60_000;
/** Versions other than the served one kept loaded: those served before (moving back is instant) and batch jobs' pinned ones. */
const PINNED_VERSIONS_CACHED = 3;

/** A model ready to serve: the registry row, its manifest and a warmed ONNX session. */
export class LoadedModel {
  private inFlight = 0;
  private retired = false;
  readonly loadedAt = Date.now();

  private explainerBuilt?: PackageExplainer | null;

  constructor(
    readonly version: ModelVersionEntity,
    readonly manifest: ModelManifest,
    private readonly session: OnnxModel,
    private readonly trees?: { model: Uint8Array; covers: unknown },
  ) {}

  /**
   * TreeSHAP over the package's trees; null when the package carries no covers (trained before
   * explanations). Built at the first explanation, not at load: a promotion reaches every process as fast
   * as before, and a process that never explains pays nothing. Reused: its scratch buffers serve one
   * record at a time.
   */
  get explainer(): PackageExplainer | null {
    if (this.explainerBuilt === undefined) {
      const trees = this.trees;
      this.explainerBuilt =
        this.manifest.explain && trees && trees.covers !== undefined
          ? new PackageExplainer(this.manifest, trees.model, trees.covers)
          : null;
    }
    return this.explainerBuilt;
  }

  get width(): number {
    return this.manifest.features.names.length;
  }

  /**
   * Predicts prices for raw records through the shared transform. The session stays open until
   * every prediction that started on it has finished, even if a newer model has replaced it.
   */
  async predict(records: readonly Readonly<Record<string, unknown>>[]): Promise<Float64Array> {
    this.inFlight++;
    try {
      const features = new Float32Array(records.length * this.width);
      for (let i = 0; i < records.length; i++)
        transformInto(records[i]!, this.manifest.features, features, i * this.width);
      return await this.session.predict(features, records.length);
    } finally {
      this.inFlight--;
      if (this.retired && this.inFlight === 0) void this.session.release();
    }
  }

  /**
   * Predicts contiguous feature rows (already transformed by the shared transform), e.g. for
   * scoreCsv in the batch worker. Counts as in flight like predict().
   */
  async predictFeatures(features: Float32Array, rows: number): Promise<Float64Array> {
    this.inFlight++;
    try {
      return await this.session.predict(features, rows);
    } finally {
      this.inFlight--;
      if (this.retired && this.inFlight === 0) void this.session.release();
    }
  }

  /**
   * Keeps the session open across many predictions (a batch job's chunks) even if the model is
   * retired meanwhile; call the returned function once done.
   */
  hold(): () => void {
    this.inFlight++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.inFlight--;
      if (this.retired && this.inFlight === 0) void this.session.release();
    };
  }

  /** Called once it is no longer the served model; releases the session when idle. */
  retire(): void {
    this.retired = true;
    if (this.inFlight === 0) void this.session.release();
  }

  /** The first requests after a load would otherwise pay the session's lazy initialisation. */
  async warm(): Promise<void> {
    const records = this.manifest.parity.records.slice(0, 8);
    for (let i = 0; i < 3; i++) await this.predict(records);
  }
}

export type InferenceState =
  | { state: 'starting' }
  | { state: 'ready'; model: ModelVersionEntity; loadedAt: number }
  | { state: 'no-model'; reason: string }
  | { state: 'failed'; reason: string; lastGood?: ModelVersionEntity };

/**
 * The one injectable place that owns the ONNX session. Loads the version holding `champion` at start,
 * verifies it (parity fixture) before serving, and swaps atomically when a stage change is announced
 * (in-process or through Redis pub/sub) or found by periodic reconciliation.
 */
@Injectable()
export class InferenceService implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(InferenceService.name);
  private current?: LoadedModel;
  private status: InferenceState = { state: 'starting' };
  private reloading?: Promise<void>;
  private reloadAgain = false;
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly registry: RegistryService,
    private readonly events: ModelEvents,
    private readonly metrics: MetricsService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    // Subscribed before start-up completes: a promotion published after that reaches this process.
    await this.events.subscribe(() => void this.reload());
    if (this.config.MODEL_RECONCILE_INTERVAL_MS > 0) {
      this.timer = setInterval(() => void this.reload(), this.config.MODEL_RECONCILE_INTERVAL_MS);
      this.timer.unref();
    }
    // The API starts even when the model cannot be loaded; readiness reports why.
    await this.reload();
  }

  onModuleDestroy(): void {
    if (this.timer) clearInterval(this.timer);
    this.current?.retire();
    this.current = undefined;
    for (const loading of this.pinned.values())
      void loading.then(
        (m) => m.retire(),
        () => undefined,
      );
    this.pinned.clear();
  }

  /** Loaded versions other than the served one, most recently used last. */
  private readonly pinned = new Map<string, Promise<LoadedModel>>();

  /**
   * A loaded, parity-checked model for a specific registered version (a batch job pinned to the
   * version recorded at submit time): the served model when it is that version, else a cached load.
   * Callers that use it across awaits should `hold()` it, since an evicted model is retired.
   */
  async loadVersion(version: ModelVersionEntity): Promise<LoadedModel> {
    if (this.current?.version.id === version.id) return this.current;
    let loading = this.pinned.get(version.id);
    if (loading) {
      this.pinned.delete(version.id);
      this.pinned.set(version.id, loading);
    } else {
      loading = this.load(version);
      this.pinned.set(version.id, loading);
      loading.catch(() => {
        if (this.pinned.get(version.id) === loading) this.pinned.delete(version.id);
      });
      this.evictPinned();
    }
    return loading;
  }

  /** The model served until now stays loaded among the pinned versions (most recently used). */
  private keepLoaded(model: LoadedModel): void {
    this.pinned.delete(model.version.id);
    this.pinned.set(model.version.id, Promise.resolve(model));
    this.evictPinned();
  }

  /** Retires the least recently used pinned versions past PINNED_VERSIONS_CACHED. */
  private evictPinned(): void {
    while (this.pinned.size > PINNED_VERSIONS_CACHED) {
      const [oldestId, oldest] = this.pinned.entries().next().value as [string, Promise<LoadedModel>];
      this.pinned.delete(oldestId);
      void oldest.then(
        (m) => m.retire(),
        () => undefined,
      );
    }
  }

  /**
   * The loaded model a reference names (`name@alias`, `name/version`, a bare name for its champion):
   * the served one when it is that version, else loaded like a batch job's pinned version.
   * 400 for bad syntax, 404 when nothing matches (RegistryService.resolveReference).
   */
  async modelFor(reference: string): Promise<LoadedModel> {
    const version = await this.registry.resolveReference(reference);
    try {
      return await this.loadVersion(version);
    } catch (error) {
      throw new ProblemException(
        HttpStatus.SERVICE_UNAVAILABLE,
        'model-unavailable',
        'Model unavailable',
        `${reference} is ${version.name} v${version.version}, which could not be loaded: ${(error as Error).message}`,
      );
    }
  }

  /** The model to serve right now (undefined when none is loaded). */
  model(): LoadedModel | undefined {
    return this.current;
  }

  state(): InferenceState {
    return this.status;
  }

  /** Brings the served model in line with the registry; concurrent calls coalesce. */
  reload(): Promise<void> {
    if (this.reloading) {
      this.reloadAgain = true;
      return this.reloading;
    }
    this.reloading = (async () => {
      do {
        this.reloadAgain = false;
        await this.reconcile();
      } while (this.reloadAgain);
    })().finally(() => (this.reloading = undefined));
    return this.reloading;
  }

  private async reconcile(): Promise<void> {
    let production: ModelVersionEntity | null;
    try {
      production = await this.registry.findProduction();
    } catch (error) {
      this.logger.warn(`could not read the registry: ${(error as Error).message}`);
      return;
    }
    if (!production) {
      // The API refuses to take production away without a replacement; if the database says so anyway
      // (a manual edit), every process stops serving alike, and says so once rather than on every pass.
      const previous = this.current;
      this.current = undefined;
      this.status = {
        state: 'no-model',
        reason: 'no model version is in production: register one and promote it',
      };
      if (previous) {
        previous.retire();
        this.metrics.modelLoaded.remove({
          model: previous.version.name,
          version: String(previous.version.version),
        });
        this.logger.warn(
          `${previous.version.name} v${previous.version.version} is no longer in production and no version replaced it; not serving`,
        );
      }
      return;
    }
    if (this.current?.version.id === production.id) return;
    if (this.failedId === production.id && Date.now() - this.failedAt < RETRY_FAILED_LOAD_MS) return;
    try {
      // A version kept loaded (the one served before, a batch job's) is served at once: a rollback or an
      // alias moved back is not a fresh load.
      const kept = this.pinned.get(production.id);
      if (kept) this.pinned.delete(production.id);
      const loaded = kept ? await kept : await this.load(production);
      const previous = this.current;
      this.current = loaded;
      this.status = { state: 'ready', model: production, loadedAt: loaded.loadedAt };
      this.failedId = undefined;
      if (previous) this.keepLoaded(previous);
      if (previous)
        this.metrics.modelLoaded.remove({
          model: previous.version.name,
          version: String(previous.version.version),
        });
      this.metrics.modelLoaded.set({ model: production.name, version: String(production.version) }, 1);
      this.logger.log(`serving ${production.name} v${production.version}`);
    } catch (error) {
      this.metrics.modelLoadFailures.inc();
      this.failedId = production.id;
      this.failedAt = Date.now();
      const reason = `could not load ${production.name} v${production.version}: ${(error as Error).message}`;
      this.status = { state: 'failed', reason, ...(this.current && { lastGood: this.current.version }) };
      this.logger.error(reason);
    }
  }

  /** A production version that failed to load is retried after a pause, not on every reconciliation. */
  private failedId?: string;
  private failedAt = 0;

  private async load(version: ModelVersionEntity): Promise<LoadedModel> {
    const pkg = await this.registry.readPackage(version);
    const session = await loadPackageModel(pkg.manifest, pkg.model, this.config.ONNX_THREADS);
    try {
      const report = await checkParity(pkg.manifest, session, this.registry.toleranceCeiling());
      if (report.failures.length > 0)
        throw new Error(
          `parity fixture not reproduced for ${report.failures.length} of ${report.rows} records`,
        );
      const loaded = new LoadedModel(version, pkg.manifest, session, {
        model: pkg.model,
        covers: pkg.covers,
      });
      await loaded.warm();
      return loaded;
    } catch (error) {
      await session.release();
      throw error;
    }
  }
}
