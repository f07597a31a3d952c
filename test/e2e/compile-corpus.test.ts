/**
 * `compile` on every corpus model: cpu at batch 1 and 2, with the check against the source on one random
 * input. Every model yields a bundle whose hashes verify and whose variants each passed the check, and a
 * batch size is skipped only for a reason the model gives:
 *  - a model whose inputs declare no symbolic batch dim takes one fixed batch (most TensorFlow and
 *    Caffe2 exports here);
 *  - Silero VAD v4 runs its If only at batch 1, and the ViT segmenter reshapes to batch 1;
 *  - Silero VAD v5 builds no variant at all: with its input shape fixed, onnxruntime's own static
 *    inference fails inside the If branch the model never takes at run time.
 * The corpus entry's shapes fix the other dims (the transformer fixture's `seq` gets 16 here).
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import { compile } from '../../src/compile/compile.js';
import { verifyBundle } from '../../src/compile/verify-bundle.js';
import type { MlserveError } from '../../src/errors.js';
import { corpus } from '../support/corpus.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'mlserve-compile-corpus-'));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** Models that build batch 1 only, and why batch 2 is skipped (a pattern of the skip reason). */
const BATCH_1_ONLY: Record<string, RegExp> = {
  'silero-vad-v4': /onnxruntime cannot run this model/,
  'vit_medsegm/model': /cannot be reshaped to the requested shape/,
};
const FIXED_BATCH = /no input has a symbolic leading \(batch\) dim/;
const EXTRA_SHAPES: Record<string, Record<string, number[]>> = { 'fixture:transformer_block': { hidden_states: [1, 16, 64] } };

describe('compile on every corpus model', () => {
  for (const entry of corpus().filter((e) => !e.notRunnable)) {
    test(entry.name, async (t) => {
      const output = path.join(tmp, entry.name.replace(/[^A-Za-z0-9_.-]+/g, '_'));
      const shapes = new Map(Object.entries({ ...entry.shapes, ...EXTRA_SHAPES[entry.name] }));
      const run = compile(entry.file, { output, batchSizes: [1, 2], inputShapes: shapes, check: 1 });
      if (entry.name === 'silero-vad-v5') {
        await assert.rejects(run, (e: MlserveError) => {
          assert.equal(e.code, 'MLS_ERR_COMPILE_NO_VARIANTS');
          assert.match(e.message, /TypeInferenceError/);
          return true;
        });
        return;
      }
      const { manifest, skipped } = await run;
      assert.ok(verifyBundle(output).ok, 'every variant file matches the manifest');
      // A variant outside the tolerance fails the compile, so each one listed passed its check.
      for (const v of manifest.variants) assert.equal(v.check?.runs, 1, `${v.id} was checked on one input`);
      const built = manifest.variants.map((v) => v.batchSize);
      if (skipped.length === 0) {
        assert.deepEqual(built, [1, 2]);
      } else {
        assert.deepEqual(skipped.map((s) => s.batchSize), [2]);
        const expected = BATCH_1_ONLY[entry.name] ?? FIXED_BATCH;
        assert.match(skipped[0]!.reason, expected);
        assert.equal(built.length, 1);
      }
      t.diagnostic(`built batch ${built.join(',')}${skipped.length ? `; batch 2 skipped: ${skipped[0]!.reason.slice(0, 90)}` : ''}`);
    });
  }
});
