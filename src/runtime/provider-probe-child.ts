/**
 * `node provider-probe-child.js PROVIDER`: creates and runs a one-node session (Relu on 4 floats) on
 * an onnxruntime-node execution provider and prints one JSON line, `{"ok":true}` or
 * `{"ok":false,"reason":…}`. Run as a child by providers.ts, so native warnings stay out of sight.
 */
import { ModelBuilder } from '../ir/model-builder.js';
import { encodeModel } from '../onnx/codec.js';
import { createSession, ort } from './ort-session.js';

async function probe(provider: string): Promise<{ ok: true } | { ok: false; reason: string }> {
  const b = new ModelBuilder({ opset: 17 });
  const x = b.input('x', 'float32', [4]);
  b.output(b.node('Relu', [x], {}, { output: 'y' }), 'float32', [4]);
  try {
    const session = await createSession(encodeModel(b.build()), { executionProviders: [provider] });
    await session.run({ x: new ort.Tensor('float32', new Float32Array([-1, 0, 1, 2]), [4]) });
    await session.release();
    return { ok: true };
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    // onnxruntime prefixes the source location; the sentence after it is what a user can act on.
    const line = message.split('\n').map((s) => s.trim()).find(Boolean) ?? 'unknown error';
    return { ok: false, reason: line.replace(/^\S+:\d+ \S+.*? was false\. /, '').replace(/^\/onnxruntime_src\/\S+ /, '') };
  }
}

const provider = process.argv[2] ?? 'cpu';
process.stdout.write(`${JSON.stringify(await probe(provider))}\n`);
process.exit(0);
