"""Catalogue benchmark: ingest 50,000 records, then time French searches with facets.

    .venv/bin/python benchmarks/catalogue_bench.py                  # 50,000 records, SQLite
    .venv/bin/python benchmarks/catalogue_bench.py --records 5000   # a quick run
    .venv/bin/python benchmarks/catalogue_bench.py --db-url postgresql+psycopg://u@127.0.0.1/bench
    .venv/bin/python benchmarks/catalogue_bench.py --pg     # a throw-away PostgreSQL server

Makes a fresh catalogue in a temporary folder (SQLite in WAL mode by default; `--db-url` for an
empty PostgreSQL database) and fills it with `--records` realistic records from the 12 countries:
French titles and descriptions built from each country's curriculum, levels, subjects, events.
90 % arrive through `Catalogue.publish_package` (a small package file each, stored in the file
store, one transaction per record; 5 % of them stay submitted, not public) and 10 % through
`Catalogue.upsert_harvested` (metadata only, as the OAI-PMH harvester stores them). The ingest
rate is records per second of wall time over the whole load, single process.

Then it runs a fixed set of French queries and facet filters (`QUERIES`) through
`Catalogue.search`, `--rounds` times each in a shuffled order after one untimed warm-up round,
and reports p50, p95 and max latency overall and per query. Each search returns the page of
results (20 `ResourceInfo`) and the counts of the seven facets.

Then, with `--http` (the default; `--no-http` to skip), it starts the real server
(`imaginecole catalogue serve --data DIR --port P` in a subprocess, against the same database)
and measures the same queries over HTTP, through the JSON API (`/api/search`) and the HTML
search page (`/recherche`): **cold**, the catalogue's generation is bumped (as any public change
does) before every request, so the server's answer cache is of no use and every search runs
its SQL; **warm**, repeats answered from the cache. Then a FULL OAI-PMH harvest over HTTP with
the sickle client (ListIdentifiers, and ListRecords in oai_dc: every record, page after page),
and `catalogue harvest` of it all into a second, empty catalogue (parse and store).

Targets from the issue, on 2 cores: ingest >= 200 records/s; search p95 <= 50 ms over HTTP.

Writes benchmarks/results/catalogue_bench.md and .json (catalogue_bench_postgresql.* on
PostgreSQL).
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import platform
import random
import shutil
import signal
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from imaginecole.catalogue.model import PUBLISHED, SUBMITTED, principal_for_role  # noqa: E402
from imaginecole.catalogue.service import Catalogue  # noqa: E402
from imaginecole.curricula import levels, subjects  # noqa: E402
from imaginecole.ports import free_loopback_port  # noqa: E402
from imaginecole.subprocesses import stop  # noqa: E402
from imaginecole.workshop.countries import COUNTRIES  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
RESULTS = Path(__file__).parent / "results"
INGEST_TARGET = 200.0  # records/s
SEARCH_P95_TARGET_MS = 50.0  # over HTTP
IN_PROCESS_AIM_MS = 25.0  # in process, cold: room left for HTTP

TOPICS = {
    "mathematiques": [
        "les fractions",
        "la fraction d'un nombre",
        "les nombres décimaux",
        "la multiplication posée",
        "la division euclidienne",
        "le périmètre du rectangle",
        "l'aire du triangle",
        "la proportionnalité",
        "les équations du premier degré",
        "les angles et les triangles",
        "la symétrie axiale",
        "les statistiques au marché",
    ],
    "francais": [
        "la lecture à voix haute",
        "la conjugaison du présent",
        "l'accord du participe passé",
        "le conte africain",
        "l'élève et le livre",
        "le vocabulaire de l'école",
        "l'orthographe des homophones",
        "la poésie de Senghor",
    ],
    "svt": [
        "le corps humain",
        "la respiration des plantes",
        "les volcans",
        "le cycle de l'eau",
        "la chaîne alimentaire",
        "la germination du mil",
    ],
    "histoire-geographie": [
        "l'empire du Mali",
        "les fleuves d'Afrique de l'Ouest",
        "la décolonisation",
        "le climat sahélien",
        "la carte du pays",
    ],
    "anglais": ["greetings and introductions", "the family", "numbers and colours"],
    "education-civique": ["les droits de l'enfant", "le vivre-ensemble", "la citoyenneté"],
    "*": [
        "l'énergie solaire",
        "l'hygiène et la santé",
        "le recyclage des déchets",
        "la sécurité routière",
    ],
}
ACTIVITIES = ["Quiz", "Exercice", "Jeu", "Évaluation", "Fiche mémo", "Défi", "Révision"]
KINDS = ["single_choice", "multiple_choice", "true_false", "ordering", "matching", "flashcards"]
LICENCES = ["CC-BY-SA-4.0"] * 6 + ["CC-BY-4.0", "CC0-1.0", "CC-BY-NC-SA-4.0"]
EVENTS = [None] * 6 + ["Hackathon Dakar 2026", "Atelier Lomé", "Formation en cascade Bamako"]
FIRST = ["Awa", "Moussa", "Fatou", "Ibrahim", "Aïcha", "Kofi", "Mariam", "Sékou", "Leïla", "Yao"]
LAST = ["Diop", "Traoré", "Ouédraogo", "Koné", "Ben Salah", "Mensah", "Camara", "Sow", "Ndiaye"]

# (label, q, filters, sort, page)
QUERIES: list[tuple[str, str, dict[str, list[str]], str, int]] = [
    ("home: everything", "", {}, "relevance", 1),
    ("fractions", "fractions", {}, "relevance", 1),
    ("les fractions décimales", "les fractions décimales", {}, "relevance", 1),
    ("eleve (no accents)", "eleve", {}, "relevance", 1),
    ("géométrie triangle", "géométrie triangle", {}, "relevance", 1),
    ("conjugaison", "conjugaison", {}, "relevance", 1),
    ("volcans", "volcans", {}, "relevance", 1),
    ("prefix: multipl", "multipl", {}, "relevance", 1),
    ("énergie solaire", "énergie solaire", {}, "relevance", 1),
    ("empire du mali", "empire du mali", {}, "relevance", 1),
    ("stop words: la", "la", {}, "relevance", 1),
    ("no match: photosynthèse", "photosynthèse", {}, "relevance", 1),
    ("country SN", "", {"country": ["SN"]}, "recent", 1),
    ("country SN + level cm1", "", {"country": ["SN"], "level": ["cm1"]}, "recent", 1),
    ("subject maths, page 5", "", {"subject": ["mathematiques"]}, "recent", 5),
    ("fractions in SN, CI", "fractions", {"country": ["SN", "CI"]}, "relevance", 1),
    ("lecture, CC-BY-SA", "lecture", {"licence": ["CC-BY-SA-4.0"]}, "relevance", 1),
    ("event hackathon", "", {"event": ["Hackathon Dakar 2026"]}, "title", 1),
    ("type h5p, sorted by title", "", {"type": ["h5p"]}, "title", 1),
    (
        "cycle de l'eau, svt TN",
        "cycle de l'eau",
        {"subject": ["svt"], "country": ["TN"]},
        "relevance",
        1,
    ),
]


class ServiceTarget:
    """Searches through `Catalogue.search` in this process."""

    name = "service"

    def __init__(self, catalogue: Catalogue) -> None:
        self.catalogue = catalogue

    def search(self, q: str, filters: dict[str, list[str]], sort: str, page: int) -> int:
        result = self.catalogue.search(q, filters, page=page, per_page=20, sort=sort)
        return result.total

    def forget(self) -> None:
        """Drop the answers the catalogue keeps, so the next search runs its SQL."""
        self.catalogue.search_cache.clear()


class HttpTarget:
    """Searches through the running server: the JSON API, or the HTML search page."""

    def __init__(self, base: str, catalogue: Catalogue, *, page: bool) -> None:
        import requests

        self.base = base
        self.catalogue = catalogue
        self.page = page
        self.name = "http-page" if page else "http-api"
        self.session = requests.Session()

    def search(self, q: str, filters: dict[str, list[str]], sort: str, page: int) -> int:
        params: list[tuple[str, str]] = [("q", q), ("page", str(page))]
        params += [(facet, v) for facet, values in filters.items() for v in values]
        if self.page:
            params.append(("tri", sort))
            response = self.session.get(self.base + "recherche", params=params, timeout=60)
            response.raise_for_status()
            return len(response.content)
        params += [("sort", sort), ("per_page", "20")]
        response = self.session.get(self.base + "api/search", params=params, timeout=60)
        response.raise_for_status()
        return response.json()["total"]

    def forget(self) -> None:
        """Expire the server's answers the way any public change does: bump the
        catalogue's generation (one small write, untimed)."""
        from imaginecole.catalogue.search import bump_generation

        with self.catalogue.db.write() as conn:
            bump_generation(conn)


