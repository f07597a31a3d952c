import { test } from 'node:test';
import assert from 'node:assert/strict';
import ort from 'onnxruntime-node';
import { AttributeType, attributeValue } from '../../src/ir/attribute-value.js';
import { float, floats, int, ints, makeTensorProto, ModelBuilder, strings, toAttribute } from '../../src/ir/model-builder.js';
import { readTensorData } from '../../src/ir/tensor-data.js';
import { decodeModel, encodeModel } from '../../src/onnx/codec.js';
import type { AttributeProto, ModelProto } from '../../src/onnx/proto-types.js';
import { int64ToNumber } from '../../src/onnx/tensor-size-check.js';

const has = (o: object, field: string) => Object.prototype.hasOwnProperty.call(o, field);
const roundTrip = (m: ModelProto) => decodeModel(encodeModel(m));

async function runModel(m: ModelProto, feeds: Record<string, ort.Tensor>): Promise<Record<string, ort.Tensor>> {
  const session = await ort.InferenceSession.create(encodeModel(m), { intraOpNumThreads: 1, interOpNumThreads: 1, logSeverityLevel: 3 });
  try {
    return await session.run(feeds);
  } finally {
    await session.release();
  }
}

test('a built model runs in onnxruntime and computes what its nodes say (Gemm alpha/beta as floats, transB)', async () => {
  const b = new ModelBuilder({ opset: 17 });
  const x = b.input('x', 'float32', ['batch', 2]);
  const w = b.initializer('w', 'float32', [3, 2], [1, 2, 3, 4, 5, 6]);
  const c = b.initializer('c', 'float32', [3], [10, 20, 30]);
  const y = b.node('Gemm', [x, w, c], { alpha: 1, beta: 0.5, transB: 1 }, { output: 'y' });
  b.output(y, 'float32', ['batch', 3]);
  const out = await runModel(b.build(), { x: new ort.Tensor('float32', Float32Array.of(1, 1, 2, -1), [2, 2]) });
  // row 1: [1+2, 3+4, 5+6] + c/2; row 2: [2-2, 6-4, 10-6] + c/2
  assert.deepEqual([...(out.y!.data as Float32Array)], [8, 17, 26, 5, 12, 19]);
  assert.deepEqual(out.y!.dims, [2, 3]);
});

test('attribute kinds follow the JS value, known float attributes stay FLOAT, and wrappers make any kind explicit', () => {
  const kind = (a: AttributeProto) => a.type;
  assert.equal(kind(toAttribute('axis', 1)), AttributeType.INT);
  assert.equal(kind(toAttribute('alpha', 1)), AttributeType.FLOAT, 'alpha is a float attribute of the standard ops');
  assert.equal(kind(toAttribute('alpha', 1, 'com.example')), AttributeType.INT, 'custom domains get no name-based guess');
  assert.equal(kind(toAttribute('ratio', 0.5, 'com.example')), AttributeType.FLOAT, 'a fraction is always FLOAT');
  assert.equal(kind(toAttribute('x', float(2))), AttributeType.FLOAT);
  assert.equal(kind(toAttribute('alpha', int(2))), AttributeType.INT);
  assert.equal(kind(toAttribute('pads', [1, 1, 0, 0])), AttributeType.INTS);
  assert.equal(kind(toAttribute('pads', [1, 1.5])), AttributeType.FLOATS);
  assert.equal(kind(toAttribute('scales', [1, 2])), AttributeType.FLOATS);
  assert.equal(kind(toAttribute('p', floats([1, 2]))), AttributeType.FLOATS);
  assert.equal(kind(toAttribute('p', ints([]))), AttributeType.INTS);
  assert.equal(kind(toAttribute('keepdims', true)), AttributeType.INT);
  assert.equal(kind(toAttribute('mode', 'constant')), AttributeType.STRING);
  assert.equal(kind(toAttribute('names', ['a', 'b'])), AttributeType.STRINGS);
  assert.equal(kind(toAttribute('names', strings([]))), AttributeType.STRINGS);
  assert.equal(kind(toAttribute('value', makeTensorProto(undefined, 'float32', [1], [1]))), AttributeType.TENSOR);
  assert.throws(() => toAttribute('pads', []), /empty list has no type/);
  assert.throws(() => toAttribute('mixed', [1, 'a'] as unknown as number[]), /only numbers or only strings/);

  assert.equal(attributeValue(toAttribute('keepdims', false)), 0);
  assert.deepEqual(attributeValue(toAttribute('perm', [0, 2, 1])), [0, 2, 1]);
  assert.equal(attributeValue(toAttribute('mode', 'reflect')), 'reflect');
});

