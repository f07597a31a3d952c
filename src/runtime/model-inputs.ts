/**
 * What a model must be fed: its graph inputs that are not initializers (IR < 4 models list weights as
 * inputs too; feeding them is optional, and replacing them would change the model).
 */
import type { Model } from '../ir/model.js';
import type { InputSpec } from './random-inputs.js';

export function modelInputSpecs(model: Model): InputSpec[] {
  return model.graph.inputs
    .filter((v) => !v.isInitializer)
    .map((v) => ({ name: v.name, dtype: v.type?.dtype ?? 0, shape: v.type?.shape }));
}