class Server:
    """`imaginecole catalogue serve` in a subprocess, until `stop()`."""

    def __init__(self, data: Path, db_url: str | None, log: Path) -> None:
        import requests

        self.port = free_loopback_port()
        self.base = f"http://127.0.0.1:{self.port}/"
        command = [sys.executable, "-m", "imaginecole", "catalogue", "serve"]
        command += ["--data", str(data), "--port", str(self.port)]
        if db_url:
            command += ["--db-url", db_url]
        env = {**os.environ, "JUPYTER_PATH": str(REPO / "templates")}
        self.log = log.open("w")
        self.process = subprocess.Popen(
            command, cwd=REPO, env=env, stdout=self.log, stderr=subprocess.STDOUT
        )
        deadline = time.monotonic() + 60
        while True:
            if self.process.poll() is not None:
                raise RuntimeError(f"the server stopped: {log.read_text()[-2000:]}")
            try:
                if requests.get(self.base + "api/", timeout=2).status_code == 200:
                    return
            except requests.ConnectionError:
                pass
            if time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"the server did not start: {log.read_text()[-2000:]}")
            time.sleep(0.2)

    def stop(self) -> None:
        stop(self.process, timeout=30)
        self.log.close()


def measure_oai(base: str) -> dict[str, Any]:
    """A full harvest with sickle: every record of ListIdentifiers and of ListRecords."""
    from sickle import Sickle

    client = Sickle(base + "oai", timeout=120)
    out: dict[str, Any] = {}
    for verb in ("ListIdentifiers", "ListRecords"):
        started = time.perf_counter()
        n = sum(1 for _record in getattr(client, verb)(metadataPrefix="oai_dc"))
        seconds = time.perf_counter() - started
        out[verb] = {"records": n, "seconds": round(seconds, 2), "rate": round(n / seconds, 1)}
        print(f"OAI {verb}: {n} records in {seconds:.1f} s", flush=True)
    return out