test('fields the builder does not set stay absent on the wire; undefined attributes are left out', () => {
  const b = new ModelBuilder();
  const x = b.input('x', 'float32', [2]);
  b.output(b.node('Relu', [x], { unused: undefined }), 'float32', [2]);
  const m = roundTrip(b.build());
  const node = m.graph!.node[0]!;
  for (const field of ['domain', 'overload', 'doc_string']) assert.ok(!has(node, field), `node.${field} is absent`);
  assert.deepEqual(node.attribute, []);
  for (const field of ['producer_name', 'producer_version', 'domain', 'model_version', 'doc_string']) assert.ok(!has(m, field), `model.${field} is absent`);
  assert.equal(int64ToNumber(m.ir_version!), 8);
  assert.deepEqual(m.opset_import.map((o) => [o.domain, int64ToNumber(o.version!)]), [['', 17]]);
  // Re-encoding the decoded model gives the same bytes: nothing was invented on the way.
  assert.deepEqual(encodeModel(m), encodeModel(b.build()));
});

test('names: default node and output names, several and named outputs, omitted optional inputs and outputs', () => {
  const b = new ModelBuilder();
  const x = b.input('x', 'float32', [4, 6]);
  const r = b.node('Relu', [x]);
  assert.equal(r, 'Relu_0_output_0');
  assert.equal(b.node('Relu', [r]), 'Relu_1_output_0');
  const parts = b.node('Split', [x], { axis: 1, num_outputs: 2 }, { outputs: 2 });
  assert.deepEqual(parts, ['Split_0_output_0', 'Split_0_output_1']);
  const named = b.node('Split', [x], { axis: 1, num_outputs: 3 }, { name: 'three', outputs: ['a', 'b', 'c'] });
  assert.deepEqual(named, ['a', 'b', 'c']);
  const single = b.node('Identity', [x], {}, { output: 'copy' });
  assert.equal(single, 'copy');
  const clip = b.node('Clip', [x, '', b.constant('float32', [], [1])]);
  const dropout = b.node('Dropout', [clip], {}, { outputs: ['dropped', ''] });
  assert.deepEqual(dropout, ['dropped', '']);
  const m = b.build();
  const clipNode = m.graph!.node.find((n) => n.op_type === 'Clip')!;
  assert.equal(clipNode.input[1], '');
  assert.deepEqual(m.graph!.node.find((n) => n.op_type === 'Dropout')!.output, ['dropped', '']);
  assert.equal(m.graph!.node.find((n) => n.op_type === 'Split' && n.name === 'three')!.output.length, 3);
});

test('mistakes fail where they are made: undefined inputs, redefined values, reused node names, bad tensor data', () => {
  const b = new ModelBuilder();
  const x = b.input('x', 'float32', [2]);
  assert.throws(() => b.node('Relu', ['y']), /reads 'y', which is not defined/);
  assert.throws(() => b.input('x', 'float32', [2]), /'x' is already defined/);
  assert.throws(() => b.node('Relu', [x], {}, { output: 'x' }), /'x' is already defined/);
  b.node('Relu', [x], {}, { name: 'r' });
  assert.throws(() => b.node('Relu', [x], {}, { name: 'r' }), /node name 'r' is already used/);
  assert.throws(() => b.output('nope'), /'nope' is not defined/);
  assert.throws(() => b.initializer('w', 'float32', [2, 2], [1, 2, 3]), /need 4 values, got 3/);
  assert.throws(() => b.initializer('w', 'float99', [1], [1]), /unknown ONNX data type 'float99'/);
  // A failed call leaves no trace: 'w' and 'p' are still free.
  assert.equal(b.initializer('w', 'int64', [2], [1, 2]), 'w');
  assert.throws(() => b.node('Pad', [x], { pads: [] }, { output: 'p' }), /empty list/);
  assert.equal(b.node('Relu', [x], {}, { output: 'p' }), 'p');
});

