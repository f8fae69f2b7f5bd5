import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import * as path from 'node:path';

/** ml/trainer, the Python package that fits XGBoost and exports ONNX. */
export const TRAINER_DIR = path.resolve(__dirname, '..', '..', 'trainer');

/** Progress lines the trainer prints on stdout (one JSON object per line). */
export type TrainerEvent =
  | { event: 'stage'; stage: string }
  | { event: 'trial'; number: number; of: number; rmse: number; best_rmse: number; seconds: number }
  | { event: 'done'; metrics: unknown }
  | { event: string; [key: string]: unknown };

/**
 * The command that runs the trainer: ML_TRAINER_PYTHON if set, else the project's venv python when it
 * exists (no resolver start-up per run), else `uv run --frozen` which creates the venv first.
 */
export function trainerCommand(): { command: string; args: string[] } {
  const configured = process.env.ML_TRAINER_PYTHON;
  if (configured) return { command: configured, args: ['-m', 'housing_trainer'] };
  const venvPython = path.join(TRAINER_DIR, '.venv', 'bin', 'python');
  if (existsSync(venvPython)) return { command: venvPython, args: ['-m', 'housing_trainer'] };
  return {
    command: 'uv',
    args: ['run', '--project', TRAINER_DIR, '--frozen', 'python', '-m', 'housing_trainer'],
  };
}

/** Runs `housing_trainer train --data DIR --out DIR`, relaying its progress events. */
export function runTrainer(
  dataDir: string,
  outDir: string,
  onEvent: (event: TrainerEvent) => void,
): Promise<void> {
  const { command, args } = trainerCommand();
  return new Promise((resolve, reject) => {
    const child = spawn(command, [...args, 'train', '--data', dataDir, '--out', outDir], {
      env: { ...process.env, UV_PYTHON_DOWNLOADS: 'never', PYTHONUNBUFFERED: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdoutRest = '';
    const stderrTail: string[] = [];
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      const lines = (stdoutRest + chunk).split('\n');
      stdoutRest = lines.pop()!;
      for (const line of lines) {
        if (!line.trim()) continue;
        try {
          onEvent(JSON.parse(line) as TrainerEvent);
        } catch {
          stderrTail.push(line);
        }
      }
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderrTail.push(...chunk.split('\n').filter(Boolean));
      if (stderrTail.length > 40) stderrTail.splice(0, stderrTail.length - 40);
    });
    child.on('error', (error) =>
      reject(new Error(`could not start the trainer (${command}): ${error.message}`)),
    );
    child.on('close', (code) => {
      if (code === 0) resolve();
      else reject(new Error(`trainer exited with code ${code}:\n${stderrTail.slice(-15).join('\n')}`));
    });
  });
}
