/**
 * Which values a pass may treat as constants, and their tensors. A value is constant when it is an
 * initializer that callers cannot replace. From IR 4 on, listing an initializer as a graph input
 * too is a choice that makes it a default callers may override, so such initializers are not
 * constant unless `foldInitializerInputs` says to treat them as fixed. Before IR 4 the format
 * obliged every initializer to be listed as an input, so the listing says nothing about overriding:
 * there they are constants (onnxruntime treats them so as well, and does not offer them as inputs).
 * A Constant node's output is constant as well (constantTensor reads it).
 */
import { makeTensor } from '../ir/tensor-data.js';
import type { Value } from '../ir/value.js';
import { DataType } from '../onnx/data-type.js';
import type { TensorProto } from '../onnx/proto-types.js';
import type { PassOptions } from './pass.js';

/** An initializer the model's callers cannot override (see the file header). */
export function isConstantInitializer(value: Value, options: Pick<PassOptions, 'foldInitializerInputs'>): boolean {
  if (!value.initializer) return false;
  if (!value.isGraphInput || value.graph.model.irVersion < 4) return true;
  return options.foldInitializerInputs;
}

/**
 * The tensor behind a constant value: a constant initializer, or the output of a Constant node
 * (`value`, `value_float(s)`, `value_int(s)`; sparse and string forms give undefined).
 */
export function constantTensor(value: Value | undefined, options: Pick<PassOptions, 'foldInitializerInputs'>): TensorProto | undefined {
  if (!value) return undefined;
  if (value.initializer) return isConstantInitializer(value, options) ? value.initializer : undefined;
  const node = value.producer;
  if (!node || node.opType !== 'Constant' || node.domain !== '') return undefined;
  const tensor = node.attributeValue('value');
  if (tensor && !Array.isArray(tensor) && typeof tensor === 'object') return tensor as TensorProto;
  const f = node.attribute('value_float');
  if (f) return makeTensor(value.name, DataType.FLOAT!, [], [node.floatAttribute('value_float', 0)]);
  const fs = node.attributeValue('value_floats');
  if (Array.isArray(fs) && node.hasAttribute('value_floats')) return makeTensor(value.name, DataType.FLOAT!, [fs.length], fs as number[]);
  if (node.hasAttribute('value_int')) return makeTensor(value.name, DataType.INT64!, [], [BigInt(node.intAttribute('value_int', 0))]);
  const is = node.intsAttribute('value_ints');
  if (is && node.hasAttribute('value_ints')) return makeTensor(value.name, DataType.INT64!, [is.length], is.map(BigInt));
  return undefined;
}