test('addNode copies existing nodes as they are, under the same name checks', async () => {
  const source = new ModelBuilder();
  const a = source.input('a', 'float32', [3]);
  const c = source.constant('float32', [3], [1, 2, 3], { name: 'k', output: 'k_out' });
  source.node('Mul', [a, c], {}, { name: 'scale', output: 'scaled', metadata: { keep: 'me' } });
  const [constNode, mulNode] = source.build().graph!.node;

  const b = new ModelBuilder();
  assert.throws(() => b.addNode(mulNode!), /reads 'a', which is not defined/);
  b.input('a', 'float32', [3]);
  assert.deepEqual(b.addNode(constNode!), ['k_out']);
  assert.throws(() => b.addNode(constNode!), /'k_out' is already defined/);
  assert.deepEqual(b.addNode(mulNode!), ['scaled']);
  b.output('scaled', 'float32', [3]);
  const m = b.build();
  assert.equal(m.graph!.node[1], mulNode, 'the very same message, metadata and all');
  const out = await runModel(m, { a: new ort.Tensor('float32', Float32Array.of(2, 2, 2), [3]) });
  assert.deepEqual([...(out.scaled!.data as Float32Array)], [2, 4, 6]);
});

test('tensors: raw_data holds the little-endian values for float32, int64 and bool; Constant values carry no name', () => {
  const f = makeTensorProto('f', 'float32', [2], Float32Array.of(1.5, -2));
  assert.deepEqual([...readTensorData(f)], [1.5, -2]);
  assert.deepEqual([...f.raw_data!], [0, 0, 0xc0, 0x3f, 0, 0, 0, 0xc0]);
  const i = makeTensorProto('i', 'int64', [2], [1, -1]);
  assert.deepEqual([...readTensorData(i)], [1n, -1n]);
  const flags = makeTensorProto('b', 'bool', [3], [true, false, true]);
  assert.deepEqual([...flags.raw_data!], [1, 0, 1]);

  const b = new ModelBuilder();
  const c = b.constant('int64', [3], [0, 1, 2], { output: 'idx' });
  b.output(c, 'int64', [3]);
  const m = roundTrip(b.build());
  const value = m.graph!.node[0]!.attribute[0]!;
  assert.equal(value.name, 'value');
  assert.equal(value.type, AttributeType.TENSOR);
  assert.ok(!has(value.t!, 'name'));
  assert.deepEqual([...readTensorData(value.t!)], [0n, 1n, 2n]);
});

test('value types: fixed, symbolic and unknown dims; no shape (unknown rank); untyped subgraph outputs', () => {
  const b = new ModelBuilder();
  const x = b.input('x', 'float32', ['batch', 3, null]);
  const y = b.input('y', 'int64');
  b.valueInfo(b.node('Relu', [x], {}, { output: 'r' }), 'float32', ['batch', 3, null]);
  b.output(y, 'int64');
  const m = roundTrip(b.build());
  const dims = m.graph!.input[0]!.type!.tensor_type!.shape!.dim;
  assert.equal(dims[0]!.dim_param, 'batch');
  assert.equal(int64ToNumber(dims[1]!.dim_value!), 3);
  assert.ok(!has(dims[2]!, 'dim_value') && !has(dims[2]!, 'dim_param'));
  assert.ok(!has(m.graph!.input[1]!.type!.tensor_type!, 'shape'), 'no shape means unknown rank');
  assert.equal(m.graph!.value_info[0]!.name, 'r');

  const body = b.subgraph('body');
  body.output(body.node('Identity', [x], {}, { output: 'same' }));
  assert.ok(!has(body.claim('this test').output[0]!, 'type'), 'a subgraph output may be left untyped');
});

test('subgraphs read outer-scope values, share the model\'s SSA namespace, and freeze once used', async () => {
  const b = new ModelBuilder();
  const x = b.input('x', 'float32', [2]);
  const cond = b.input('cond', 'bool', []);
  const three = b.constant('float32', [], [3], { output: 'three' });
  const thenG = b.subgraph('then');
  thenG.output(thenG.node('Mul', [x, three], {}, { output: 'then_y' }), 'float32', [2]);
  const elseG = b.subgraph('else');
  elseG.output(elseG.node('Neg', [x], {}, { output: 'else_y' }), 'float32', [2]);
  assert.throws(() => elseG.node('Relu', [x], {}, { output: 'then_y' }), /'then_y' is already defined in this model/);
  assert.throws(() => b.node('Relu', ['then_y']), /not defined/, 'a subgraph value is not visible outside it');
  const y = b.node('If', [cond], { then_branch: thenG, else_branch: elseG }, { output: 'y' });
  assert.throws(() => thenG.node('Relu', [x]), /already used by attribute 'then_branch'/);
  assert.throws(() => b.node('If', [cond], { then_branch: b, else_branch: elseG }), /main graph cannot be used/);
  b.output(y, 'float32', [2]);
  const m = b.build();
  const ifNode = m.graph!.node.find((n) => n.op_type === 'If')!;
  assert.deepEqual(ifNode.attribute.map((a) => [a.name, a.type, a.g!.name]), [['then_branch', AttributeType.GRAPH, 'then'], ['else_branch', AttributeType.GRAPH, 'else']]);

  const xs = new ort.Tensor('float32', Float32Array.of(1, -2), [2]);
  const yes = await runModel(m, { x: xs, cond: new ort.Tensor('bool', [true], []) });
  const no = await runModel(m, { x: xs, cond: new ort.Tensor('bool', [false], []) });
  assert.deepEqual([...(yes.y!.data as Float32Array)], [3, -6]);
  assert.deepEqual([...(no.y!.data as Float32Array)], [-1, 2]);
});