def measure_harvest(base: str, work: Path) -> dict[str, Any]:
    """`harvest()` of the whole catalogue into an empty one (sickle, parse, store by pages)."""
    from imaginecole.catalogue.harvest import harvest

    target = Catalogue.open(work / "harvester", repository_id="bench-harvester")
    try:
        started = time.perf_counter()
        report = harvest(target, base + "oai", state_file=work / "harvest-state.json")
        seconds = time.perf_counter() - started
        stored = report.stored
        print(f"harvest: {stored} records stored in {seconds:.1f} s", flush=True)
        return {
            "records": stored,
            "rejected": len(report.rejected),
            "seconds": round(seconds, 2),
            "rate": round(stored / seconds, 1),
        }
    finally:
        target.close()


def measure_http(
    catalogue: Catalogue, work: Path, db_url: str | None, rounds: int, seed: int
) -> dict[str, Any]:
    server = Server(work / "data", db_url, work / "server.log")
    try:
        load = round(os.getloadavg()[0], 2)
        runs = []
        for page in (False, True):
            target = HttpTarget(server.base, catalogue, page=page)
            for cold in (True, False):
                run = measure_search(target, rounds, seed, cold=cold)
                runs.append(run)
                print(
                    f"{run['target']} ({run['cache']}): p50 {run['p50_ms']} ms, "
                    f"p95 {run['p95_ms']} ms, max {run['max_ms']} ms",
                    flush=True,
                )
        oai = measure_oai(server.base)
        harvested = measure_harvest(server.base, work)
        return {"load_before": load, "search": runs, "oai": oai, "harvest": harvested}
    finally:
        server.stop()


# -- the records ----------------------------------------------------------------------------


def curricula() -> dict[str, tuple[list[str], list[str]]]:
    return {
        code: ([lv["id"] for lv in levels(code)], [s["id"] for s in subjects(code)])
        for code in COUNTRIES
    }


def make_metadata(rng: random.Random, i: int, plan: dict[str, tuple[list[str], list[str]]]):
    country = rng.choice(list(COUNTRIES))
    country_levels, country_subjects = plan[country]
    subject = rng.choice(country_subjects)
    level = rng.choice(country_levels)
    topic = rng.choice(TOPICS.get(subject, TOPICS["*"]))
    activity = rng.choice(ACTIVITIES)
    title = f"{activity} : {topic}"
    if rng.random() < 0.3:
        title += f" ({level.upper()})"
    description = (
        f"{activity} sur {topic} pour les élèves de {level} au {COUNTRIES[country]}. "
        f"Ressource n° {i} créée en atelier : questions, indices et corrections."
    )
    authors = [{"name": f"{rng.choice(FIRST)} {rng.choice(LAST)}"}]
    metadata = {
        "title": title,
        "description": description,
        "language": "ar" if country in ("TN", "MR") and rng.random() < 0.3 else "fr",
        "licence": rng.choice(LICENCES),
        "country": country,
        "level": level,
        "subject": subject,
        "authors": authors,
        "keywords": topic.replace("l'", "").split()[-2:],
    }
    event = rng.choice(EVENTS)
    if event:
        metadata["event"] = event
    return metadata


