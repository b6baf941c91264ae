#!/usr/bin/env python3
"""Code-health figures for the workspace: module dependency edges and the longest functions.

    python3 scripts/code-metrics.py [edges [DIR]|functions [N]|files [N]|clap]

A library crate crates/NAME counts as the module NAME (its lib.rs as NAME/mod.rs), so the
figures compare with those of the single-crate layout (where it was src/NAME).

edges:     references per top-level module (a crate under crates/, or a directory or single
           file of the root package's src/): `crate::<module>` in src/, `clearml_<crate>::`
           in a crate; as "from -> to: count" (tests in #[cfg(test)] count too).
edges DIR: the same inside one module (e.g. `serve`): one node per file or directory under
           it, following `super::`, `crate::` and `self::` paths (a file's trailing
           `#[cfg(test)] mod tests` is left out: its `super::` means the file itself).
functions: the N (default 5) longest `fn` bodies, in lines, with their place.
files:     the N (default 15) longest source files, in lines.
clap:      files outside cli/, lib.rs, main.rs, dispatch.rs and commands/ that name a clap type (and the
           output crate's lib.rs, whose `Format` derives clap's ValueEnum behind a feature).
"""
import os
import re
import sys

REPO = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
SRC = os.path.join(REPO, "src")
CRATES = os.path.join(REPO, "crates")


def source_roots():
    """(module prefix, directory): the root package's src/, then each crate's src/."""
    yield "", SRC
    if os.path.isdir(CRATES):
        for name in sorted(os.listdir(CRATES)):
            d = os.path.join(CRATES, name, "src")
            if os.path.isdir(d):
                yield name, d


def rust_files(with_path=False):
    """(rel, text): rel as in the single-crate layout (crates/serve/src/x.rs -> serve/x.rs)."""
    for prefix, base in source_roots():
        for root, _, files in os.walk(base):
            for name in sorted(files):
                if not name.endswith(".rs"):
                    continue
                path = os.path.join(root, name)
                rel = os.path.relpath(path, base)
                if prefix:
                    rel = os.path.join(prefix, "mod.rs" if rel == "lib.rs" else rel)
                text = open(path, encoding="utf-8").read()
                yield (rel, text, os.path.relpath(path, REPO)) if with_path else (rel, text)


def is_crate(top):
    return os.path.isdir(os.path.join(CRATES, top, "src"))


def top_module(rel):
    head = rel.split(os.sep)[0]
    return head[:-3] if head.endswith(".rs") else head


def strip_comments(text):
    text = re.sub(r"//[^\n]*", "", text)
    return re.sub(r"/\*.*?\*/", "", text, flags=re.S)


def expand_use_groups(text):
    """`use crate::{a::X, b}` names modules a and b: flatten the braces one level."""
    out = []
    for m in re.finditer(r"crate::\{([^}]*)\}", text):
        for part in m.group(1).split(","):
            part = part.strip()
            if part:
                out.append(part.split("::")[0])
    return out


def edges():
    counts = {}
    for rel, text in rust_files():
        src = top_module(rel)
        text = strip_comments(text)
        if is_crate(src):
            targets = [c for c in re.findall(r"\bclearml_([a-z_][a-z0-9_]*)(?:::|\b)", text) if is_crate(c)]
        else:
            targets = re.findall(r"crate::([a-z_][a-z0-9_]*)", text) + expand_use_groups(text)
        for dst in targets:
            if dst != src:
                counts[(src, dst)] = counts.get((src, dst), 0) + 1
    for (a, b), n in sorted(counts.items()):
        print(f"{a} -> {b}: {n}")
    print(f"total edges: {len(counts)}")


