"""How much everyday NumPy does wengert differentiate? `python -m tests.idioms.probe`

Runs every idiom (tests/idioms) through wengert and prints how many differentiate correctly,
how many raise a clear error, how many give a WRONG number (must be 0), the percentage that
differentiate, and each raising idiom with its message. Options: -v (every problem found,
in full), a theme or idiom name to run only those.
"""
import re
import sys
import time
from collections import defaultdict

from . import all_idioms
from .harness import run


def _first_line(details):
    for check, text in details:
        return f"[{check}] " + text.splitlines()[0][:200]
    return ""


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    verbose = "-v" in argv
    only = [a for a in argv if not a.startswith("-")]
    idioms = [i for i in all_idioms() if not only or i.theme in only or i.name in only]
    t0 = time.perf_counter()
    rows = defaultdict(list)
    skipped = []
    for idiom in idioms:
        if idiom.requires:
            try:
                __import__(idiom.requires)
            except ImportError:
                skipped.append(idiom)
                continue
        v = run(idiom)
        rows[v.status].append((idiom, v))
    total = sum(len(r) for r in rows.values())
    ok, raises, wrong = rows["ok"], rows["raises"], rows["wrong"]
    pct = 100.0 * len(ok) / total if total else 0.0
    print(f"wengert idiom probe: {total} idioms ({len(skipped)} skipped), "
          f"{time.perf_counter() - t0:.1f} s")
    print(f"  differentiate correctly : {len(ok)}")
    print(f"  raise a clear error     : {len(raises)}"
          f"  (of which expected by API.md: {sum(1 for i, _ in raises if not i.differentiates)})")
    print(f"  WRONG number            : {len(wrong)}   (must be 0)")
    print(f"  differentiate           : {pct:.1f}%   (target: at least 90%)")
    if wrong:
        print("\nWRONG:")
        for idiom, v in wrong:
            print(f"  {idiom.theme}.{idiom.name}  (needs: {idiom.needs or '-'})")
            print("    " + (v.describe() if verbose else _first_line(
                [d for d in v.details if d[1].startswith("WRONG")])).replace("\n", "\n    "))
    if raises:
        print("\nRaise:")
        for idiom, v in raises:
            tag = "expected" if not idiom.differentiates else f"needs: {idiom.needs or '-'}"
            print(f"  {idiom.theme}.{idiom.name}  ({tag})")
            print("    " + (v.describe() if verbose else _first_line(v.details)).replace("\n", "\n    "))
    missing = defaultdict(list)
    for idiom, v in wrong + raises:
        if idiom.differentiates or v.status == "wrong":
            missing[_feature(idiom, v)].append(idiom.name)
    if missing:
        print("\nNot yet differentiated correctly, by the feature they need:")
        for feature, names in sorted(missing.items(), key=lambda kv: (-len(kv[1]), kv[0])):
            print(f"  {feature} ({len(names)}): {', '.join(names)}")
    return 1 if wrong else 0


def _feature(idiom, v):
    """The idiom's declared need, else the NumPy function its error names."""
    if idiom.needs:
        return idiom.needs
    for _, e in v.errors:
        m = re.match(r"(np\.[\w.]+) is not differentiable", str(e))
        if m:
            return m.group(1)
    return "(undeclared)"


if __name__ == "__main__":
    sys.exit(main())
