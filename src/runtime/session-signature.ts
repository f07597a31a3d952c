/**
 * The inputs and outputs of a live session as onnxruntime sees them: names, element types and shapes
 * whose dims are numbers (fixed) or null (dynamic: symbolic or unknown). Read from the session rather than
 * from the file so what the server promises is exactly what the runtime accepts.
 */
import type { OrtSession } from './ort-session.js';

export interface TensorSignature {
  name: string;
  /** onnxruntime's type name ('float32', 'int64', …); 'unknown' for non-tensor values. */
  dtype: string;
  /** null for a dynamic dim. onnxruntime reports an unknown rank as [], like a scalar. */
  shape: Array<number | null>;
}

export interface SessionSignature {
  inputs: TensorSignature[];
  outputs: TensorSignature[];
}

export function sessionSignature(session: OrtSession): SessionSignature {
  const convert = (m: OrtSession['inputMetadata'][number]): TensorSignature => {
    if (!m.isTensor) return { name: m.name, dtype: 'unknown', shape: [] };
    return {
      name: m.name,
      dtype: m.type,
      // onnxruntime reports a symbolic dim as its name (possibly ''), a fixed one as a number.
      shape: m.shape.map((d) => (typeof d === 'number' && d >= 0 ? d : null)),
    };
  };
  return { inputs: session.inputMetadata.map(convert), outputs: session.outputMetadata.map(convert) };
}
