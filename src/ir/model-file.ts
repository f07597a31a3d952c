/**
 * Loading and saving models as IR: the public `loadModel` and `saveModel`.
 */
import type { ModelProto } from '../onnx/proto-types.js';
import { readModelFile } from '../onnx/read-model-file.js';
import { writeModelFile, type WriteModelOptions, type WriteResult } from '../onnx/write-model-file.js';
import { Model } from './model.js';
import { modelFromProto } from './model-from-proto.js';

/** Reads an ONNX file (external data included) into the graph IR. Throws MlserveError on bad input. */
export function loadModel(file: string): Model {
  return modelFromProto(readModelFile(file), file);
}

export type SaveModelOptions = WriteModelOptions;

/** Writes a model atomically; tensors over `externalData.thresholdBytes` go to a side file. */
export function saveModel(model: Model | ModelProto, file: string, options: SaveModelOptions = {}): WriteResult {
  return writeModelFile(model instanceof Model ? model.toProto() : model, file, options);
}
