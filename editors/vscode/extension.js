// The VS Code side of scdx: starts `scdx lsp` (the language server does all the work: diagnostics,
// hover, completion, navigation, formatting, quick fixes) and connects it to .scd files. Colouring
// comes from syntaxes/scd.tmLanguage.json, generated from the compiler's token list.
const vscode = require("vscode");
const { LanguageClient, TransportKind } = require("vscode-languageclient/node");

/** @type {LanguageClient | undefined} */
let client;

/** @param {vscode.ExtensionContext} context */
async function activate(context) {
  const command = vscode.workspace.getConfiguration("scdx").get("path") || "scdx";
  // TransportKind.stdio appends `--stdio`, which `scdx lsp` accepts.
  const run = { command, args: ["lsp"], transport: TransportKind.stdio };
  client = new LanguageClient(
    "scdx",
    "scdx",
    { run, debug: run },
    { documentSelector: [{ scheme: "file", language: "scd" }] },
  );
  context.subscriptions.push(client);
  await client.start();
}

function deactivate() {
  return client?.stop();
}

module.exports = { activate, deactivate };
