import { startServer } from "../lsp/server.ts";
import { EXIT, parseCommandArgs, type Command } from "./command.ts";

export const lspCommand: Command = {
  name: "lsp",
  help: `Usage: scdx lsp [--stdio]

Starts the scdx language server, speaking the Language Server Protocol on stdin and stdout, for
editors (VS Code: editors/vscode/; Neovim and Emacs: README). It serves the diagnostics of
\`scdx check\`, hover, completion, definition, references, rename, symbols, formatting (the
\`scdx fmt\` layout), quick fixes and semantic tokens. It runs until the editor closes it.

Options:
  --stdio     accepted for editors that pass it; stdio is the only transport
  -h, --help  show this help`,
  run(argv, io) {
    const { values } = parseCommandArgs(argv, { stdio: { type: "boolean" } });
    if (values.help) {
      io.out(lspCommand.help + "\n");
      return EXIT.ok;
    }
    const connection = startServer();
    // The server answers until the client sends `exit` (or closes stdin); the command ends then.
    return new Promise<number>((resolve) => connection.onExit(() => resolve(EXIT.ok)));
  },
};
