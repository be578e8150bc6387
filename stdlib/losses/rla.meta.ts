import type { ComponentMeta } from "../component.ts";

export const rla: ComponentMeta = {
  name: "rla",
  kind: "loss",
  version: "1",
  doc: "Region-language alignment as in CLIPSelf: 1 − cos(RoIAlign(student dense), teacher(crop)) over sampled regions.",
  notes: [
    "Regions: per image an M×N grid split (M, N drawn from `grid`; `pairs: clipself` keeps N in",
    "[⌊(M+1)/2⌋, min(2M, max)] as CLIPSelf does), up to `max_boxes` cells, each cropped from the",
    "original image and letterboxed to the teacher's input size; or boxes from the dataset's proposals.",
  ],
  inputs: [{ name: "teacher", type: "model", doc: "frozen CLIP whose crop embeddings are the targets" }],
  options: {
    type: "object",
    properties: {
      grid: {
        type: "array",
        items: { type: "integer", minimum: 1, maximum: 6 },
        minItems: 1,
        default: [1, 2, 3, 4, 5, 6],
        description: "allowed split counts M and N (a range such as 1..6)",
      },
      pairs: { enum: ["clipself", "all"], default: "clipself", description: "which (M, N) pairs are drawn" },
      max_boxes: { type: "integer", minimum: 1, default: 20, description: "regions per image" },
      regions: { enum: ["grid", "proposals"], default: "grid", description: "grid cells or the dataset's proposals" },
      crop_scale: {
        type: "number",
        exclusiveMinimum: 0,
        default: 1,
        description: "teacher crop enlargement (CLIPSelf uses 1.5 with proposals)",
      },
      weight: { type: "number", minimum: 0, default: 1, description: "CLIPSelf's cosine_weight" },
    },
    additionalProperties: false,
  },
  seeded: true,
  signature: "rla(teacher: Model, grid?: Range, …) -> Loss",
  checkInStage({ student, data, inputs, options, report }) {
    const teacher = inputs["teacher"]?.model;
    if (!teacher) return;
    if (teacher.family !== "clip")
      report("SCD2003", "rla's teacher must be a CLIP model: a Refiner has no global image embedding.", {
        at: "teacher",
      });
    else if (teacher.embedDim !== student.embedDim)
      report(
        "SCD2103",
        `RLA compares embeddings of different sizes: the student's is ${student.embedDim}, the teacher's ${teacher.embedDim}.`,
        {
          at: "teacher",
          label: `embedding size ${teacher.embedDim}`,
          notes: [
            `the student (${student.arch}) embeds into ${student.embedDim} dimensions; cosine similarity needs equal sizes`,
          ],
        },
      );
    if (options["regions"] === "proposals" && !data.yields.includes("proposals"))
      report("SCD2104", `rla(regions: proposals) needs region proposals, and the dataset (${data.op}) has none.`, {
        at: "regions",
        help: "give the dataset a `proposals:` file",
      });
  },
};
