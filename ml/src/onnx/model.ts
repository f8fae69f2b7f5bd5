import * as ort from 'onnxruntime-node';
import { inverseTarget } from '../features/fit';

export interface OnnxModelOptions {
  input: string;
  output: string;
  featureCount: number;
  targetTransform: 'none' | 'log';
  /**
   * onnxruntime intra-op threads; 0 or unset: 1. With more than one, the tree ensemble sums its trees in
   * an order that depends on the batch size, so a row's prediction can differ by a float32 step with the
   * batch it is in (measured with the tiny demo model: 270 of 1500 rows across batch sizes 1, 7 and 50 on
   * 2 threads, none on 1), and the same CSV scored in other chunk sizes gives other prices.
   */
  threads?: number;
}

/** An ONNX regressor session that takes feature rows and returns prices (inverse target transform applied). */
export class OnnxModel {
  private constructor(
    private readonly session: ort.InferenceSession,
    readonly options: OnnxModelOptions,
  ) {}

  static async load(modelBytesOrPath: string | Uint8Array, options: OnnxModelOptions): Promise<OnnxModel> {
    const sessionOptions: ort.InferenceSession.SessionOptions = {
      intraOpNumThreads: options.threads && options.threads > 0 ? options.threads : 1,
      interOpNumThreads: 1,
      graphOptimizationLevel: 'all',
    };
    const session =
      typeof modelBytesOrPath === 'string'
        ? await ort.InferenceSession.create(modelBytesOrPath, sessionOptions)
        : await ort.InferenceSession.create(modelBytesOrPath, sessionOptions);
    if (!session.inputNames.includes(options.input)) {
      throw new Error(
        `ONNX model has no input "${options.input}" (inputs: ${session.inputNames.join(', ')})`,
      );
    }
    if (!session.outputNames.includes(options.output)) {
      throw new Error(
        `ONNX model has no output "${options.output}" (outputs: ${session.outputNames.join(', ')})`,
      );
    }
    return new OnnxModel(session, options);
  }

  /** Predicts `rows` rows laid out contiguously in `features` (row-major, featureCount wide). */
  async predict(features: Float32Array, rows: number): Promise<Float64Array> {
    const { input, output, featureCount, targetTransform } = this.options;
    if (features.length < rows * featureCount)
      throw new Error(`expected ${rows * featureCount} feature values, got ${features.length}`);
    const tensor = new ort.Tensor('float32', features.subarray(0, rows * featureCount), [rows, featureCount]);
    const result = await this.session.run({ [input]: tensor });
    const raw = result[output]!.data as Float32Array;
    const prices = new Float64Array(rows);
    for (let i = 0; i < rows; i++) prices[i] = inverseTarget(raw[i]!, targetTransform);
    return prices;
  }

  async release(): Promise<void> {
    await this.session.release();
  }
}
