"""Build benchmarks/data/okpd2_eval.csv from the raw extracts in benchmarks/data/raw/.

Offline post-processing only: it reads text files saved under raw/ (each copied
from a cited public source) and the project's own OKPD2 reference table, applies
the filtering rules described in PROVENANCE.md and writes the evaluation CSV plus
a small JSON summary of what each rule dropped.  It never touches the network.

Usage:  python benchmarks/data/build_okpd2_eval.py
"""

from __future__ import annotations

import csv
import json
import re
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
RAW = HERE / "raw"
REPO = HERE.parent.parent
OKPD2_CSV = REPO / "src" / "promcluster" / "reference" / "data" / "okpd2.csv"
OUT_CSV = HERE / "okpd2_eval.csv"
OUT_STATS = RAW / "build_stats.json"

PER_CLASS_CAP = 5  # rows per source sharing one XX.XX class
PER_SOURCE_CAP = 300  # rows per source file

STE_SOURCE = (
    "IU-Capstone-Project-2024/Municipal-and-Government-Purchase-Forecaster/"
    "backend/src/main/java/ru/hackaton/python_scripts/СТЕ_ОКПД-2.csv"
    "@69fc002aed3c6a6b4e91c1bc78a359eebb8fa251"
)

# Sources whose names had their spaces removed (and were lower-cased) by the source
# itself; their rows get spaced=0, all others spaced=1.
SPACE_STRIPPED_SOURCES = {STE_SOURCE}

CODE_RE = re.compile(r"^\d{2}(?:\.\d{1,3})*$")


def load_reference() -> tuple[set[str], set[str]]:
    codes: set[str] = set()
    names: set[str] = set()
    with OKPD2_CSV.open(encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            codes.add(row["code"].strip())
            names.add(row["name"].strip().lower())
    return codes, names


def read_tsv(path: Path) -> list[tuple[str, str, str]]:
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        parts = line.split("\t")
        if len(parts) < 3:
            raise ValueError(f"{path.name}: expected name<TAB>code<TAB>source: {line!r}")
        rows.append((parts[0], parts[1], parts[2]))
    return rows


def read_ste(path: Path) -> list[tuple[str, str, str]]:
    rows = []
    with path.open(encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            rows.append((row["Название СТЕ"], row["ОКПД-2"], STE_SOURCE))
    return rows


def normalise_code(raw: str, codes: set[str]) -> tuple[str | None, str]:
    """Return (code, note); code is None when nothing at XX.XX.XX level or deeper exists."""
    code = raw.strip().replace(",", ".").replace(" ", "").rstrip(".")
    if not CODE_RE.match(code):
        return None, "malformed"
    if code in codes:
        return code, "exact"
    parts = code.split(".")
    for n in range(len(parts) - 1, 2, -1):  # keep at least XX.XX.XX
        cand = ".".join(parts[:n])
        if cand in codes:
            return cand, "prefix"
    return None, "absent"


def letters(s: str) -> int:
    return sum(ch.isalpha() for ch in s)


def main() -> None:
    codes, ref_names = load_reference()
    raw_rows: list[tuple[str, str, str]] = []
    for path in sorted(RAW.glob("*.tsv")):
        raw_rows.extend(read_tsv(path))
    for path in sorted(RAW.glob("ste_*.csv")):
        raw_rows.extend(read_ste(path))

    dropped: Counter[str] = Counter()
    prefixed: list[dict[str, str]] = []
    seen: set[tuple[str, str]] = set()
    per_class: Counter[tuple[str, str]] = Counter()
    per_source: Counter[str] = Counter()
    out: list[dict[str, str]] = []

    for name, raw_code, source in raw_rows:
        name = " ".join(name.split()) if name.strip() else ""
        if letters(name) < 3 or CODE_RE.match(name.replace(" ", "")):
            dropped["name empty, <3 letters or only a code"] += 1
            continue
        code, note = normalise_code(raw_code, codes)
        if code is None:
            dropped[f"code {note} in okpd2.csv"] += 1
            continue
        if name.lower() in ref_names:
            dropped["name identical to a classifier name"] += 1
            continue
        key = (name, code)
        if key in seen:
            dropped["exact duplicate (name, code)"] += 1
            continue
        src_file = source.split("@")[0]
        cls = code[:5]
        if per_class[(src_file, cls)] >= PER_CLASS_CAP:
            dropped[f"over {PER_CLASS_CAP} rows per source and XX.XX class"] += 1
            continue
        if per_source[src_file] >= PER_SOURCE_CAP:
            dropped[f"over {PER_SOURCE_CAP} rows per source file"] += 1
            continue
        seen.add(key)
        per_class[(src_file, cls)] += 1
        per_source[src_file] += 1
        if note == "prefix":
            prefixed.append({"name": name, "raw_code": raw_code, "code": code})
        spaced = "0" if source in SPACE_STRIPPED_SOURCES else "1"
        out.append({"name": name, "code": code, "source": source, "spaced": spaced})

    with OUT_CSV.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(
            fh, fieldnames=["name", "code", "source", "spaced"], lineterminator="\r\n"
        )
        writer.writeheader()
        writer.writerows(out)

    by_div = Counter(r["code"][:2] for r in out)
    stats = {
        "raw_rows": len(raw_rows),
        "kept": len(out),
        "dropped": dict(dropped),
        "prefix_truncated": prefixed,
        "per_source": dict(per_source),
        "by_division": dict(sorted(by_div.items())),
        "distinct_codes": len({r["code"] for r in out}),
        "spaced_1": sum(r["spaced"] == "1" for r in out),
        "sources": len({r["source"] for r in out}),
    }
    OUT_STATS.write_text(json.dumps(stats, ensure_ascii=False, indent=1), encoding="utf-8")
    print(
        json.dumps(
            {k: v for k, v in stats.items() if k != "prefix_truncated"},
            ensure_ascii=False,
            indent=1,
        )
    )
    print("prefix-truncated:", len(prefixed))


if __name__ == "__main__":
    main()
