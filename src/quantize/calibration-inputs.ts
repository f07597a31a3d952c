/**
 * `--calibration DIR`: the inputs static quantization measures activation ranges on. Same layouts as
 * `--inputs` (runtime/load-feeds.ts: test_data_set_N/input_K.pb folders, one folder of input_K files,
 * or <input>.npy / <input>.pb named after the inputs), read by the same reader; every problem is
 * reported as a calibration error that names the folder and, where there is one, the file.
 */
import { MlserveError } from '../errors.js';
import { loadFeedSets } from '../runtime/load-feeds.js';
import type { OrtTensor } from '../runtime/ort-session.js';
import { toOrtTensor } from '../runtime/plain-tensor.js';
import type { InputSpec } from '../runtime/random-inputs.js';

export interface CalibrationSet {
  /** The folder or file set it came from. */
  source: string;
  feeds: Record<string, OrtTensor>;
}

export function loadCalibrationSets(dir: string, inputs: readonly InputSpec[]): CalibrationSet[] {
  try {
    return loadFeedSets(dir, inputs).map((set) => ({
      source: set.source,
      feeds: Object.fromEntries(Object.entries(set.tensors).map(([name, t]) => [name, toOrtTensor(t)])),
    }));
  } catch (e) {
    if (!(e instanceof MlserveError)) throw e;
    throw new MlserveError('MLS_ERR_CALIBRATION_INVALID', { dir, reason: calibrationReason(e, dir) }, { cause: e });
  }
}

/** The reader's message, said for --calibration rather than --inputs. */
function calibrationReason(e: MlserveError, dir: string): string {
  switch (e.code) {
    case 'MLS_ERR_FILE_NOT_FOUND': return 'no such folder';
    case 'MLS_ERR_INPUTS_DIR_INVALID': return (e.details as { reason: string }).reason;
    case 'MLS_ERR_INPUT_FILE_MISSING': {
      const d = e.details as { input: string; looked: string };
      return `no file for input '${d.input}' (looked for ${d.looked})`;
    }
    default: return e.message.replace(`--inputs ${dir}: `, '');
  }
}
