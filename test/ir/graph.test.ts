/**
 * The graph IR: linking (producers, uses across subgraph scopes), the editing operations, ordering,
 * and the structural errors a bad file gets.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { createMessage, encodeModel } from '../../src/onnx/codec.js';
import type { GraphProto, ModelProto, NodeProto, ValueInfoProto } from '../../src/onnx/proto-types.js';
import { ModelBuilder } from '../../src/ir/model-builder.js';
import { modelFromProto } from '../../src/ir/model-from-proto.js';
import { createSession } from '../../src/runtime/ort-session.js';
import { ort } from '../../src/runtime/ort-session.js';
import { MlserveError } from '../../src/errors.js';

/** x → Relu → r → Neg → y, plus an If whose branches read r from the outer scope. */
function reluNegWithIf(): ModelProto {
  const b = new ModelBuilder({ opset: 17 });
  b.input('x', 'float32', [2]);
  b.input('flag', 'bool', []);
  const r = b.node('Relu', ['x'], {}, { output: 'r' }) as string;
  b.node('Neg', [r], {}, { output: 'y' });
  const thenBranch = b.subgraph('then');
  thenBranch.node('Identity', [r], {}, { output: 'then_out' });
  thenBranch.output('then_out', 'float32', [2]);
  const elseBranch = b.subgraph('else');
  elseBranch.node('Abs', [r], {}, { output: 'else_out' });
  elseBranch.output('else_out', 'float32', [2]);
  b.node('If', ['flag'], { then_branch: thenBranch, else_branch: elseBranch }, { output: 'z' });
  b.output('y', 'float32', [2]);
  b.output('z', 'float32', [2]);
  return b.build();
}

async function run(proto: ModelProto, feeds: Record<string, ort.Tensor>): Promise<Record<string, number[]>> {
  const session = await createSession(encodeModel(proto));
  const out = await session.run(feeds);
  await session.release();
  return Object.fromEntries(Object.entries(out).map(([k, v]) => [k, Array.from(v.data as Float32Array)]));
}

const feeds = () => ({ x: new ort.Tensor('float32', Float32Array.from([-1, 2]), [2]), flag: new ort.Tensor('bool', Uint8Array.from([1]), []) });

describe('linking', () => {
  test('a value lists every reader, including nodes inside subgraphs that read it from the outer scope', () => {
    const model = modelFromProto(reluNegWithIf(), 'test');
    const r = model.graph.lookup('r')!;
    assert.equal(r.producer?.opType, 'Relu');
    assert.deepEqual(r.uses.map((u) => u.node.opType).sort(), ['Abs', 'Identity', 'Neg']);
    const inner = r.uses.find((u) => u.node.opType === 'Abs')!.node;
    assert.notEqual(inner.graph, model.graph);
    assert.equal(inner.graph.parent, model.graph);
    assert.equal(inner.graph.lookup('x'), model.graph.lookup('x'));
  });

  test('initializers that IR 3 models also list as inputs are one value', () => {
    const b = new ModelBuilder({ opset: 9, irVersion: 3 });
    b.input('x', 'float32', [2]);
    b.initializer('w', 'float32', [2], [1, 2]);
    b.node('Add', ['x', 'w'], {}, { output: 'y' });
    b.output('y', 'float32', [2]);
    const proto = b.build();
    proto.graph!.input.push(createMessage<ValueInfoProto>('ValueInfoProto', { name: 'w' })); // as IR 3 exporters wrote it
    const model = modelFromProto(proto, 'test');
    const w = model.graph.lookup('w')!;
    assert.ok(w.isGraphInput && w.isInitializer);
    assert.equal(model.graph.inputs.filter((v) => !v.isInitializer).length, 1);
  });
});

