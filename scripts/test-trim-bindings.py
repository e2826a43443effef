#!/usr/bin/env python3
"""Checks scripts/trim-bindings.py on small modules assembled here with
binaryen's wasm-as: the stream code it empties is gone after wasm-opt (and
stays without it), its guard names a caller from other code, and the glue
prune keeps exactly the functions the wasm still imports.

Usage: test-trim-bindings.py   (wasm-as and wasm-opt on PATH: scripts/lib.sh)
"""

import importlib.util
import pathlib
import subprocess
import sys
import tempfile

HERE = pathlib.Path(__file__).resolve().parent
spec = importlib.util.spec_from_file_location("trim", HERE / "trim-bindings.py")
trim = importlib.util.module_from_spec(spec)
spec.loader.exec_module(trim)

# The stream function sits in a table that `call_indirect` keeps alive, as
# wasm-bindgen's closures do: without the snip, wasm-opt keeps its helper.
IN_TABLE = """(module
  (type $step (func (param i32) (result i32)))
  (table 2 funcref)
  (elem (i32.const 0) $"wasm_streams[0]::pull" $helper)
  (func $ours (export "widget_new") (param $slot i32) (result i32)
    (call_indirect (type $step) (local.get $slot) (local.get $slot)))
  (func $helper (param $n i32) (result i32) (i32.add (local.get $n) (i32.const 1)))
  (func $"wasm_streams[0]::pull" (param $n i32) (result i32)
    (i32.add (call $stream_helper (local.get $n))
             (call $stream_helper (i32.add (local.get $n) (i32.const 7)))))
  (func $stream_helper (param $n i32) (result i32)
    (i32.xor (i32.mul (local.get $n) (local.get $n)) (i32.div_u (local.get $n) (i32.const 3)))))
"""

# Other code calls the stream function directly: emptying it would break it.
CALLED = """(module
  (func $ours (export "widget_new") (result i32) (call $"wasm_streams[0]::pull"))
  (func $"wasm_streams[0]::pull" (result i32) (i32.const 2)))
"""

IMPORTS = """(module
  (import "w" "_a" (func $a))
  (import "w" "_b" (func $b))
  (func (export "widget_new") (call $a) (call $b)))
"""

GLUE = """function __wbg_get_imports() {
    const import0 = {
        __proto__: null,
        _a: function(arg0) {
            return arg0;
        },
        _b: function() { return handleError(function (arg0) {
            arg0.close();
        }, arguments); },
        _c: function(arg0) {
            const ret = arg0.buffer;
            return ret;
        },
    };
    return { __proto__: null, w: import0 };
}
"""

failures = 0


def check(what, ok):
    global failures
    print(f"  {'ok  ' if ok else 'FAIL'}  {what}")
    failures += not ok


def assemble(directory, name, text):
    wat, wasm = directory / f"{name}.wat", directory / f"{name}.wasm"
    wat.write_text(text)
    subprocess.run(["wasm-as", "-g", str(wat), "-o", str(wasm)], check=True)
    return wasm


def optimized_names(directory, wasm):
    out = directory / "opt.wasm"
    subprocess.run(["wasm-opt", "-Oz", "-g", "--all-features", str(wasm), "-o", str(out)], check=True)
    return set(trim.function_names(out.read_bytes()).values())


with tempfile.TemporaryDirectory() as tmp:
    tmp = pathlib.Path(tmp)

    wasm = assemble(tmp, "table", IN_TABLE)
    check("without the snip, wasm-opt keeps the stream code", "stream_helper" in optimized_names(tmp, wasm))
    snipped, count = trim.snip_streams(wasm.read_bytes())
    check("the snip empties exactly the one stream function", count == 1)
    wasm.write_bytes(snipped)
    check("the guard finds no caller outside the stream code", trim.calls_into(str(wasm), trim.is_stream_code) == [])
    names = optimized_names(tmp, wasm)
    check("after the snip, wasm-opt drops what only the stream code reached", "stream_helper" not in names)
    check("the widget's own code stays", {"ours", "helper"} <= names)

    wasm = assemble(tmp, "called", CALLED)
    wasm.write_bytes(trim.snip_streams(wasm.read_bytes())[0])
    check("the guard names the widget code that calls a stream function",
          trim.calls_into(str(wasm), trim.is_stream_code) == ["ours"])

    wasm = assemble(tmp, "imports", IMPORTS)
    glue = tmp / "glue.js"
    glue.write_text(GLUE)
    status = trim.prune(str(wasm), str(glue))
    pruned = glue.read_text()
    check("the prune drops the function the wasm no longer imports",
          status == 0 and "_c:" not in pruned and "_a:" in pruned and "arg0.close()" in pruned)
    check("the import object still closes", "arguments); },\n    };\n" in pruned)
    glue.write_text(GLUE.replace("_b:", "_x:"))
    check("a glue that lacks an import is refused and left as it was",
          trim.prune(str(wasm), str(glue)) == 1 and "_x:" in glue.read_text())

print(f"trim-bindings: {8 - failures} of 8 checks passed")
sys.exit(1 if failures else 0)
