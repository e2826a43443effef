#!/usr/bin/env python3
"""Trims what wasm-bindgen puts between the WebAssembly file and its
JavaScript glue, in both files at once. Runs before wasm-opt, which then
drops the code nothing reaches any more.

1. Unused stream bindings go. Leptos always enables server_fn's browser
   feature, which exports wasm-streams' three classes (`IntoUnderlyingSource`,
   `IntoUnderlyingSink`, `IntoUnderlyingByteSource`) from the wasm and the
   glue. The widget never uses them: their exports leave the wasm and their
   classes and finalization registries leave the glue.
2. The code behind them goes too. Dropping the exports is not enough:
   their closures sit in the function table, and wasm-opt must keep every
   table entry. So each function whose (demangled) name mentions
   `wasm_streams` or the stream classes gets the body `unreachable`, and
   wasm-opt then drops all that only these reached (about 2 KB brotli).
   Guard: wasm-opt's call graph must show no call into them from any other
   function; with merged functions off (build-wasm.sh), no other code can
   share one of them through the table either.
3. Custom sections go, but for the function names step 2 reads (wasm-opt
   drops those): `producers`, `target_features` (build-wasm.sh names the
   features) and Leptos' `__wasm_split_unstable` marker, 0.3 KB that the
   browser never reads.
4. Names get short. wasm-bindgen names each import
   `__wbg_<method>_<16 hex digits>`, under the module `./<glue file>_bg.js`:
   about 170 names, each written once in the .wasm and once in the glue. The
   hex digits do not compress. Each becomes a short name (`_a`, `_b`, ...),
   the same in both files, and the module becomes `w`.

Usage: trim-bindings.py WASM GLUE   (both rewritten in place)
       trim-bindings.py --prune WASM GLUE
         after wasm-opt: drops the glue's import functions that the wasm no
         longer imports (wasm-opt removed them with the stream code)

Only what wasm-bindgen made is touched: every import (all of them come from
the glue) and the exports whose names start with `__wbg`, `__wbindgen` or
`wasm_bindgen`. The widget's own exports (`widget_new`, ...) and `memory`
keep their names. A new name never occurs in the glue already. It refuses
(exit 1, both files left as they were) when an import or the module is not
found in the glue, when the glue still mentions a stream class after the
trim, when the wasm has no named stream functions, or when other code calls
one; an export the glue never calls (`__wbindgen_free`) is renamed all the
same. scripts/test-trim-bindings.py checks the snip, its guard and the prune
on small modules (the test command runs it).
"""

import re
import string
import subprocess
import sys

OURS = ("__wbg", "__wbindgen", "wasm_bindgen")
# The name the imports' module gets (wasm-bindgen calls it after the glue
# file, `./<name>_bg.js`); the glue names it once, as a quoted key.
MODULE = "w"
# What the exports of wasm-streams' classes are named after.
STREAMS = "intounderlying"
# One stream class in the glue, with its dispose line, and its registry.
STREAM_CLASS = re.compile(
    r"export class (IntoUnderlying\w+) \{\n.*?\n\}\n"
    r"(?:if \(Symbol\.dispose\) \1\.prototype\[Symbol\.dispose\] = \1\.prototype\.free;\n)?",
    re.S,
)
STREAM_REGISTRY = re.compile(r"const IntoUnderlying\w+Finalization = [^;]*;\n")


def leb(data, at):
    """Reads an unsigned LEB128 number; returns (value, next offset)."""
    value = shift = 0
    while True:
        byte = data[at]
        at += 1
        value |= (byte & 0x7F) << shift
        shift += 7
        if byte < 0x80:
            return value, at


def put_leb(value):
    out = bytearray()
    while True:
        byte = value & 0x7F
        value >>= 7
        if value:
            out.append(byte | 0x80)
        else:
            out.append(byte)
            return bytes(out)


def name_at(data, at):
    length, at = leb(data, at)
    return data[at : at + length].decode(), at + length


def put_name(name):
    raw = name.encode()
    return put_leb(len(raw)) + raw


def skip_limits(data, at):
    flags = data[at]
    _, at = leb(data, at + 1)
    if flags & 1:
        _, at = leb(data, at)
    return at


