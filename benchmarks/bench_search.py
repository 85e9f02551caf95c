"""Search latency over 1,000,000 SYNTHETIC postings (bar: p95 under 50 ms on 2 cores).

Builds a database (``db upgrade``, the reference data) whose ``search_documents`` hold
1,000,000 SYNTHETIC postings from ``synthetic.posting_rows`` (enterprises, product lines, needs
and offers; every row's detail says «синтетические данные»), then times
``matching.search.search(session, query)`` in-process, a new session per query as a request has,
for a few hundred realistic queries: 1–4 words in Russian case and number forms, some with a
typo, a region filter, a kinds filter, or as-you-type prefix matching. The first call loads the
spelling vocabulary: that load is timed and reported apart, with a warm-up, before the timing.

The SQLite file is kept under the temporary folder and reused while it holds the right number of
rows; a PostgreSQL database (``--database postgresql://…``, one the benchmark may fill) is
filled from that file when it exists, else generated again.

    .venv/bin/python benchmarks/bench_search.py [--database URL] [--postings N] [--queries N]
"""

import argparse
import gc
import os
import random
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import text

sys.path.insert(0, str(Path(__file__).resolve().parent))
from synthetic import (
    FIRM_ADJECTIVES,
    FIRM_NOUNS,
    GLUED_HEADS,
    GLUED_TAILS,
    SURNAMES,
    _qualifier,
    _reference,
    posting_rows,
    product_titles,
)

from promcluster.compliance.rules import load_rules
from promcluster.db import insert_rows, make_engine, make_sessionmaker, transaction
from promcluster.dbadmin import upgrade
from promcluster.matching.documents import COLUMNS
from promcluster.matching.search import search
from promcluster.matching.vocabulary import known_words
from promcluster.reference.service import load_reference, reference_loaded

BAR_MS = 50.0
BATCH = 10_000
CACHE = Path(tempfile.gettempdir()) / "promcluster-bench-search"
CASES = (("nomn", "sing"), ("nomn", "plur"), ("gent", "sing"), ("gent", "plur"),
         ("accs", "plur"), ("datv", "plur"), ("loct", "sing"), ("ablt", "plur"))  # fmt: skip
FUNCTION_WORDS = frozenset(
    ["и", "или", "в", "во", "с", "со", "из", "для", "на", "по", "к", "от", "до", "без", "не"]
)
QUALIFIER_WORDS = frozenset(["марка", "сорт", "ГОСТ", "ТМ", "сталь", "мм", "кВт", "высший"])
KIND_FILTERS = (("need",), ("offer",), ("need", "offer"), ("product",), ("enterprise",))


def sqlite_url(postings: int) -> str:
    return f"sqlite:///{CACHE / f'search-{postings}.db'}"


def count_documents(url: str) -> int:
    with make_engine(url).connect() as connection:
        return connection.execute(text("SELECT count(*) FROM search_documents")).scalar_one()


def cached_rows(postings: int) -> Iterator[tuple]:
    """The postings of the cached SQLite file, or freshly generated ones."""
    path = CACHE / f"search-{postings}.db"
    if path.exists() and count_documents(sqlite_url(postings)) == postings:
        db = sqlite3.connect(path)
        yield from db.execute(f"SELECT {', '.join(COLUMNS)} FROM search_documents ORDER BY id")
        db.close()
    else:
        yield from posting_rows(postings)


def build(url: str, postings: int) -> float | None:
    """Fill ``url`` with the reference data and ``postings`` synthetic postings; the seconds it
    took, or ``None`` when it already held them."""
    if url.startswith("sqlite"):
        CACHE.mkdir(exist_ok=True)
        path = Path(url.removeprefix("sqlite:///"))
        if path.exists() and count_documents(url) != postings:
            for suffix in ("", "-wal", "-shm"):
                Path(f"{path}{suffix}").unlink(missing_ok=True)
    start = time.perf_counter()
    upgrade(url)
    engine = make_engine(url)
    with transaction(make_sessionmaker(engine)) as session:
        if not reference_loaded(session):
            load_reference(session)
            load_rules(session)
    if count_documents(url) == postings:
        return None
    with engine.begin() as connection:
        connection.execute(text("DELETE FROM search_documents"))
    rows, done = cached_rows(postings), 0
    while batch := [r for _, r in zip(range(BATCH), rows, strict=False)]:
        with engine.begin() as connection:
            insert_rows(connection, "search_documents", COLUMNS, batch)
        done += len(batch)
        if done % 100_000 == 0:
            print(f"  {done:,} postings, {time.perf_counter() - start:.0f} s", file=sys.stderr)
    with engine.begin() as connection:
        connection.execute(text("ANALYZE"))
    return time.perf_counter() - start


