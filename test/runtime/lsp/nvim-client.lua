-- Neovim (0.7: vim.lsp.start_client, no vim.lsp.start) as a real client of `scdx lsp`: attach to a
-- study, wait for its diagnostics, ask for hover and completion, break a name by editing the buffer,
-- wait for the new diagnostics, and write everything as JSON for nvim.test.ts to assert.
-- Run: nvim --headless --clean -n -c "luafile nvim-client.lua", with SCDX_NVIM_SPEC naming a JSON file
-- {cmd, root, file, out, hover, complete, edit = {line, text}}.
local spec = vim.fn.json_decode(table.concat(vim.fn.readfile(os.getenv("SCDX_NVIM_SPEC")), "\n"))
local out = { published = 0, log = {} }

local function finish()
  vim.fn.writefile({ vim.fn.json_encode(out) }, spec.out)
  vim.cmd("qa!")
end

local ok, err = pcall(function()
  vim.cmd("edit " .. vim.fn.fnameescape(spec.file))
  local bufnr = vim.api.nvim_get_current_buf()
  local default = vim.lsp.handlers["textDocument/publishDiagnostics"]
  local client_id = vim.lsp.start_client({
    name = "scdx",
    cmd = spec.cmd,
    root_dir = spec.root,
    handlers = {
      -- the built-in handler fills vim.diagnostic, as in everyday use; the count tells the test a
      -- (possibly empty) set arrived
      ["textDocument/publishDiagnostics"] = function(e, res, ctx, config)
        default(e, res, ctx, config)
        out.published = out.published + 1
      end,
      ["window/logMessage"] = function(_, res)
        table.insert(out.log, res.message)
      end,
    },
  })
  assert(client_id, "start_client failed")
  vim.lsp.buf_attach_client(bufnr, client_id)
  assert(vim.wait(30000, function() return out.published >= 1 end, 20), "no diagnostics after opening")
  local client = vim.lsp.get_client_by_id(client_id)
  local uri = vim.uri_from_bufnr(bufnr)
  out.diagnostics_on_open = vim.diagnostic.get(bufnr)

  local hover = client.request_sync("textDocument/hover", { textDocument = { uri = uri }, position = spec.hover }, 10000, bufnr)
  out.hover = hover and hover.result
  local compl = client.request_sync("textDocument/completion", { textDocument = { uri = uri }, position = spec.complete }, 10000, bufnr)
  out.completion = {}
  for _, item in ipairs((compl and compl.result) or {}) do
    table.insert(out.completion, { label = item.label, kind = item.kind, detail = item.detail })
  end

  local before = out.published
  vim.api.nvim_buf_set_lines(bufnr, spec.edit.line, spec.edit.line + 1, false, { spec.edit.text })
  assert(vim.wait(30000, function() return out.published > before end, 20), "no diagnostics after the edit")
  out.diagnostics_after_edit = {}
  for _, d in ipairs(vim.diagnostic.get(bufnr)) do
    table.insert(out.diagnostics_after_edit, { lnum = d.lnum, col = d.col, end_col = d.end_col, code = d.code, message = d.message, severity = d.severity })
  end
  client.stop()
end)
if not ok then out.error = tostring(err) end
finish()
