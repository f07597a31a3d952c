/**
 * The one place mlserve creates onnxruntime sessions. Thread counts are always chosen on purpose
 * (onnxruntime-node defaults to one intra-op thread on this kind of machine), and onnxruntime's
 * own warnings are kept off the user's terminal unless asked for.
 */
import ort from 'onnxruntime-node';

export type OrtSession = ort.InferenceSession;
export type OrtTensor = ort.Tensor;
export { ort };

export interface SessionOptions {
  /** Intra-op threads; default 1 so tests and checks never fight over the machine's cores. */
  threads?: number;
  /** 'disabled' runs the graph exactly as written: what a rewrite check wants to compare. */
  graphOptimizationLevel?: 'disabled' | 'basic' | 'extended' | 'all';
  executionProviders?: string[];
  /** 0 verbose … 4 fatal; default 4: failures reach the user as the exceptions mlserve reports, not as log noise. */
  logSeverityLevel?: 0 | 1 | 2 | 3 | 4;
  /** Where onnxruntime should write the model after its own optimizations. */
  optimizedModelFilePath?: string;
}

export async function createSession(model: Uint8Array | string, options: SessionOptions = {}): Promise<OrtSession> {
  const sessionOptions: ort.InferenceSession.SessionOptions = {
    intraOpNumThreads: options.threads ?? 1,
    interOpNumThreads: 1,
    graphOptimizationLevel: options.graphOptimizationLevel ?? 'all',
    executionProviders: options.executionProviders ?? ['cpu'],
    logSeverityLevel: options.logSeverityLevel ?? 4,
  };
  if (options.optimizedModelFilePath) sessionOptions.optimizedModelFilePath = options.optimizedModelFilePath;
  return typeof model === 'string'
    ? ort.InferenceSession.create(model, sessionOptions)
    : ort.InferenceSession.create(model, sessionOptions);
}
