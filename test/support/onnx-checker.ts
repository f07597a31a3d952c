/**
 * The official ONNX checker (Debian's python3-onnx) as an outside judge of what we write.
 * One Python process checks a batch of files. The model is loaded first and the loaded model passed
 * to the checker: given a path, this onnx version writes the shape-inferred model back over the file.
 */
import { spawnSync } from 'node:child_process';

const SCRIPT = `
import json, sys, onnx
out = {}
for path in sys.argv[1:]:
    try:
        onnx.checker.check_model(onnx.load(path), full_check=True)
        out[path] = None
    except Exception as e:
        out[path] = (type(e).__name__ + ': ' + str(e)).splitlines()[0][:300]
print(json.dumps(out))
`;

export function onnxCheckerAvailable(): boolean {
  return spawnSync('/usr/bin/python3', ['-c', 'import onnx'], { stdio: 'ignore' }).status === 0;
}

/** For each path: null when the checker accepts the model, else its first error line. */
export function checkModels(paths: string[]): Record<string, string | null> {
  const r = spawnSync('/usr/bin/python3', ['-c', SCRIPT, ...paths], { encoding: 'utf8', maxBuffer: 16 << 20 });
  if (r.status !== 0) throw new Error(`onnx checker failed to run: ${r.stderr}`);
  return JSON.parse(r.stdout) as Record<string, string | null>;
}