def ingest(catalogue: Catalogue, records: int, work: Path, seed: int) -> dict[str, Any]:
    rng = random.Random(seed)
    plan = curricula()
    editor = principal_for_role("editeur", "editor")
    harvested_every = 10  # one record in ten arrives by harvest
    counts = {"publish_package": 0, "upsert_harvested": 0, "submitted": 0}
    times = {"publish_package": 0.0, "upsert_harvested": 0.0}
    packages = work / "packages"
    packages.mkdir(exist_ok=True)
    stamp = datetime(2026, 1, 1, tzinfo=UTC)
    started = time.perf_counter()
    for i in range(records):
        if i and i % 5000 == 0:
            print(f"  {i:>6} records, {i / (time.perf_counter() - started):.0f}/s", flush=True)
        metadata = make_metadata(rng, i, plan)
        t0 = time.perf_counter()
        if i % harvested_every == harvested_every - 1:
            catalogue.upsert_harvested(
                "https://catalogue.example.org/oai",
                f"oai:example:{i}",
                metadata,
                stamp + timedelta(seconds=i),
                False,
                type="grain",
                links={"html": f"https://catalogue.example.org/r/{i}"},
            )
            times["upsert_harvested"] += time.perf_counter() - t0
            counts["upsert_harvested"] += 1
            continue
        # a new small file each time, as a delivery holds them (rewriting one file in place
        # makes ext4 flush it to disk, which is not what an import does)
        package = packages / f"{i}.h5p"
        package.write_bytes(json.dumps({"n": i, **metadata}, ensure_ascii=False).encode())
        state = SUBMITTED if rng.random() < 0.05 else PUBLISHED
        catalogue.publish_package(
            editor,
            metadata,
            {"h5p": package},
            type=rng.choice(["h5p", "h5p", "scorm", "grain"]),
            kind=rng.choice(KINDS),
            state=state,
        )
        times["publish_package"] += time.perf_counter() - t0
        package.unlink()
        counts["publish_package"] += 1
        counts["submitted"] += state == SUBMITTED
    elapsed = time.perf_counter() - started
    return {
        "records": records,
        "seconds": round(elapsed, 2),
        "rate": round(records / elapsed, 1),
        "publish_package_rate": round(counts["publish_package"] / times["publish_package"], 1)
        if counts["publish_package"]
        else None,
        "upsert_harvested_rate": round(counts["upsert_harvested"] / times["upsert_harvested"], 1)
        if counts["upsert_harvested"]
        else None,
        **counts,
    }


# -- the searches ---------------------------------------------------------------------------


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    k = max(0, min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1))))
    return ordered[k]


def measure_search(target: Any, rounds: int, seed: int, *, cold: bool) -> dict[str, Any]:
    """Latencies of every query, `rounds` times; `cold`: the answer cache is emptied first."""
    for _label, q, filters, sort, page in QUERIES:  # warm-up: SQLite pages, stemmer, imports
        target.search(q, filters, sort, page)
    rng = random.Random(seed)
    per_query: dict[str, list[float]] = {label: [] for label, *_rest in QUERIES}
    totals: dict[str, int] = {}
    for _ in range(rounds):
        order = list(QUERIES)
        rng.shuffle(order)
        for label, q, filters, sort, page in order:
            if cold:
                target.forget()
            t0 = time.perf_counter()
            totals[label] = target.search(q, filters, sort, page)
            per_query[label].append((time.perf_counter() - t0) * 1000)
    everything = [ms for values in per_query.values() for ms in values]
    return {
        "target": target.name,
        "cache": "cold" if cold else "warm",
        "rounds": rounds,
        "calls": len(everything),
        "p50_ms": round(statistics.median(everything), 2),
        "p95_ms": round(percentile(everything, 95), 2),
        "max_ms": round(max(everything), 2),
        "queries": [
            {
                "label": label,
                "hits": totals[label],
                "p50_ms": round(statistics.median(values), 2),
                "p95_ms": round(percentile(values, 95), 2),
            }
            for label, values in per_query.items()
        ],
    }


