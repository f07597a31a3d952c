/**
 * Fixed shapes: `--input-shape name=1,3,224,224` sets an input's whole shape; `--fix-dim batch=1`
 * replaces a symbolic dim by name wherever the model declares it (inputs, outputs, value_info), so
 * shape inference and folding can then treat the dims as constants.
 */
import { MlserveError } from '../errors.js';
import type { Model } from '../ir/model.js';
import { tensorTypeFromProto, tensorTypeToProto, type Shape } from '../ir/tensor-type.js';
import type { Value } from '../ir/value.js';

export interface FixedShapes {
  inputShapes?: Map<string, number[]>;
  fixDims?: Record<string, number>;
}

export function fixInputShapes(model: Model, fixed: FixedShapes): void {
  const realInputs = model.graph.inputs.filter((v) => !v.isInitializer);
  for (const [name, shape] of fixed.inputShapes ?? []) {
    const input = realInputs.find((v) => v.name === name);
    if (!input) {
      throw new MlserveError('MLS_ERR_INPUT_NOT_IN_MODEL', {
        file: model.source, option: '--input-shape', input: name, inputs: realInputs.map((v) => v.name).join(', '),
      });
    }
    const declared = tensorTypeFromProto(input.declaredType);
    if (declared?.shape && declared.shape.length !== shape.length) {
      throw new MlserveError('MLS_ERR_INVALID_ARGUMENT', {
        option: '--input-shape', value: `${name}=${shape.join(',')}`, reason: `input '${name}' has rank ${declared.shape.length}`,
      });
    }
    declared?.shape?.forEach((d, i) => {
      if (typeof d === 'number' && d !== shape[i]) {
        throw new MlserveError('MLS_ERR_INVALID_ARGUMENT', {
          option: '--input-shape', value: `${name}=${shape.join(',')}`, reason: `dim ${i} of '${name}' is fixed at ${d}`,
        });
      }
    });
    setShape(input, shape);
  }
  const dims = fixed.fixDims ?? {};
  if (Object.keys(dims).length === 0) return;
  for (const graph of model.graph.allGraphs()) {
    for (const v of [...graph.inputs, ...graph.outputs, ...graph.valueInfos]) {
      const type = tensorTypeFromProto(v.declaredType);
      if (!type?.shape?.some((d) => typeof d === 'string' && d in dims)) continue;
      setShape(v, type.shape.map((d) => (typeof d === 'string' && d in dims ? dims[d]! : d)));
    }
  }
}

function setShape(value: Value, shape: Shape): void {
  const dtype = tensorTypeFromProto(value.declaredType)?.dtype ?? value.type?.dtype ?? 0;
  const denotation = value.declaredType?.denotation;
  value.declaredType = tensorTypeToProto({ dtype, shape });
  if (denotation !== undefined) value.declaredType.denotation = denotation;
}
