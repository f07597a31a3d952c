/**
 * Test harness for the engine: build a small model with the ModelBuilder, run inferShapes on it, and
 * read back the type of any value (main graph or subgraph) by name.
 */
import { ModelBuilder, type ModelBuilderOptions } from '../../../src/ir/model-builder.js';
import { modelFromProto } from '../../../src/ir/model-from-proto.js';
import type { Model } from '../../../src/ir/model.js';
import type { TensorType } from '../../../src/ir/tensor-type.js';
import type { Value } from '../../../src/ir/value.js';
import { inferShapes, type InferShapesOptions, type ShapeInferenceReport } from '../../../src/ops/shape-inference/infer-shapes.js';

export interface Inferred {
  model: Model;
  report: ShapeInferenceReport;
  /** The value named `name` in any graph of the model. */
  value(name: string): Value;
  /** `value(name).type`: declared facts merged with inference. */
  type(name: string): TensorType | undefined;
  /** Just the shape of `type(name)`. */
  shape(name: string): TensorType['shape'];
}

export function buildModel(build: (b: ModelBuilder) => void, options: ModelBuilderOptions = {}): Model {
  const b = new ModelBuilder({ opset: 17, ...options });
  build(b);
  return modelFromProto(b.build(), 'test');
}

export function inferModel(build: (b: ModelBuilder) => void, options: ModelBuilderOptions & InferShapesOptions = {}): Inferred {
  const { inputShapes, inputValues, ...builderOptions } = options;
  return inferred(buildModel(build, builderOptions), { inputShapes, inputValues });
}

export function inferred(model: Model, options: InferShapesOptions = {}): Inferred {
  const report = inferShapes(model, options);
  const value = (name: string): Value => {
    for (const g of model.graph.allGraphs()) {
      const v = g.values.get(name);
      if (v) return v;
    }
    throw new Error(`no value '${name}' in the model`);
  };
  return { model, report, value, type: (name) => value(name).type, shape: (name) => value(name).type?.shape };
}