# -- the report -----------------------------------------------------------------------------


def write_report(result: dict[str, Any], out_dir: Path) -> None:
    out_dir.mkdir(parents=True, exist_ok=True)
    stem = report_stem(result["environment"]["dialect"])
    (out_dir / f"{stem}.json").write_text(json.dumps(result, indent=2) + "\n")
    ing, srch, env = result["ingest"], result["search"], result["environment"]
    warm, http = result["search_warm"], result.get("http")
    ok = {True: "yes", False: "**no**"}
    p95 = SEARCH_P95_TARGET_MS
    rows = [
        (
            "ingest (records/s)",
            f"{ing['rate']}",
            f">= {INGEST_TARGET:.0f}",
            ok[ing["rate"] >= INGEST_TARGET],
        )
    ]
    for run in (srch, warm):
        rows.append(
            (
                f"search in process, {run['cache']} (p50 / p95 / max ms)",
                f"{run['p50_ms']} / {run['p95_ms']} / {run['max_ms']}",
                f"p95 <= {IN_PROCESS_AIM_MS:.0f} (aim)",
                ok[run["p95_ms"] <= IN_PROCESS_AIM_MS],
            )
        )
    if http:
        for run in http["search"]:
            where = "JSON /api/search" if run["target"] == "http-api" else "HTML /recherche"
            rows.append(
                (
                    f"search over HTTP, {where}, {run['cache']} (p50 / p95 / max ms)",
                    f"{run['p50_ms']} / {run['p95_ms']} / {run['max_ms']}",
                    f"p95 <= {p95:.0f}",
                    ok[run["p95_ms"] <= p95],
                )
            )
        for verb, done in http["oai"].items():
            rows.append(
                (
                    f"OAI-PMH full {verb} oai_dc over HTTP (sickle)",
                    f"{done['records']} records in {done['seconds']} s = {done['rate']}/s",
                    "every record",
                    ok[done["records"] == http["oai_expected"]],
                )
            )
        h = http["harvest"]
        rows.append(
            (
                "`harvest()` of it all into an empty catalogue",
                f"{h['records']} records in {h['seconds']} s = {h['rate']}/s",
                "every record",
                ok[h["records"] == http["oai_expected"] and not h["rejected"]],
            )
        )
    command = ".venv/bin/python benchmarks/catalogue_bench.py"
    command += f" --records {ing['records']}"
    if env["dialect"] != "sqlite":
        command += " --pg"
    lines = [
        "# Catalogue benchmark",
        "",
        f"Run {result['date']} on {env['cpus']} CPU(s), Python {env['python']}, database "
        f"{env['dialect']} ({env['server']}). Machine load (1-minute load average): "
        f"{env['load_before']} before the run, "
        f"{http['load_before'] if http else '-'} before the HTTP part, "
        f"{env['load_after']} after. Command: `{command}`.",
        "",
        "| measure | result | target | met |",
        "|---|---|---|---|",
        *[f"| {m} | {r} | {t} | {k} |" for m, r, t, k in rows],
        "",
        f"Ingest: {ing['records']} records in {ing['seconds']} s; {ing['publish_package']} "
        f"through `publish_package` ({ing['publish_package_rate']}/s, one small package file "
        f"each, {ing['submitted']} left submitted), {ing['upsert_harvested']} through "
        f"`upsert_harvested` ({ing['upsert_harvested_rate']}/s). One transaction per record, "
        "one process.",
        "",
        f"Searches: {len(srch['queries'])} queries x {srch['rounds']} rounds, shuffled, after "
        "a warm-up round; each returns 20 results (the HTML page: 20 per page too) and the "
        "counts of the seven facets. **cold**: in process, the answer cache is emptied before "
        "every search; over HTTP, the catalogue's generation is bumped before every request "
        "(as any public change does), so the server runs every search's SQL (its facet "
        "values in memory first read the change log, as after any change). **warm**: "
        "repeats, answered from the server's cache (the 20 results are still read).",
        "",
        "| query | hits | in process cold p50 / p95 ms | warm p50 ms |"
        + (" API cold p50 / p95 ms | page cold p50 / p95 ms |" if http else ""),
        "|---|---:|---:|---:|" + ("---:|---:|" if http else ""),
    ]
    api = page = None
    if http:
        api = next(r for r in http["search"] if r["target"] == "http-api" and r["cache"] == "cold")
        page = next(
            r for r in http["search"] if r["target"] == "http-page" and r["cache"] == "cold"
        )
    for n, (q, w) in enumerate(zip(srch["queries"], warm["queries"], strict=True)):
        line = f"| {q['label']} | {q['hits']} | {q['p50_ms']} / {q['p95_ms']} | {w['p50_ms']} |"
        if api and page:
            a, b = api["queries"][n], page["queries"][n]
            line += f" {a['p50_ms']} / {a['p95_ms']} | {b['p50_ms']} / {b['p95_ms']} |"
        lines.append(line)
    (out_dir / f"{stem}.md").write_text("\n".join(lines) + "\n")