def inner_edges(top):
    """Edges between the files and directories under src/<top> (see the module doc)."""
    base = os.path.join(SRC, top)
    nodes = set()
    for rel, _ in rust_files():
        parts = rel[:-3].split(os.sep)
        if parts[0] != top:
            continue
        parts = parts[1:]
        if parts and parts[-1] == "mod":
            parts = parts[:-1]
        for i in range(1, len(parts) + 1):
            nodes.add(tuple(parts[:i]))
    counts = {}
    path_re = re.compile(r"\b((?:crate|super|self)(?:::(?:super|[a-z_][a-z0-9_]*))*)::(\{[^}]*\}|[A-Za-z_][A-Za-z0-9_]*)")
    for rel, text in rust_files():
        parts = rel[:-3].split(os.sep)
        if parts[0] != top:
            continue
        is_mod = parts[-1] == "mod"
        here = tuple(parts[1:-1]) if is_mod else tuple(parts[1:])
        text = strip_comments(text)
        text = re.split(r"#\[cfg\(test\)\]\s*mod tests", text)[0]
        for m in path_re.finditer(text):
            head = m.group(1).split("::")
            tails = [m.group(2)]
            if tails[0].startswith("{"):
                tails = [t.strip().split("::")[0] for t in tails[0][1:-1].split(",") if t.strip()]
            if head[0] == "crate" and is_crate(top):
                path = list(head[1:])
            elif head[0] == "crate":
                if len(head) < 2 or head[1] != top:
                    continue
                path = list(head[2:])
            else:
                path = list(here)
                for h in head:
                    if h == "super":
                        if not path:
                            path = None
                            break
                        path = path[:-1]
                    elif h != "self":
                        path.append(h)
                if path is None:
                    continue
            for t in tails:
                full = path + [t]
                target = ()
                for i in range(len(full), 0, -1):
                    if tuple(full[:i]) in nodes:
                        target = tuple(full[:i])
                        break
                if target != here:
                    a = "/".join(here) or top
                    b = "/".join(target) or top
                    counts[(a, b)] = counts.get((a, b), 0) + 1
    for (a, b), n in sorted(counts.items()):
        print(f"{a} -> {b}: {n}")
    print(f"total edges: {len(counts)}")


def functions(limit):
    found = []
    fn_re = re.compile(r"^\s*(pub(\([^)]*\))?\s+)?(async\s+)?(const\s+)?(unsafe\s+)?fn\s+(\w+)")
    for _, text, rel in rust_files(with_path=True):
        lines = text.split("\n")
        i = 0
        while i < len(lines):
            m = fn_re.match(lines[i])
            if not m:
                i += 1
                continue
            # Find the opening brace of the body (the signature may span lines) and its match.
            depth, start, j, opened = 0, i, i, False
            while j < len(lines):
                code = re.sub(r"//.*", "", lines[j])
                code = re.sub(r'"(\\.|[^"\\])*"', '""', code)
                code = re.sub(r"'(\\.|[^'\\])'", "''", code)
                if not opened and ";" in code and "{" not in code:
                    break  # a declaration without a body (trait method)
                for ch in code:
                    if ch == "{":
                        depth += 1
                        opened = True
                    elif ch == "}":
                        depth -= 1
                if opened and depth == 0:
                    found.append((j - start + 1, f"{rel}:{start + 1}", m.group(6)))
                    break
                j += 1
            i += 1
    for length, place, name in sorted(found, reverse=True)[:limit]:
        print(f"{length:5} {name} ({place})")


def longest_files(limit):
    sizes = [(text.count("\n"), path) for _, text, path in rust_files(with_path=True)]
    for n, path in sorted(sizes, reverse=True)[:limit]:
        print(f"{n:5} {path}")


def clap():
    allowed = ("cli.rs", "lib.rs", "main.rs", "dispatch.rs", os.path.join("output", "mod.rs"))
    clap_names = re.compile(r"\bclap\b|\bcli::|\b(GlobalArgs|StackArgs|ServeArgs|UpArgs)\b")
    for rel, text in rust_files():
        if rel in allowed or rel.startswith(("commands" + os.sep, "cli" + os.sep)):
            continue
        for n, line in enumerate(strip_comments(text).split("\n"), 1):
            if clap_names.search(line):
                print(f"{rel}:{n}: {line.strip()}")


if __name__ == "__main__":
    what = sys.argv[1] if len(sys.argv) > 1 else "edges"
    if what == "edges" and len(sys.argv) > 2:
        inner_edges(sys.argv[2])
    elif what == "edges":
        edges()
    elif what == "functions":
        functions(int(sys.argv[2]) if len(sys.argv) > 2 else 5)
    elif what == "files":
        longest_files(int(sys.argv[2]) if len(sys.argv) > 2 else 15)
    elif what == "clap":
        clap()
    else:
        sys.exit(__doc__)
