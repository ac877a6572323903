#!/usr/bin/python3
"""Checks that cli/install-deps.sh (without --bench) installs what the tests use.

usage: setup_check.py SOURCE_DIR

A test that imports a Python module or runs a program that the set-up does
not install passes on a machine that happens to have it and fails on a fresh
one. This script finds, in tests/:
  - every Python import (ast) that is not in the standard library: the module
    must import under /usr/bin/python3 and come from a Debian package listed
    in install-deps.sh;
  - every program a test starts: a string literal (C, Python, shell) that is
    a program name or an absolute path, alone or followed by arguments, and
    that resolves to an executable on PATH or in PostgreSQL's bin folder.
    Its Debian package must be listed, or be Essential or of required
    priority (present on every Debian system).
It prints each gap with the file that needs it and exits 1, or prints one
line and exits 0.
"""
import ast
import glob
import os
import re
import shutil
import subprocess
import sys
import importlib.util

SRC = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "..")


def listed_packages():
    text = open(os.path.join(SRC, "cli", "install-deps.sh")).read()
    m = re.search(r'^PACKAGES="(.*?)"', text, re.S | re.M)
    if not m:
        sys.exit("setup_check: no PACKAGES=\"...\" list in cli/install-deps.sh")
    return set(m.group(1).split())


def owner(path):
    """Debian package that installed path, or None. Tries the path as given,
    then its /bin form (merged /usr), then the file the link points to."""
    tries = [path]
    if path.startswith("/usr/bin/") or path.startswith("/usr/sbin/"):
        tries.append(path[4:])
    tries.append(os.path.realpath(path))
    for p in tries:
        r = subprocess.run(["dpkg", "-S", p], capture_output=True, text=True)
        lines = [ln for ln in r.stdout.splitlines() if not ln.startswith("diversion ")]
        if r.returncode == 0 and lines:
            return lines[0].split(":", 1)[0].split(",")[0].strip()
    return None


def installed_closure(roots):
    """roots and every package they depend on (Depends, Pre-Depends),
    recursively, as installed on this machine: what installing roots
    brings."""
    r = subprocess.run(["dpkg-query", "-W", "-f=${Package}\t${Depends}, ${Pre-Depends}\t${Provides}\n"],
                       capture_output=True, text=True, check=True)
    deps, providers = {}, {}
    for line in r.stdout.splitlines():
        name, dep, prov = (line.split("\t") + ["", ""])[:3]
        alts = [a for a in re.split(r"\s*,\s*", dep) if a.strip()]
        # an alternative "a | b" counts through its first installed member
        deps[name] = [[re.split(r"[\s:(]", x.strip())[0] for x in a.split("|")] for a in alts]
        for p in prov.split(","):
            p = re.split(r"[\s(]", p.strip())[0]
            if p:
                providers.setdefault(p, []).append(name)
    seen, queue = set(), list(roots)
    while queue:
        pkg = queue.pop()
        if pkg in seen:
            continue
        seen.add(pkg)
        for alt in deps.get(pkg, []):
            for choice in alt:
                cands = [choice] if choice in deps else providers.get(choice, [])
                if cands:
                    queue.extend(cands)
                    break
    return seen


def always_present(pkg):
    r = subprocess.run(["dpkg-query", "-W", "-f=${Essential} ${Priority}", pkg],
                       capture_output=True, text=True)
    return r.returncode == 0 and (r.stdout.startswith("yes") or r.stdout.endswith("required"))


def test_files(exts):
    out = []
    for ext in exts:
        out += glob.glob(os.path.join(SRC, "tests", "**", "*." + ext), recursive=True)
    return sorted(f for f in out if "/fuzz/" not in f)


def python_imports():
    found = {}
    for f in test_files(["py"]):
        tree = ast.parse(open(f).read(), f)
        for node in ast.walk(tree):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            for n in names:
                top = n.split(".")[0]
                if top not in sys.stdlib_module_names:
                    found.setdefault(top, set()).add(os.path.relpath(f, SRC))
    return found


LITERAL = {
    "c": re.compile(r'"((?:[^"\\\n]|\\.)*)"'),
    "h": re.compile(r'"((?:[^"\\\n]|\\.)*)"'),
    "py": re.compile(r'"((?:[^"\\\n]|\\.)*)"|\'((?:[^\'\\\n]|\\.)*)\''),
    "sh": re.compile(r'(?m)^\s*(?:exec\s+)?([A-Za-z0-9_./${}-]+)'),
}
# English words that are also programs: in a test's strings they are text
PROSE = {"column", "open", "more", "see", "top", "true", "false", "test", "time", "which",
         "join", "sort", "split", "head", "tail", "less", "last", "link", "install", "file"}
PG_BINS = sorted(glob.glob("/usr/lib/postgresql/*/bin"))


def resolve(word):
    word = re.sub(r"^\$\{?BIN\}?/", "", word)
    if word.startswith("/"):
        return word if os.path.isfile(word) and os.access(word, os.X_OK) else None
    if not re.fullmatch(r"[a-z][a-z0-9_.+-]*", word) or len(word) < 2 or word in PROSE:
        return None
    hit = shutil.which(word, path="/usr/bin:/bin:/usr/sbin:/sbin")
    if hit:
        return hit
    for d in PG_BINS:
        p = os.path.join(d, word)
        if os.path.isfile(p) and os.access(p, os.X_OK):
            return p
    return None


def programs():
    found = {}
    for ext, rx in LITERAL.items():
        for f in test_files([ext]):
            for m in rx.finditer(open(f, errors="replace").read()):
                lit = next(g for g in m.groups() if g is not None)
                words = lit.split(" ") if lit else [""]
                first = words[0]
                # one word (an argv element), or an absolute path and arguments
                if len(words) > 1 and not first.startswith("/") and ext != "sh":
                    continue
                # A literal is a command when it is one word, or a word and
                # arguments; prose ("see the log") also splits like that, so
                # only words that resolve to an installed program count.
                path = resolve(first)
                if path:
                    found.setdefault(path, set()).add(os.path.relpath(f, SRC))
    return found


def main():
    listed = installed_closure(listed_packages())
    gaps = []
    for mod, files in sorted(python_imports().items()):
        spec = importlib.util.find_spec(mod)
        if spec is None or not spec.origin:
            gaps.append(f"Python module {mod} (imported by {', '.join(sorted(files))}) "
                        "is not installed for /usr/bin/python3")
            continue
        pkg = owner(spec.origin)
        if pkg is None or pkg not in listed:
            gaps.append(f"Python module {mod} (imported by {', '.join(sorted(files))}) comes from "
                        f"{pkg or 'no Debian package'}, which install-deps.sh does not install")
    nprog = 0
    for path, files in sorted(programs().items()):
        pkg = owner(path)
        nprog += 1
        if pkg is None:
            gaps.append(f"program {path} (run by {', '.join(sorted(files))}) belongs to no Debian package")
        elif pkg not in listed and not always_present(pkg):
            gaps.append(f"program {path} (run by {', '.join(sorted(files))}) comes from {pkg}, "
                        "which install-deps.sh does not install")
    if gaps:
        for g in gaps:
            print("setup_check: " + g, file=sys.stderr)
        print("setup_check: add the packages to PACKAGES in cli/install-deps.sh", file=sys.stderr)
        return 1
    print(f"setup_check: {len(python_imports())} third-party Python modules and {nprog} programs "
          "used by the tests are installed by cli/install-deps.sh")
    return 0


if __name__ == "__main__":
    sys.exit(main())