@dataclass(frozen=True)
class Query:
    text: str
    kinds: tuple[str, ...] | None = None
    region: str | None = None
    prefix: bool = False
    typo: bool = False

    def label(self) -> str:
        marks = [f"kinds={','.join(self.kinds)}"] if self.kinds else []
        marks += [f"region={self.region}"] if self.region else []
        marks += ["prefix"] if self.prefix else []
        marks += ["typo"] if self.typo else []
        return f"«{self.text}»" + (f" ({', '.join(marks)})" if marks else "")


def _inflected(phrase: str, rng: random.Random) -> str:
    """``phrase`` with its nouns and adjectives put in one random case and number."""
    from promcluster.matching.text import _morph

    case, number = rng.choice(CASES)
    found = []
    for word in phrase.split():
        parse = _morph().parse(word)[0]
        form = None
        if parse.tag.POS in ("NOUN", "ADJF", "PRTF"):
            form = parse.inflect({case, number}) or parse.inflect({case})
        found.append(form.word if form else word.lower())
    return " ".join(found)


def _typo(word: str, rng: random.Random) -> str:
    """``word`` with one slip of the hand (never in the first letter)."""
    i = rng.randrange(1, len(word) - 1)
    slip = rng.randrange(4)
    if slip == 0:
        return word[:i] + word[i + 1 :]  # a letter left out
    if slip == 1:
        return word[:i] + word[i + 1] + word[i] + word[i + 2 :]  # two letters swapped
    if slip == 2:
        return word[:i] + word[i] + word[i:]  # a letter doubled
    return word[:i] + rng.choice("аеиоуынтсрлвк") + word[i + 1 :]  # a wrong letter


def queries(count: int, seed: int = 7) -> list[Query]:
    """``count`` realistic queries: product words (from other SYNTHETIC titles than the index's),
    firm names, a few with numbers; ~15 % with a typo, ~20 % with a region, ~20 % with kinds,
    ~15 % as-you-type prefixes."""
    rng = random.Random(seed)
    regions = _reference()[0]
    titles = product_titles(count * 2, seed)
    found: list[Query] = []
    while len(found) < count:
        title, _ = next(titles)
        roll = rng.random()
        if roll < 0.15:
            words = rng.choice(
                (
                    f"{rng.choice(FIRM_ADJECTIVES)} {rng.choice(FIRM_NOUNS)}",
                    (rng.choice(GLUED_HEADS) + rng.choice(GLUED_TAILS)).lower(),
                    rng.choice(SURNAMES),
                )
            )
        else:
            plain = [w for w in title.split() if w.isalpha() and w not in QUALIFIER_WORDS]
            plain = plain[: rng.choice((1, 2, 2, 3, 3, 4))]
            while len(plain) > 1 and plain[-1].lower() in FUNCTION_WORDS:
                plain.pop()
            words = " ".join(plain)
        phrase = _inflected(words, rng).split()
        if roll > 0.85:  # a size or a grade as people type it: «57», «м200», «09г2с»
            value = _qualifier(rng).split()[-1 if rng.random() < 0.5 else 0].lower().strip("«»")
            if any(c.isdigit() for c in value):
                phrase.append(value)
        typo = rng.random() < 0.15 and any(len(w) >= 5 for w in phrase)
        if typo:
            i = rng.choice([i for i, w in enumerate(phrase) if len(w) >= 5])
            phrase[i] = _typo(phrase[i], rng)
        prefix = rng.random() < 0.15 and len(phrase[-1]) >= 5
        if prefix:
            phrase[-1] = phrase[-1][: rng.randint(3, len(phrase[-1]) - 1)]
        kinds = rng.choice(KIND_FILTERS) if rng.random() < 0.2 else None
        region = rng.choice(regions) if rng.random() < 0.2 else None
        found.append(Query(" ".join(phrase), kinds, region, prefix, typo))
    return found


