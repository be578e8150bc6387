// `scdx embed`: load a checkpoint and print L2-normalised embeddings, so a user can see that it
// loads and behaves. The model code is imported only when the command runs (tfjs is heavy).
import { requestedBackend, type BackendName } from "../../stdlib/tensor/backend-name.ts";
import { EXIT, parseCommandArgs, UsageError, type Command } from "./command.ts";
import type { EmbedResult, EmbedRow } from "../models/embed.ts";

const SHOWN = 6;

const VALUE_FLAGS = new Set(["--model", "--image", "--text", "--tokens", "--backend"]);
const INPUT_FLAGS = new Set(["--image", "--text", "--tokens"]);

/** Lets `--image a.png b.png` mean `--image a.png --image b.png`: bare words continue the last input flag. */
function expandInputs(argv: readonly string[]): string[] {
  const out: string[] = [];
  let kind: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === "--") {
      out.push(...argv.slice(i));
      break;
    }
    const flag = /^--[a-z]+/.exec(a)?.[0];
    if (flag && VALUE_FLAGS.has(a)) {
      out.push(a);
      if (i + 1 < argv.length) out.push(argv[++i]!);
    } else if (a.startsWith("-")) out.push(a);
    else {
      out.push(...(kind ? [kind, a] : [a]));
      continue;
    }
    kind = flag && INPUT_FLAGS.has(flag) ? flag : undefined;
  }
  return out;
}

function parseTokens(s: string): number[] {
  const parts = s.split(",").map((p) => p.trim());
  if (parts.length === 0 || parts.some((p) => !/^\d+$/.test(p)))
    throw new UsageError(`--tokens takes comma-separated non-negative integers, got \`${s}\``);
  return parts.map(Number);
}

function backendOption(v: string | undefined): BackendName | undefined {
  try {
    return requestedBackend(v);
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
}

function label(r: EmbedRow): string {
  return r.kind === "text" ? JSON.stringify(r.input) : r.input;
}

function pretty(res: EmbedResult): string {
  const extra = res.ignored.length
    ? `, ${res.ignored.length} non-parameter tensor${res.ignored.length === 1 ? "" : "s"} ignored`
    : "";
  const lines = [
    `${res.model} (${res.layout} layout, ${res.imageSize} px, ${res.embedDim}-d embeddings${extra}) on ${res.backend}`,
  ];
  if (res.rows.some((r) => r.kind === "image")) lines.push(`image preprocessing: ${res.preprocessing}`);
  const w = Math.min(40, Math.max(...res.rows.map((r) => label(r).length)));
  for (const r of res.rows) {
    const head = r.embedding
      .slice(0, SHOWN)
      .map((x) => (x < 0 ? "" : " ") + x.toFixed(4))
      .join(" ");
    const name = label(r).length > w ? label(r).slice(0, w - 1) + "…" : label(r).padEnd(w);
    lines.push(
      `${r.kind.padEnd(6)} ${name}  [${head}${r.embedding.length > SHOWN ? " …" : ""}]  dim ${r.embedding.length}  norm ${r.norm.toPrecision(5)} (before normalising)`,
    );
  }
  const imgs = res.rows.filter((r) => r.kind === "image"),
    txts = res.rows.filter((r) => r.kind !== "image");
  if (imgs.length && txts.length) {
    lines.push("", "cosine similarity (rows: images, columns: texts/tokens in order)");
    for (const i of imgs)
      lines.push(
        `  ${label(i).padEnd(w)}  ${txts.map((t) => dot(i.embedding, t.embedding).toFixed(4).padStart(8)).join(" ")}`,
      );
  }
  return lines.join("\n") + "\n";
}

function dot(a: readonly number[], b: readonly number[]): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
}

export const embedCommand: Command = {
  name: "embed",
  help: `Usage: scdx embed --model PATH (--image FILE… | --text STR… | --tokens IDS…) [--json] [--backend B]

Loads a checkpoint and prints the L2-normalised embedding of each input, so you can see that it
loads and behaves. PATH is a Hugging Face CLIP directory (config.json + model.safetensors, or
sharded), an OpenAI/open_clip .safetensors file or a directory holding one. Pickles (.bin, .pt)
are refused, with the command that converts them.

Images at the model's input size are used as they are; others are preprocessed as the checkpoint
says (preprocessor_config.json, or open_clip_config.json's preprocess_cfg; otherwise OpenAI's:
shortest side resized bicubically, centre crop, CLIP mean/std). Texts use the tokenizer next to the
weights (vocab.json + merges.txt, tokenizer.json, or words.txt for toy models).

Options:
  --model PATH     the checkpoint (required)
  --image FILE…    image files (PNG, JPEG, WebP, …)
  --text STR…      texts (quote each)
  --tokens IDS…    comma-separated token ids per input, e.g. 49406,320,1125,49407. Pooling is at
                   the first end-of-text id, else at the last id given
                   (each of these takes several values, or repeat the flag)
  --json           print every full vector as JSON on stdout
  --backend B      tensorflow, native, wasm or cpu (default: SCDX_BACKEND, else the fastest that starts)
  -h, --help       show this help

With both images and texts, the pretty output ends with their cosine similarities.
Exit codes: 0 ok, 1 the checkpoint or an input cannot be used, 2 usage error.`,
  async run(argv, io) {
    const { values, positionals } = parseCommandArgs(expandInputs(argv), {
      model: { type: "string" },
      image: { type: "string", multiple: true },
      text: { type: "string", multiple: true },
      tokens: { type: "string", multiple: true },
      json: { type: "boolean" },
      backend: { type: "string" },
    });
    if (values.help) {
      io.out(embedCommand.help + "\n");
      return EXIT.ok;
    }
    if (positionals.length)
      throw new UsageError(`unexpected argument \`${positionals[0]}\` (inputs go after --image, --text or --tokens)`);
    if (!values.model) throw new UsageError("--model is required");
    const images = values.image ?? [],
      texts = values.text ?? [],
      tokens = (values.tokens ?? []).map(parseTokens);
    if (!images.length && !texts.length && !tokens.length)
      throw new UsageError("give at least one --image, --text or --tokens");
    const backend = backendOption(values.backend);
    const { embed, userMessage } = await import("../models/embed.ts");
    let res: EmbedResult;
    try {
      res = await embed({ model: values.model, images, texts, tokens, backend });
    } catch (e) {
      const msg = userMessage(e);
      if (msg === undefined) throw e;
      io.err(`scdx embed: ${msg}\n`);
      return EXIT.errors;
    }
    io.out(values.json ? JSON.stringify(res) + "\n" : pretty(res));
    return EXIT.ok;
  },
};
