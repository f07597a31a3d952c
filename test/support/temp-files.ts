/**
 * Temporary files for a test file: one folder per process, removed when the test file ends; every
 * path is fresh (a counter prefix), so tests never overwrite each other's files.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after } from 'node:test';
import { encodeModel } from '../../src/onnx/codec.js';
import type { ModelProto } from '../../src/onnx/proto-types.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'mlserve-test-'));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));
let counter = 0;

/** A fresh temporary path (nothing is created there). */
export function tempPath(name: string): string {
  return path.join(tmp, `${counter++}-${name}`);
}

/** Writes a model (built or already encoded) to a fresh `NAME.onnx` and returns its path. */
export function writeTemp(model: ModelProto | Uint8Array, name = 'model'): string {
  const file = tempPath(`${name}.onnx`);
  fs.writeFileSync(file, model instanceof Uint8Array ? model : encodeModel(model));
  return file;
}