def report_stem(dialect: str) -> str:
    """catalogue_bench (SQLite, the default) or catalogue_bench_postgresql."""
    return "catalogue_bench" if dialect == "sqlite" else f"catalogue_bench_{dialect}"


def start_postgres() -> tuple[Any, str]:
    """A throw-away PostgreSQL server, as the tests start it (tests/pgserver.py)."""
    sys.path.insert(0, str(REPO / "tests"))
    from pgserver import PostgresServer

    server = PostgresServer().start()
    return server, server.url(server.create_database("catalogue_bench"))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--records", type=int, default=50_000, help="records to ingest")
    parser.add_argument("--db-url", help="an EMPTY database URL (default: SQLite in a temp dir)")
    parser.add_argument(
        "--pg", action="store_true", help="start a throw-away PostgreSQL server and use it"
    )
    parser.add_argument(
        "--http",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="also measure over HTTP against the real server, and a full OAI-PMH harvest",
    )
    parser.add_argument("--rounds", type=int, default=20, help="timed rounds of every query")
    parser.add_argument("--seed", type=int, default=5, help="random seed of the records")
    parser.add_argument("--out", type=Path, default=RESULTS, help="folder for the results")
    parser.add_argument("--keep", action="store_true", help="keep the temporary catalogue")
    args = parser.parse_args(argv)

    # stopped by a signal, still clean up (the PostgreSQL server, the temporary folder)
    signal.signal(signal.SIGTERM, lambda *_args: sys.exit(1))
    load_before = os.getloadavg()
    pg_server = None
    if args.pg:
        pg_server, args.db_url = start_postgres()
    work = Path(tempfile.mkdtemp(prefix="imaginecole-catalogue-bench-"))
    catalogue = Catalogue.open(work / "data", db_url=args.db_url)
    try:
        if catalogue.count():
            parser.error("the database is not empty: give an empty one to --db-url")
        print(f"ingesting {args.records} records into {catalogue.dialect} ({work})", flush=True)
        ingest_result = ingest(catalogue, args.records, work, args.seed)
        print(f"ingest: {ingest_result['rate']} records/s", flush=True)
        # the ingest left this process a large heap: a server process starts without it
        # (and freezes what it made at start), so do the same before timing searches
        gc.collect()
        gc.freeze()
        target = ServiceTarget(catalogue)
        search_result = measure_search(target, args.rounds, args.seed, cold=True)
        warm_result = measure_search(target, args.rounds, args.seed, cold=False)
        for run in (search_result, warm_result):
            print(
                f"search ({run['cache']}): p50 {run['p50_ms']} ms, p95 {run['p95_ms']} ms",
                flush=True,
            )
        http_result = None
        if args.http:
            http_result = measure_http(catalogue, work, args.db_url, args.rounds, args.seed)
            http_result["oai_expected"] = catalogue.oai_count(since=None, until=None, set_spec=None)
        with catalogue.db.read() as conn:
            server_version = conn.exec_driver_sql(
                "select sqlite_version()"
                if catalogue.dialect == "sqlite"
                else "show server_version"
            ).scalar()
        result = {
            "date": datetime.now(UTC).replace(microsecond=0).isoformat(),
            "environment": {
                "cpus": os.cpu_count(),
                "python": platform.python_version(),
                "dialect": catalogue.dialect,
                "server": f"{catalogue.dialect} {server_version}",
                "sqlite": sqlite3.sqlite_version,
                # other work on the machine slows every figure; the 1-minute load says how much
                "load_before": round(load_before[0], 2),
                "load_after": round(os.getloadavg()[0], 2),
            },
            "ingest": ingest_result,
            "search": search_result,
            "search_warm": warm_result,
            "http": http_result,
        }
        write_report(result, args.out)
        print(f"wrote {args.out / report_stem(catalogue.dialect)}.md")
    finally:
        catalogue.close()
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
        if pg_server is not None:
            pg_server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
