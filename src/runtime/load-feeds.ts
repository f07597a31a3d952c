/**
 * `--inputs DIR`: the user's own input tensors, one feed set per run, checked against what the model
 * declares before anything runs. Three layouts, tried in this order:
 *
 *   DIR/test_data_set_0/input_0.pb, DIR/test_data_set_1/…   ONNX model-zoo folders, one set each
 *   DIR/input_0.pb, DIR/input_1.pb                           DIR is itself one test_data_set folder
 *   DIR/x.npy, DIR/mask.pb                                   files named after the inputs: one set
 *
 * In test_data_set folders `input_K` is the model's K-th real input (inputs that are not initializers),
 * unless the .pb's TensorProto.name names an input, which then wins. In a flat folder the file name
 * (without extension) is the input name, or a .pb's TensorProto.name when that names an input. Every
 * tensor file must map to an input and every input must have a file; each tensor must have the
 * input's dtype, rank and fixed dims, and inputs sharing a symbolic dim must agree on its size.
 * Any problem is one MlserveError naming the file.
 */
import fs from 'node:fs';
import path from 'node:path';
import { MlserveError } from '../errors.js';
import { dataTypeName } from '../onnx/data-type.js';
import type { Dim } from '../ir/tensor-type.js';
import type { OrtTensor } from './ort-session.js';
import { toOrtTensor, type PlainTensor } from './plain-tensor.js';
import type { InputSpec } from './random-inputs.js';
import { readTensorFile, TENSOR_FILE_EXTENSIONS, type TensorFile } from './tensor-file.js';

export interface FeedSet {
  /** The folder the set came from (DIR itself for a flat folder). */
  source: string;
  tensors: Record<string, PlainTensor>;
  /** Which file each input came from. */
  files: Record<string, string>;
}

const TEST_DATA_SET = /^test_data_set_(\d+)$/;
const INPUT_FILE = /^input_(\d+)\.(pb|npy)$/;

/** The feed sets in DIR as onnxruntime tensors, ready for checkEquivalence. */
export function loadFeeds(dir: string, inputs: readonly InputSpec[]): Record<string, OrtTensor>[] {
  return loadFeedSets(dir, inputs).map((set) =>
    Object.fromEntries(Object.entries(set.tensors).map(([name, t]) => [name, toOrtTensor(t)])));
}

export function loadFeedSets(dir: string, inputs: readonly InputSpec[]): FeedSet[] {
  const entries = listDir(dir);
  const setDirs = entries
    .filter((e) => e.isDirectory() && TEST_DATA_SET.test(e.name))
    .sort((a, b) => Number(TEST_DATA_SET.exec(a.name)![1]) - Number(TEST_DATA_SET.exec(b.name)![1]))
    .map((e) => path.join(dir, e.name));
  let sets: FeedSet[];
  if (setDirs.length > 0) {
    sets = setDirs.map((d) => readTestDataSet(d, listDir(d), inputs));
  } else if (entries.some((e) => e.isFile() && INPUT_FILE.test(e.name))) {
    sets = [readTestDataSet(dir, entries, inputs)];
  } else {
    sets = [readFlat(dir, entries, inputs)];
  }
  for (const set of sets) checkSet(set, inputs);
  return sets;
}

function listDir(dir: string): fs.Dirent[] {
  let stat: fs.Stats;
  try {
    stat = fs.statSync(dir);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') throw new MlserveError('MLS_ERR_FILE_NOT_FOUND', { file: dir });
    throw new MlserveError('MLS_ERR_FILE_UNREADABLE', { file: dir, reason: (e as Error).message }, { cause: e });
  }
  if (!stat.isDirectory()) throw new MlserveError('MLS_ERR_INPUTS_DIR_INVALID', { dir, reason: 'not a directory' });
  try {
    // Sorted, so the same folder always gives the same sets in the same order.
    return fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  } catch (e) {
    throw new MlserveError('MLS_ERR_FILE_UNREADABLE', { file: dir, reason: (e as Error).message }, { cause: e });
  }
}

function inputList(inputs: readonly InputSpec[]): string {
  return inputs.map((i) => i.name).join(', ') || 'none';
}

function mismatch(file: string, reason: string): MlserveError {
  return new MlserveError('MLS_ERR_INPUT_FILE_MISMATCH', { file, reason });
}

function assign(set: FeedSet, input: string, loaded: TensorFile): void {
  const earlier = set.files[input];
  if (earlier) throw mismatch(loaded.file, `gives input '${input}' a second time (${path.basename(earlier)} already did)`);
  set.tensors[input] = loaded.tensor;
  set.files[input] = loaded.file;
}

