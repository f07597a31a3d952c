import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { duplicateShapeRules, resolveShapeRule, ruleResolver, SHAPE_RULE_FILES } from '../../../src/ops/shape-inference/registry.js';
import type { ShapeRule } from '../../../src/ops/shape-inference/shape-rule.js';
import { repoRoot } from '../../support/corpus.js';

describe('shape rule registry', () => {
  it('registers every rule file in the folder (no file is forgotten)', () => {
    const dir = path.join(repoRoot, 'src', 'ops', 'shape-inference');
    const files = fs.readdirSync(dir).filter((f) => f.endsWith('.ts') && /export const rules\b/.test(fs.readFileSync(path.join(dir, f), 'utf8')));
    assert.deepEqual(Object.keys(SHAPE_RULE_FILES).sort(), files.sort());
  });

  it('has no op registered twice', () => {
    assert.deepEqual(duplicateShapeRules(), []);
  });

  it('resolves ai.onnx under either spelling, and other domains by name', () => {
    assert.ok(resolveShapeRule('', 'Reshape', 17));
    assert.equal(resolveShapeRule('ai.onnx', 'Reshape', 17), resolveShapeRule('', 'Reshape', 17));
    assert.ok(resolveShapeRule('com.microsoft', 'FusedConv', 1));
    assert.equal(resolveShapeRule('com.example', 'Reshape', 17), undefined);
    assert.equal(resolveShapeRule('', 'NoSuchOp', 17), undefined);
  });

  it('picks the newest entry whose sinceOpset is at or below the opset', () => {
    const v1: ShapeRule = () => [];
    const v13: ShapeRule = () => [];
    const resolve = ruleResolver([
      { domain: '', opType: 'Op', rule: v1 },
      { domain: '', opType: 'Op', sinceOpset: 13, rule: v13 },
      { domain: '', opType: 'Later', sinceOpset: 18, rule: v13 },
    ]);
    assert.equal(resolve('', 'Op', 12), v1);
    assert.equal(resolve('', 'Op', 13), v13);
    assert.equal(resolve('', 'Op', 21), v13);
    assert.equal(resolve('', 'Later', 17), undefined);
  });
});