test('model-local functions: domain imported, overload, attribute defaults, ref_attr_name; callers pick the overload', async () => {
  const b = new ModelBuilder({ irVersion: 10, producer: 'test' });
  const addScaled = (overload: string | undefined, scaleOp: 'Mul' | 'Div') => {
    const f = b.function('com.example', 'Scale', { overload });
    const fx = f.input('X');
    f.attribute('k', float(2));
    const k = f.node('Constant', [], { value_float: f.ref('k', 'float') });
    f.output(f.node(scaleOp, [fx, k], {}, { output: 'Y' }));
  };
  addScaled(undefined, 'Mul');
  addScaled('divide', 'Div');
  assert.throws(() => b.function('com.example', 'Scale', { overload: 'divide' }), /already defined/);
  const x = b.input('x', 'float32', [2]);
  const a = b.node('Scale', [x], { k: float(4) }, { domain: 'com.example', metadata: { why: 'test' } });
  const d = b.node('Scale', [x], {}, { domain: 'com.example', overload: 'divide' });
  b.output(b.node('Concat', [a, d], { axis: 0 }, { output: 'y' }), 'float32', [4]);
  const m = roundTrip(b.build());

  assert.deepEqual(m.opset_import.map((o) => [o.domain, int64ToNumber(o.version!)]), [['', 17], ['com.example', 1]]);
  assert.deepEqual(m.functions.map((f) => f.overload), [undefined, 'divide']);
  assert.deepEqual(m.functions[0]!.opset_import.map((o) => [o.domain, int64ToNumber(o.version!)]), [['', 17]]);
  assert.deepEqual(m.functions[0]!.attribute_proto.map((p) => [p.name, p.type, p.f]), [['k', AttributeType.FLOAT, 2]]);
  const ref = m.functions[0]!.node[0]!.attribute[0]!;
  assert.deepEqual([ref.name, ref.ref_attr_name, ref.type], ['value_float', 'k', AttributeType.FLOAT]);
  assert.deepEqual(m.graph!.node[0]!.metadata_props.map((p) => [p.key, p.value]), [['why', 'test']]);
  assert.equal(m.graph!.node[1]!.overload, 'divide');

  const out = await runModel(m, { x: new ort.Tensor('float32', Float32Array.of(1, 6), [2]) });
  assert.deepEqual([...(out.y!.data as Float32Array)], [4, 24, 0.5, 3], 'k=4 through Mul, then the default k=2 through Div');
});

test('model options: producer, doc strings, extra opset imports and metadata are written as given', () => {
  const b = new ModelBuilder({ opset: 13, irVersion: 7, producer: 'p', producerVersion: '1.0', domain: 'ai.example', modelVersion: 3, docString: 'doc', graphName: 'g', opsetImports: { 'com.microsoft': 1 } });
  b.metadata('author', 'me');
  b.graphMetadata('stage', 'test');
  b.output(b.input('x', 'float32', [1]), 'float32', [1]);
  const m = roundTrip(b.build());
  assert.equal(int64ToNumber(m.ir_version!), 7);
  assert.deepEqual([m.producer_name, m.producer_version, m.domain, int64ToNumber(m.model_version!), m.doc_string, m.graph!.name], ['p', '1.0', 'ai.example', 3, 'doc', 'g']);
  assert.deepEqual(m.opset_import.map((o) => [o.domain, int64ToNumber(o.version!)]), [['', 13], ['com.microsoft', 1]]);
  assert.deepEqual(m.metadata_props.map((p) => [p.key, p.value]), [['author', 'me']]);
  assert.deepEqual(m.graph!.metadata_props.map((p) => [p.key, p.value]), [['stage', 'test']]);
});