describe('editing', () => {
  test('replaceAllUsesWith rewires readers in subgraphs too, and the result runs', async () => {
    const model = modelFromProto(reluNegWithIf(), 'test');
    const g = model.graph;
    const x = g.lookup('x')!;
    const r = g.lookup('r')!;
    g.replaceAllUsesWith(r, x);
    g.removeNode(r.producer!);
    assert.equal(g.nodes.some((n) => n.opType === 'Relu'), false);
    assert.equal(x.uses.length, 3);
    const out = await run(model.toProto(), feeds());
    assert.deepEqual(out.y, [1, -2]); // Neg(x) now, not Neg(Relu(x))
    assert.deepEqual(out.z, [-1, 2]);
  });

  test('removeNode refuses while an output is still read', () => {
    const model = modelFromProto(reluNegWithIf(), 'test');
    assert.throws(() => model.graph.removeNode(model.graph.lookup('r')!.producer!), /still used/);
  });

  test('addNode makes unique names and saving puts nodes in a valid order', async () => {
    const model = modelFromProto(reluNegWithIf(), 'test');
    const g = model.graph;
    const r = g.lookup('r')!;
    const neg = g.lookup('y')!.producer!;
    // Appended at the end but read by an earlier node: save must reorder.
    const doubled = g.addNode({ opType: 'Add', inputs: [r, r], outputs: ['r'] });
    assert.notEqual(doubled.outputs[0]!.name, 'r');
    neg.setInput(0, doubled.outputs[0]);
    const proto = model.toProto();
    const order = proto.graph!.node.map((n: NodeProto) => n.op_type);
    assert.ok(order.indexOf('Add') < order.indexOf('Neg'), order.join());
    const out = await run(proto, feeds());
    assert.deepEqual(out.y, [-0, -4]);
  });

  test('node metadata_props, doc strings and a function overload survive a save', () => {
    const b = new ModelBuilder({ opset: 18, irVersion: 10 });
    b.input('x', 'float32', [2]);
    const fn = b.function('local', 'Twice', { overload: 'v2' });
    fn.input('a');
    fn.node('Add', ['a', 'a'], {}, { output: 'b' });
    fn.output('b');
    b.node('Twice', ['x'], {}, { output: 'y', domain: 'local', overload: 'v2', metadata: { origin: 'layer.3' }, docString: 'kept' });
    b.output('y', 'float32', [2]);
    const proto = b.build();
    const model = modelFromProto(proto, 'test');
    model.graph.addNode({ opType: 'Identity', inputs: [model.graph.lookup('y')!], outputs: ['unused'] });
    const saved = model.toProto();
    const node = saved.graph!.node.find((n) => n.op_type === 'Twice')!;
    assert.equal(node.overload, 'v2');
    assert.equal(node.doc_string, 'kept');
    assert.deepEqual(node.metadata_props.map((m) => [m.key, m.value]), [['origin', 'layer.3']]);
    assert.equal(saved.functions[0]!.overload, 'v2');
  });

  test('a chain of 20000 nodes orders without exhausting the stack', () => {
    const b = new ModelBuilder({ opset: 17 });
    let v = b.input('x', 'float32', [1]);
    for (let i = 0; i < 20000; i++) v = b.node('Neg', [v]) as string;
    b.output(v, 'float32', [1]);
    const model = modelFromProto(b.build(), 'test');
    model.graph.nodes.reverse(); // worst case for the order: every node before its producer
    assert.equal(model.graph.topologicalOrder()[0]!.inputs[0]!.name, 'x');
  });
});

describe('structural errors name the file and the node', () => {
  const graph = (nodes: Partial<NodeProto>[], extra: Partial<GraphProto> = {}): ModelProto => createMessage<ModelProto>('ModelProto', {
    ir_version: 8,
    opset_import: [createMessage('OperatorSetIdProto', { domain: '', version: 17 })],
    graph: createMessage<GraphProto>('GraphProto', {
      name: 'g',
      node: nodes.map((n) => createMessage<NodeProto>('NodeProto', n)),
      input: [createMessage<ValueInfoProto>('ValueInfoProto', { name: 'x' })],
      output: [createMessage<ValueInfoProto>('ValueInfoProto', { name: 'y' })],
      ...extra,
    }),
  });
  const code = (fn: () => unknown) => {
    try { fn(); } catch (e) { assert.ok(e instanceof MlserveError, String(e)); return [e.code, e.message]; }
    assert.fail('expected an error');
  };

  test('a cycle', () => {
    const [c, msg] = code(() => modelFromProto(graph([
      { name: 'a', op_type: 'Add', input: ['x', 'b_out'], output: ['a_out'] },
      { name: 'b', op_type: 'Relu', input: ['a_out'], output: ['b_out'] },
      { name: 'c', op_type: 'Relu', input: ['b_out'], output: ['y'] },
    ]), 'bad.onnx'));
    assert.equal(c, 'MLS_ERR_GRAPH_CYCLE');
    assert.match(msg!, /^bad\.onnx: graph has a cycle through node '(a|b)'/);
  });

  test('a value nobody produces', () => {
    const [c, msg] = code(() => modelFromProto(graph([{ name: 'n1', op_type: 'Add', input: ['x', 'ghost'], output: ['y'] }]), 'bad.onnx'));
    assert.equal(c, 'MLS_ERR_GRAPH_UNDEFINED_VALUE');
    assert.equal(msg, "bad.onnx: node 'n1' reads value 'ghost' that no node, input or initializer produces");
  });

  test('a value defined twice', () => {
    const [c, msg] = code(() => modelFromProto(graph([
      { name: 'n1', op_type: 'Relu', input: ['x'], output: ['y'] },
      { name: 'n2', op_type: 'Neg', input: ['x'], output: ['y'] },
    ]), 'bad.onnx'));
    assert.equal(c, 'MLS_ERR_GRAPH_DUPLICATE_VALUE');
    assert.match(msg!, /node 'n2' writes value 'y'/);
  });
});