def percentile(values: list[float], q: int) -> float:
    """The ``q``-th percentile, interpolated between the measured values."""
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1]


def run_query(factory, query: Query):
    with factory() as session:
        kinds = {"kinds": query.kinds} if query.kinds else {}
        return search(session, query.text, region=query.region, prefix=query.prefix, **kinds)


def load() -> str:
    return " / ".join(f"{v:.2f}" for v in os.getloadavg())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", help="default: a SQLite file under the temporary folder")
    parser.add_argument("--postings", type=int, default=1_000_000)
    parser.add_argument("--queries", type=int, default=400)
    args = parser.parse_args()
    url = args.database or sqlite_url(args.postings)
    built = build(url, args.postings)
    backend = "SQLite" if url.startswith("sqlite") else "PostgreSQL"
    print(f"{backend}: {count_documents(url):,} SYNTHETIC postings", end="")
    print(f", built in {built:.0f} s" if built else " (database reused)")
    factory = make_sessionmaker(make_engine(url))
    known_words.forget()
    with factory() as session:
        start = time.perf_counter()
        vocabulary = known_words.get(session.connection())
        loading = time.perf_counter() - start
    print(f"spelling vocabulary: {len(vocabulary):,} words loaded in {loading * 1000:.0f} ms")
    for query in queries(30, seed=99):  # warm-up: pymorphy, caches, the database's pages
        run_query(factory, query)
    gc.freeze()  # as ``promcluster serve`` does after its warm-up
    load_before = load()
    timed, answered, fallback, ms, cpu = queries(args.queries), 0, 0, [], []
    for query in timed:
        start, start_cpu = time.perf_counter(), time.process_time()
        results = run_query(factory, query)
        ms.append((time.perf_counter() - start) * 1000)
        cpu.append((time.process_time() - start_cpu) * 1000)
        answered += bool(results.hits)
        fallback += not results.every_word
    print(f"load average (1/5/15 min): {load_before} before timing, {load()} after")
    share = answered / len(timed)
    print(f"{len(timed)} queries after 30 warm-up queries; share with at least one hit: "
          f"{share:.1%} ({fallback} answered by the any-word fallback)\n")  # fmt: skip
    groups = {
        "all": [True] * len(timed),
        "plain (no typo, filter or prefix)": [
            not (q.typo or q.kinds or q.region or q.prefix) for q in timed
        ],
        "with a typo": [q.typo for q in timed],
        "region filter": [bool(q.region) for q in timed],
        "kinds filter": [bool(q.kinds) for q in timed],
        "prefix=True": [q.prefix for q in timed],
    }
    print("| queries | n | p50 ms | p95 ms | p99 ms | max ms | p95 CPU ms |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for name, chosen in groups.items():
        part = [m for m, c in zip(ms, chosen, strict=True) if c]
        own = [m for m, c in zip(cpu, chosen, strict=True) if c]
        if len(part) >= 2:
            p95, p99 = percentile(part, 95), percentile(part, 99)
            print(f"| {name} | {len(part)} | {statistics.median(part):.1f} | {p95:.1f} | "
                  f"{p99:.1f} | {max(part):.1f} | {percentile(own, 95):.1f} |")  # fmt: skip
    print("(CPU ms: this process only; on PostgreSQL the server's work is not in it)")
    print("\nslowest queries:")
    for m, q in sorted(zip(ms, timed, strict=True), key=lambda x: -x[0])[:8]:
        print(f"  {m:7.1f} ms  {q.label()}")
    ok = percentile(ms, 95) < BAR_MS
    print(f"\nBar (search p95 < {BAR_MS:.0f} ms over {args.postings:,} postings, {backend}): "
          f"{'PASS' if ok else 'FAIL'} ({percentile(ms, 95):.1f} ms)")  # fmt: skip
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
