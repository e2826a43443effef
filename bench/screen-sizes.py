"""What each screen adds to the release wasm: builds the widget once as it is
and once per screen with that screen removed from the dashboard, in a
throwaway git worktree, and prints the brotli size difference.
Usage: python3 bench/screen-sizes.py  (takes ~1.5 min per build on 2 cores)"""
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SCREENS = {
    "ways to earn": "<Earn rules=program.earning/>",
    "tier progress": "<TierProgress",
    "rewards": "<Rewards",
    "referral": "<Referral",
    "club and offers": "<Club ",
    "history": "<Activity client=client/>",
}


def without(source: str, marker: str) -> str:
    """Removes the `{ ... }` view block (or the bare tag line) holding marker."""
    at = source.index(marker, source.index("fn Dashboard("))
    line_start = source.rfind("\n", 0, at) + 1
    if source[line_start:at].strip() == "":
        line_end = source.index("\n", at)
        tag_end = source.index("/>", at) + 2
        return source[:line_start] + source[max(line_end, tag_end):]
    depth, start = 0, at
    while True:
        start -= 1
        if source[start] == "}":
            depth += 1
        elif source[start] == "{":
            if depth == 0 and source[start:start + 9] == "{move || ":
                break
            depth = max(depth - 1, 0)
    depth, end = 0, start
    while True:
        if source[end] == "{":
            depth += 1
        elif source[end] == "}":
            depth -= 1
            if depth == 0:
                break
        end += 1
    return source[:start] + source[end + 1:]


def brotli_size(dist: Path) -> int:
    wasm = next(dist.glob("widget/*_bg.wasm"))
    out = subprocess.run(["brotli", "-q", "11", "-c", str(wasm)], capture_output=True, check=True)
    return len(out.stdout)


def build(tree: Path, dist: Path) -> int:
    env = dict(os.environ, CARGO_TARGET_DIR=str(ROOT / "target" / "screen-sizes"))
    env["PATH"] = f"{ROOT / 'node_modules' / '.bin'}:{env['PATH']}"
    # The release's own pipeline (trunk build --release: cargo, wasm-bindgen,
    # wasm-opt -Oz).
    subprocess.run(["trunk", "build", "--release", "--dist", str(dist)],
                   cwd=tree, env=env, check=True, capture_output=True)
    return brotli_size(dist)


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        tree = Path(tmp) / "tree"
        subprocess.run(["git", "worktree", "add", "-q", "--detach", str(tree), "HEAD"], cwd=ROOT, check=True)
        try:
            (tree / "node_modules").symlink_to(ROOT / "node_modules")
            widget = tree / "src" / "components" / "widget.rs"
            original = widget.read_text()
            full = build(tree, Path(tmp) / "full")
            print(f"whole widget: {full} bytes brotli (wasm)")
            for name, marker in SCREENS.items():
                widget.write_text(without(original, marker))
                try:
                    size = build(tree, Path(tmp) / re.sub(r"\W", "-", name))
                    print(f"  {name:16s} adds {full - size:7d} bytes brotli")
                except subprocess.CalledProcessError as err:
                    print(f"  {name:16s} could not be built without it: {err.stderr[-300:]!r}", file=sys.stderr)
                widget.write_text(original)
        finally:
            subprocess.run(["git", "worktree", "remove", "--force", str(tree)], cwd=ROOT, check=False)


if __name__ == "__main__":
    main()