def import_desc_end(data, at):
    """The end of one import's description (function, table, memory, global, tag)."""
    kind = data[at]
    at += 1
    if kind == 0:
        return leb(data, at)[1]
    if kind == 1:
        return skip_limits(data, at + 1)
    if kind == 2:
        return skip_limits(data, at)
    if kind == 3:
        return at + 2
    if kind == 4:
        return leb(data, at + 1)[1]
    raise ValueError(f"unknown import kind {kind}")


def rewrite_section(section_id, body, rename, modules):
    """The import (2) or export (7) section with names passed through `rename`
    and the stream exports left out; every import comes from the glue, under
    the one module name `MODULE`."""
    count, at = leb(body, 0)
    kept = 0
    out = bytearray()
    for _ in range(count):
        if section_id == 2:
            module, at = name_at(body, at)
            field, at = name_at(body, at)
            end = import_desc_end(body, at)
            modules.add(module)
            out += put_name(MODULE) + put_name(rename(field)) + body[at:end]
        else:
            field, at = name_at(body, at)
            end = leb(body, at + 1)[1]
            if STREAMS in field:
                at = end
                continue
            out += put_name(rename(field) if field.startswith(OURS) else field) + body[at:end]
        kept += 1
        at = end
    return put_leb(kept) + bytes(out)


def is_stream_code(name):
    """Whether a function belongs to the stream classes alone."""
    return "wasm_streams[" in name or STREAMS in name.lower()


def function_names(data):
    """Function index -> name, from the custom `name` section."""
    names = {}
    for section_id, body in sections(data):
        if section_id != 0:
            continue
        title, at = name_at(body, 0)
        if title != "name":
            continue
        while at < len(body):
            kind = body[at]
            size, at = leb(body, at + 1)
            end = at + size
            if kind == 1:
                count, at = leb(body, at)
                for _ in range(count):
                    index, at = leb(body, at)
                    names[index], at = name_at(body, at)
            at = end
    return names


def imports_of(data):
    """(field name, kind) of each of a module's imports; kind 0 is a function."""
    for section_id, body in sections(data):
        if section_id == 2:
            count, at = leb(body, 0)
            found = []
            for _ in range(count):
                _, at = name_at(body, at)
                field, at = name_at(body, at)
                found.append((field, body[at]))
                at = import_desc_end(body, at)
            return found
    return []


def calls_into(wasm_path, target):
    """Callers outside `target` of functions inside it, by wasm-opt's call graph."""
    graph = subprocess.run(
        ["wasm-opt", "--all-features", "--print-call-graph", wasm_path],
        check=True, capture_output=True, text=True,
    ).stdout
    edges = re.findall(r'^\s*"([^"]*)" -> "([^"]*)"', graph, re.M)
    if not edges:
        raise ValueError("wasm-opt printed no call graph")
    return sorted({caller for caller, callee in edges if target(callee) and not target(caller)})


def snip_streams(data):
    """The module with every stream function's body replaced by
    `unreachable`, and how many there were."""
    names = function_names(data)
    first = sum(kind == 0 for _, kind in imports_of(data))
    out = bytearray(data[:8])
    snipped = 0
    for section_id, body in sections(data):
        if section_id == 10:
            count, at = leb(body, 0)
            code = bytearray(put_leb(count))
            for index in range(first, first + count):
                entry = at
                size, start = leb(body, at)
                at = start + size
                if is_stream_code(names.get(index, "")):
                    code += b"\x03\x00\x00\x0b"  # no locals; unreachable; end
                    snipped += 1
                else:
                    code += body[entry:at]
            body = bytes(code)
        out += bytes([section_id]) + put_leb(len(body)) + body
    return bytes(out), snipped


def sections(data):
    if data[:8] != b"\0asm\x01\0\0\0":
        raise ValueError("not a WebAssembly 1.0 module")
    at = 8
    while at < len(data):
        section_id = data[at]
        size, start = leb(data, at + 1)
        yield section_id, data[start : start + size]
        at = start + size


def short_names():
    """_a, _b, ... _Z, _aa, _ab, ...: valid JavaScript identifiers."""
    letters = string.ascii_letters
    width = 1
    while True:
        for index in range(len(letters) ** width):
            name, rest = "", index
            for _ in range(width):
                name = letters[rest % len(letters)] + name
                rest //= len(letters)
            yield "_" + name
        width += 1


