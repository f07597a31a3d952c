/**
 * `mlserve inspect MODEL`: what is in a model, from its file alone. Prints the text summary, or with
 * --json the one document described in the README ("inspect --json schema"). --nodes lists nodes
 * (--op narrows them), --graph FILE writes a drawing, --input-shape pins input dims for shape
 * inference and the FLOP estimate.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { MlserveError } from '../../errors.js';
import { createOutput } from '../output.js';
import { collectInputShape } from '../parse-input-shape.js';

interface InspectFlags {
  json?: boolean;
  nodes?: boolean;
  op?: string;
  graph?: string;
  inputShape?: Map<string, number[]>;
}

export function registerInspect(program: Command): void {
  program
    .command('inspect')
    .description('summarize a model: inputs and outputs, parameters, operators, subgraphs, estimated FLOPs, warnings')
    .argument('<model>', 'the .onnx file, or a bundle directory written by `mlserve compile` (summarised, every hash verified)')
    .option('--json', 'print one JSON document (its schema is in the README)')
    .option('--nodes', 'also list every node with its inputs, outputs, attributes and inferred shapes')
    .option('--op <type>', 'list only the nodes of this op type (implies --nodes)')
    .option('--graph <file>', 'draw the main graph into FILE: .dot (Graphviz), .svg or .html (opens in a browser)')
    .option('--input-shape <name=dims>', 'fix an input\'s shape for shape inference, e.g. x=1,3,224,224 (repeatable)', collectInputShape)
    .action(async (modelPath: string, flags: InspectFlags, command: Command) => {
      const globals = command.optsWithGlobals<{ color?: boolean }>();
      const out = createOutput({ json: flags.json === true, color: globals.color !== false });
      if (fs.existsSync(path.join(modelPath, 'manifest.json')) && fs.statSync(modelPath).isDirectory()) return inspectBundleDir(modelPath, out);
      // Lazily: `mlserve --help` and other commands never load the inspect code.
      const { inspect, loadForInspect } = await import('../../inspect/inspect.js');
      const { formatText } = await import('../../inspect/format-text.js');
      const drawing = flags.graph === undefined ? undefined : await import('../../inspect/graph-drawing.js');
      const graphFormat = drawing && flags.graph ? drawing.graphFormatFor(flags.graph) : undefined;

      const loaded = loadForInspect(modelPath);
      const report = inspect(loaded, {
        ...(flags.inputShape ? { inputShapes: flags.inputShape } : {}),
        nodes: flags.nodes === true || flags.op !== undefined,
        ...(flags.op !== undefined ? { op: flags.op } : {}),
      });
      if (drawing && graphFormat && flags.graph) {
        writeFile(flags.graph, drawing.drawGraph(loaded.model, graphFormat, { title: modelPath }));
        out.info(`wrote ${flags.graph}`);
      }
      if (out.json) out.printJson(report);
      else out.print(formatText(report, { style: out.style, table: out.table }).trimEnd());
    });
}

function writeFile(file: string, text: string): void {
  try {
    fs.writeFileSync(file, text);
  } catch (e) {
    throw new MlserveError('MLS_ERR_WRITE_FAILED', { file, reason: (e as NodeJS.ErrnoException).code ?? String(e) }, { cause: e });
  }
}

/** A compiled bundle: the manifest summarised, every variant's hash verified; exits non-zero if one fails. */
async function inspectBundleDir(dir: string, out: ReturnType<typeof createOutput>): Promise<void> {
  const { inspectBundle, formatBundleText, assertBundleVerified } = await import('../../inspect/inspect-bundle.js');
  const { report, verification } = inspectBundle(dir);
  if (out.json) out.printJson(report);
  else out.print(formatBundleText(report, { style: out.style, table: (rows, header) => out.table(rows, header) }));
  assertBundleVerified(verification);
}