function readTestDataSet(dir: string, entries: fs.Dirent[], inputs: readonly InputSpec[]): FeedSet {
  const set: FeedSet = { source: dir, tensors: {}, files: {} };
  const files = entries
    .filter((e) => e.isFile() && INPUT_FILE.test(e.name))
    .map((e) => ({ file: path.join(dir, e.name), index: Number(INPUT_FILE.exec(e.name)![1]) }))
    .sort((a, b) => a.index - b.index);
  const names = new Set(inputs.map((i) => i.name));
  for (const { file, index } of files) {
    const loaded = readTensorFile(file);
    if (loaded.name !== undefined && names.has(loaded.name)) {
      assign(set, loaded.name, loaded);
      continue;
    }
    if (loaded.name !== undefined) {
      throw mismatch(file, `the tensor is named '${loaded.name}', which is not an input of the model (its inputs: ${inputList(inputs)})`);
    }
    const input = inputs[index];
    if (!input) throw mismatch(file, `the model has ${inputs.length} input${inputs.length === 1 ? '' : 's'} to feed (${inputList(inputs)}), so there is no input ${index}`);
    assign(set, input.name, loaded);
  }
  for (const [k, input] of inputs.entries()) {
    if (!set.files[input.name]) {
      throw new MlserveError('MLS_ERR_INPUT_FILE_MISSING', { dir, input: input.name, looked: `input_${k}.pb or input_${k}.npy` });
    }
  }
  return set;
}

function readFlat(dir: string, entries: fs.Dirent[], inputs: readonly InputSpec[]): FeedSet {
  const set: FeedSet = { source: dir, tensors: {}, files: {} };
  const names = new Set(inputs.map((i) => i.name));
  const tensorFiles = entries.filter((e) => e.isFile() && (TENSOR_FILE_EXTENSIONS as readonly string[]).includes(path.extname(e.name).toLowerCase()));
  if (tensorFiles.length === 0) {
    throw new MlserveError('MLS_ERR_INPUTS_DIR_INVALID', {
      dir, reason: 'holds no .npy or .pb files and no test_data_set_<N> folders',
    });
  }
  for (const entry of tensorFiles) {
    const file = path.join(dir, entry.name);
    const stem = entry.name.slice(0, -path.extname(entry.name).length);
    const loaded = readTensorFile(file);
    const input = loaded.name !== undefined && names.has(loaded.name) ? loaded.name : stem;
    if (!names.has(input)) {
      throw mismatch(file, `names no input of the model (its inputs: ${inputList(inputs)}); name the file after the input it feeds`);
    }
    assign(set, input, loaded);
  }
  for (const input of inputs) {
    if (!set.files[input.name]) {
      throw new MlserveError('MLS_ERR_INPUT_FILE_MISSING', { dir, input: input.name, looked: `${input.name}.npy or ${input.name}.pb` });
    }
  }
  return set;
}

function shapeText(shape: readonly Dim[]): string {
  return `[${shape.map((d) => (d === null ? '?' : String(d))).join(',')}]`;
}

/** Each tensor against its input's declaration; symbolic dims must agree across the set. */
function checkSet(set: FeedSet, inputs: readonly InputSpec[]): void {
  const symbols = new Map<string, { size: number; input: string }>();
  for (const spec of inputs) {
    const tensor = set.tensors[spec.name]!;
    const file = set.files[spec.name]!;
    const expected = dataTypeName(spec.dtype);
    if (spec.dtype !== 0 && tensor.dtype !== expected) {
      throw mismatch(file, `holds ${tensor.dtype} data but input '${spec.name}' is ${expected}`);
    }
    const shape = spec.shape;
    if (!shape) continue;
    const actual = `[${tensor.dims.join(',')}]`;
    if (tensor.dims.length !== shape.length) {
      throw mismatch(file, `has shape ${actual} (rank ${tensor.dims.length}) but input '${spec.name}' has shape ${shapeText(shape)} (rank ${shape.length})`);
    }
    shape.forEach((d, axis) => {
      const size = tensor.dims[axis]!;
      if (typeof d === 'number' && d >= 0 && d !== size) {
        throw mismatch(file, `has shape ${actual} but input '${spec.name}' has shape ${shapeText(shape)} (dim ${axis} must be ${d})`);
      }
      if (typeof d === 'string' && d !== '') {
        const seen = symbols.get(d);
        if (seen && seen.size !== size) {
          throw mismatch(file, `has shape ${actual}, giving dim '${d}' the size ${size}, but input '${seen.input}' gives it ${seen.size}`);
        }
        if (!seen) symbols.set(d, { size, input: spec.name });
      }
    });
  }
}