def main(wasm_path, glue_path):
    data = open(wasm_path, "rb").read()
    glue = open(glue_path, encoding="utf-8").read()
    glue, classes = STREAM_CLASS.subn("", glue)
    glue = STREAM_REGISTRY.sub("", glue)
    if re.search(STREAMS, glue, re.I):
        print("trim-bindings: the glue still mentions a stream class; nothing changed", file=sys.stderr)
        return 1
    identifiers = set(re.findall(r"[A-Za-z_$][\w$]*", glue))
    fresh = (name for name in short_names() if name not in identifiers)
    mapping = {}
    imports = set()
    modules = set()

    def rename_import(old):
        imports.add(old)
        return rename(old)

    def rename(old):
        if old not in mapping:
            mapping[old] = next(fresh)
        return mapping[old]

    out = bytearray(data[:8])
    dropped = 0
    for section_id, body in sections(data):
        if section_id == 0 and name_at(body, 0)[0] != "name":
            dropped += 1
            continue
        if section_id in (2, 7):
            body = rewrite_section(
                section_id, body, rename_import if section_id == 2 else rename, modules
            )
        out += bytes([section_id]) + put_leb(len(body)) + body

    for module in modules:
        glue, found = re.subn(r"""(["'])""" + re.escape(module) + r"\1(?=\s*:)", f'"{MODULE}"', glue)
        if found != 1:
            print(f"trim-bindings: the module {module} is named {found} times in the glue, not once", file=sys.stderr)
            return 1
    for old, new in mapping.items():
        pattern = re.compile(r"(?<![\w$])" + re.escape(old) + r"(?![\w$])")
        glue, found = pattern.subn(new, glue)
        if not found and old in imports:
            print(f"trim-bindings: {old} is not in the glue; nothing changed", file=sys.stderr)
            return 1

    out, snipped = snip_streams(bytes(out))
    if not snipped:
        print("trim-bindings: no stream functions found (no name section?); nothing changed", file=sys.stderr)
        return 1
    open(wasm_path, "wb").write(out)
    callers = calls_into(wasm_path, is_stream_code)
    if callers:
        open(wasm_path, "wb").write(data)
        print(f"trim-bindings: stream functions are called from {callers[:3]}; nothing changed", file=sys.stderr)
        return 1
    open(glue_path, "w", encoding="utf-8").write(glue)
    print(
        f"trim-bindings: {classes} stream classes and {snipped} of their functions dropped, "
        f"{dropped} custom sections dropped, "
        f"{len(mapping)} names shortened, {len(data) - len(out)} bytes less WebAssembly before wasm-opt"
    )
    return 0


# One function of the glue's import object, up to the next one or the end.
GLUE_IMPORT = re.compile(r"^        (\w+): function.*?(?=^        \w+: function|^    \};)", re.M | re.S)


def prune(wasm_path, glue_path):
    """After wasm-opt: the glue's import functions that the wasm no longer
    imports (those only the emptied stream code called) go."""
    imported = {field for field, _ in imports_of(open(wasm_path, "rb").read())}
    glue = open(glue_path, encoding="utf-8").read()
    if not imported:
        print("trim-bindings: the wasm imports nothing; nothing changed", file=sys.stderr)
        return 1
    found = set()

    def keep(match):
        found.add(match.group(1))
        return match.group(0) if match.group(1) in imported else ""

    glue = GLUE_IMPORT.sub(keep, glue)
    missing = imported - found
    if missing:
        print(f"trim-bindings: the glue lacks imports {sorted(missing)[:3]}; nothing changed", file=sys.stderr)
        return 1
    open(glue_path, "w", encoding="utf-8").write(glue)
    print(f"trim-bindings: {len(found - imported)} glue functions the wasm no longer imports dropped")
    return 0


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "--prune":
        sys.exit(prune(sys.argv[2], sys.argv[3]))
    if len(sys.argv) != 3:
        print(__doc__, file=sys.stderr)
        sys.exit(2)
    sys.exit(main(sys.argv[1], sys.argv[2]))
