import { reactive, ref } from 'vue';
import type { BuiltinSpecName, CreateTrainingRun, TrainingMetric, TrainingRun } from '../api/types';
import { ApiError, useApi } from './useApi';
import { messageOf } from './useResource';

export const BUILTIN_SPECS: readonly BuiltinSpecName[] = ['housets', 'ames', 'california-blocks'];
export const METRICS: readonly TrainingMetric[] = ['rmse', 'mae', 'mape', 'rmsle'];

export type InputKind = 'upload' | 'uri' | 'dataset';
export type SpecKind = 'default' | 'builtin' | 'inline';

/** The form's fields as typed (text for numbers, so an empty one means "the server's default"). */
export interface TrainingRunFields {
  input: InputKind;
  file: File | null;
  inputUri: string;
  datasetId: string;
  specKind: SpecKind;
  specName: BuiltinSpecName;
  specJson: string;
  trials: string;
  metric: TrainingMetric | '';
  seeds: string;
  fast: boolean;
  timeLimitSeconds: string;
  modelName: string;
}

type Options = Omit<CreateTrainingRun, 'inputUri' | 'datasetId'>;

const INTEGER = /^\d{1,9}$/;

/**
 * The "start a run" form: checks what the browser can (a file chosen, whole numbers, the inline spec
 * is JSON) and leaves the rest to the API, whose 400/422 field errors land beside the same fields.
 */
export function useTrainingRunForm(onQueued: (run: TrainingRun) => void | Promise<void>) {
  const { client, unwrap } = useApi();
  const fields = reactive<TrainingRunFields>({
    input: 'upload',
    file: null,
    inputUri: '',
    datasetId: '',
    specKind: 'default',
    specName: 'housets',
    specJson: '',
    trials: '',
    metric: '',
    seeds: '',
    fast: true,
    timeLimitSeconds: '',
    modelName: '',
  });
  const errors = ref<Record<string, string>>({});
  const formError = ref<string | null>(null);
  const submitting = ref(false);

  /** The options and spec as the API takes them, or null with `errors` set. */
  function options(): Options | null {
    const found: Record<string, string> = {};
    const out: Options = {};
    for (const name of ['trials', 'seeds', 'timeLimitSeconds'] as const) {
      // A fast run has no tuning: its trials field is disabled and not sent.
      const text = name === 'trials' && fields.fast ? '' : fields[name].trim();
      if (text === '') continue;
      if (!INTEGER.test(text) || Number(text) < 1) found[name] = 'must be a whole number of at least 1';
      else out[name] = Number(text);
    }
    if (fields.metric) out.metric = fields.metric;
    if (fields.fast) out.fast = true;
    if (fields.modelName.trim()) out.modelName = fields.modelName.trim();
    if (fields.specKind === 'builtin') out.specName = fields.specName;
    if (fields.specKind === 'inline') {
      try {
        const spec: unknown = JSON.parse(fields.specJson);
        if (!spec || typeof spec !== 'object' || Array.isArray(spec))
          found.spec = 'must be a JSON object (a dataset spec)';
        else out.spec = spec as Record<string, unknown>;
      } catch (e) {
        found.spec = `is not valid JSON: ${messageOf(e)}`;
      }
    }
    if (fields.input === 'upload' && !fields.file) found.file = 'Choose a CSV file first.';
    if (fields.input === 'uri' && !fields.inputUri.trim())
      found.inputUri = 'Enter the URI of a CSV in the artifact store.';
    if (fields.input === 'dataset' && !fields.datasetId) found.datasetId = 'Choose a dataset.';
    errors.value = found;
    return Object.keys(found).length ? null : out;
  }

  function queue(opts: Options): Promise<TrainingRun> {
    if (fields.input === 'upload') {
      const file = fields.file!;
      return unwrap(
        client.POST('/v1/training-runs', {
          body: { file } as never,
          // The option fields go before the file part: the server streams the upload and reads only those.
          bodySerializer: () => {
            const form = new FormData();
            for (const [name, value] of Object.entries(opts))
              form.append(name, typeof value === 'object' ? JSON.stringify(value) : String(value));
            form.append('file', file, file.name);
            return form;
          },
        }),
      );
    }
    const input =
      fields.input === 'uri' ? { inputUri: fields.inputUri.trim() } : { datasetId: fields.datasetId };
    return unwrap(client.POST('/v1/training-runs', { body: { ...opts, ...input } }));
  }

  async function submit(): Promise<void> {
    formError.value = null;
    const opts = options();
    if (!opts) return;
    submitting.value = true;
    try {
      await onQueued(await queue(opts));
    } catch (e) {
      const byField = e instanceof ApiError ? e.fieldErrors() : {};
      // Field errors show beside their fields too; the form says what went wrong as a whole.
      errors.value = byField;
      formError.value = `The run was not started: ${messageOf(e)}`;
    } finally {
      submitting.value = false;
    }
  }

  return { fields, errors, formError, submitting, submit };
}
