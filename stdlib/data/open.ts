// The one place that turns a lowered data node into a Dataset. Implementations are imported
// lazily, so opening the shapes world never loads COCO's decoding stack (sharp) and the reverse.
import * as path from "node:path";
import type { DataNode } from "../../core/ir.ts";
import type { Dataset } from "./sample.ts";

/**
 * Opens the dataset of `node` (its `op` and resolved options). Relative file options resolve
 * against `baseDir`, the folder of the .scd file that declares the data; the node's `files` (already
 * absolute) win where present, so a node shared by files in different folders opens the same files.
 */
export async function openDataset(
  node: Pick<DataNode, "op" | "options"> & { readonly files?: DataNode["files"] },
  baseDir: string,
): Promise<Dataset> {
  const options: Record<string, unknown> = { ...node.options };
  for (const f of node.files ?? []) options[f.option] = f.path;
  const base = path.resolve(baseDir);
  switch (node.op) {
    case "shapes": {
      const { createShapes, shapesOptions } = await import("./shapes.ts");
      return createShapes(shapesOptions(options));
    }
    case "coco": {
      const { openCoco } = await import("./coco.ts");
      return openCoco(options, base);
    }
    case "coco_panoptic": {
      const { openCocoPanoptic } = await import("./coco-panoptic.ts");
      return openCocoPanoptic(options, base);
    }
    default:
      throw new Error(`no dataset implementation for \`${node.op}\``);
  }
}
