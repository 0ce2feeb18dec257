"""The ``watchdesk`` command: a thin click layer over the Python API in ``watchdesk.pipeline``."""
from __future__ import annotations

import json
import sqlite3
import sys
from pathlib import Path

import click

from . import __version__
from .extract.nlp import DEFAULT_MODEL, ModelNotInstalledError
from .store.db import DEFAULT_DB, Store, StoreError
from .types import ExtractedDocument, RawDocument, ReadError

SAMPLE_DIR = Path(__file__).parent / "data" / "sample"

db_option = click.option("--db", default=DEFAULT_DB, show_default=True, type=click.Path(dir_okay=False),
                         help="SQLite database file.")
model_option = click.option("--model", default=DEFAULT_MODEL, show_default=True,
                            help="Name of any installed spaCy pipeline.")
no_clean_option = click.option("--no-clean", is_flag=True,
                               help="Take input text as it is (offsets line up with external gold data).")


def language_options(command):
    """--language, --pipeline and --config: which pipeline analyses which language."""
    command = click.option("--config", "config_file", type=click.Path(dir_okay=False, exists=True),
                           help="TOML file with [pipelines.xx] tables (engine, model, labels, passes, cues).")(command)
    command = click.option("--pipeline", "pipeline_opts", multiple=True, metavar="LANG=ENGINE[:MODEL]",
                           help="Add or replace a language's pipeline, e.g. fr=spacy:fr_core_news_sm "
                                "(repeatable; engines: spacy, natasha).")(command)
    return click.option("--language", help="Analyse every document as this language (ISO 639-1), instead of "
                                           "detecting it; a JSONL \"language\" field still wins.")(command)


def _pipelines(model: str, pipeline_opts: tuple[str, ...] = (), config_file: str | None = None,
               language: str | None = None, check: bool = True) -> dict:
    """The run's language pipelines, checked: a configured pipeline that is missing stops the run here."""
    from .extract.languages import (ConfigError, check_installed, default_specs, load_config,
                                    parse_pipeline_option, with_english_model)

    try:
        specs = default_specs()
        if config_file:
            specs.update(load_config(config_file))
        for option in pipeline_opts:
            spec = parse_pipeline_option(option)
            specs[spec.language] = spec
        specs = with_english_model(specs, model)
        if language is not None and language.lower() not in specs:
            raise ConfigError(f"--language {language}: no pipeline is configured for it "
                              f"(configured: {', '.join(sorted(specs))}; add one with --pipeline)")
        if check:
            for spec in specs.values():
                check_installed(spec)
    except (ConfigError, ModelNotInstalledError) as exc:
        raise click.ClickException(str(exc)) from exc
    return specs


def _printable(text: str) -> str:
    """Control characters (a newline in a file name) shown escaped, so one error stays one line."""
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)


def _report_error(error: ReadError) -> None:
    click.echo(f"watchdesk: skipped {_printable(error.source)}: {_printable(error.reason)}", err=True)


def _open_store(db: str, must_exist: bool = True) -> Store:
    if must_exist and not Path(db).exists():
        raise click.ClickException(f"no database at {db} (run `watchdesk ingest ... --db {db}` first)")
    try:
        return Store(db)
    except StoreError as exc:
        raise click.ClickException(str(exc)) from exc


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="watchdesk")
def main() -> None:
    """Watchdesk: evidence-linked knowledge graph from noisy news articles."""


@main.command()
@click.argument("inputs", nargs=-1, required=True)
@db_option
@model_option
@no_clean_option
@click.option("--quiet", "-q", is_flag=True, help="No progress bar.")
@click.option("--max-bytes", type=click.IntRange(min=1), default=None,
              help="Refuse inputs larger than this (bytes, after decompression)  [default: 50 MB]")
@click.option("--workers", type=click.IntRange(min=1), default=1, show_default=True,
              help="Processes that read, clean and extract (this one writes the store, in input order).")
@click.option("--engine", type=click.Choice(["local", "dask"]), default="local", show_default=True,
              help="dask: extract on a Dask cluster (--scheduler) into Parquet shards (--out), "
                   "then `watchdesk load SHARDS --db DB`.")
@click.option("--scheduler", help="Dask scheduler address, e.g. tcp://HOST:8786 (with --engine dask).")
@click.option("--out", "shards_out", type=click.Path(file_okay=False),
              help="Folder for the Parquet shards (with --engine dask; shared with the workers).")
@language_options
def ingest(inputs: tuple[str, ...], db: str, model: str, no_clean: bool, quiet: bool,
           max_bytes: int | None = None, workers: int = 1, engine: str = "local",
           scheduler: str | None = None, shards_out: str | None = None, language: str | None = None,
           pipeline_opts: tuple[str, ...] = (), config_file: str | None = None) -> None:
    """Read, clean, extract and store articles (files, directories, JSONL, WARC, - for stdin).

    Exits 1 when some inputs could not be read (they are listed; the others are stored).
    """
    from tqdm import tqdm

    from .pipeline import ingest as run_ingest

    if engine == "dask":
        _ingest_on_cluster(inputs, scheduler, shards_out, model, not no_clean, max_bytes)
        return
    specs = _pipelines(model, pipeline_opts, config_file, language)  # fail early, before touching the database
    with _open_store(db, must_exist=False) as store, \
            tqdm(desc="ingest", unit="doc", disable=quiet or None, file=sys.stderr) as bar:
        def on_item(item: ExtractedDocument | RawDocument | ReadError) -> None:
            if isinstance(item, ReadError):
                bar.clear()
                _report_error(item)
            bar.update(1)

        from .read.readers import MAX_BYTES

        try:
            report = run_ingest(inputs, store, model=model, clean=not no_clean, on_item=on_item,
                                max_bytes=max_bytes or MAX_BYTES, workers=workers, pipelines=specs,
                                language=language.lower() if language else None)
        except (StoreError, sqlite3.OperationalError) as exc:  # e.g. disk full while resolving
            bar.clear()
            raise click.ClickException(f"{exc}: ingest stopped (the documents stored so far are kept;"
                                       " run it again to resume)") from exc
        counts = store.counts()
    _summarise(db, report, counts)


def _summarise(db: str, report, counts: dict[str, int]) -> None:
    """The summary after ingest or load; exit 1 when some inputs were skipped."""
    click.echo(f"{report.added} documents added, {report.unchanged} unchanged, "
               f"{report.entities} entities, {report.mentions} mentions, {len(report.errors)} errors")
    languages = getattr(report, "languages", {})
    if languages:
        parts = [f"{n} {code or 'unknown'}" for code, n in sorted(languages.items(), key=lambda kv: (-kv[1], kv[0] is None, kv[0] or ""))]
        line = "languages: " + ", ".join(parts)
        if report.not_analysed:
            line += f" ({report.not_analysed} not analysed: no pipeline for their language)"
        click.echo(line)
    click.echo(f"{db}: {counts['documents']} documents, {counts['global entities']} entities across documents, "
               f"{counts['mentions']} mentions, {counts['quotes']} quotes, {counts['claims']} claims")
    if report.errors:
        sys.exit(1)


def _ingest_on_cluster(inputs: tuple[str, ...], scheduler: str | None, out: str | None, model: str,
                       clean: bool, max_bytes: int | None) -> None:
    from .read.readers import MAX_BYTES

    if not scheduler or not out:
        raise click.UsageError("--engine dask needs --scheduler tcp://HOST:PORT and --out SHARDS_FOLDER")
    from .distributed import run_on_cluster

    try:
        report = run_on_cluster(inputs, scheduler, out, model=model, clean=clean, max_bytes=max_bytes or MAX_BYTES)
    except (FileExistsError, OSError) as exc:  # shards of an earlier run, or no scheduler at that address
        raise click.ClickException(str(exc)) from exc
    click.echo(f"{len(report.shards)} shards ({report.documents} inputs) written to {out}; "
               f"store them with `watchdesk load {out} --db DB`")


@main.command()
@click.argument("shards", nargs=-1, required=True)
@db_option
@click.option("--quiet", "-q", is_flag=True, help="No progress bar.")
def load(shards: tuple[str, ...], db: str, quiet: bool) -> None:
    """Store Parquet shards written by `ingest --engine dask` (files or folders), then resolve.

    Exits 1 when some inputs could not be read on the cluster (they are listed).
    """
    from tqdm import tqdm

    from .distributed import load_shards

    with _open_store(db, must_exist=False) as store, \
            tqdm(desc="load", unit="doc", disable=quiet or None, file=sys.stderr) as bar:
        def on_item(item: ExtractedDocument | ReadError) -> None:
            if isinstance(item, ReadError):
                bar.clear()
                _report_error(item)
            bar.update(1)

        report = load_shards(shards, store, on_item=on_item)
        counts = store.counts()
    _summarise(db, report, counts)


@main.command()
@click.argument("inputs", nargs=-1, required=True)
@click.option("--json", "as_json", is_flag=True, help="Title, byline, body, removed lines with reasons.")
@click.option("--out", type=click.Path(file_okay=False), help="Write OUT/ID.txt (or ID.json) per input.")
def clean(inputs: tuple[str, ...], as_json: bool, out: str | None) -> None:
    """Print the cleaned article(s), or write one file per input with --out."""
    from .pipeline import clean_document
    from .read.readers import read_inputs

    failed = 0
    if out:
        Path(out).mkdir(parents=True, exist_ok=True)
    for item in read_inputs(inputs):
        if isinstance(item, ReadError):
            _report_error(item)
            failed += 1
            continue
        cleaned = clean_document(item)
        payload = json.dumps({"id": item.id, "source": item.source, **cleaned.to_dict()},
                             ensure_ascii=False) if as_json else cleaned.text
        if out:
            (Path(out) / f"{item.id}.{'json' if as_json else 'txt'}").write_text(payload + "\n", encoding="utf-8")
        else:
            click.echo(payload)
    if failed:
        sys.exit(1)


@main.command()
@click.argument("inputs", nargs=-1, required=True)
@click.option("--format", "fmt", type=click.Choice(["jsonl", "json"]), default="jsonl", show_default=True)
@model_option
@no_clean_option
@language_options
def extract(inputs: tuple[str, ...], fmt: str, model: str, no_clean: bool, language: str | None = None,
            pipeline_opts: tuple[str, ...] = (), config_file: str | None = None) -> None:
    """Extract entities from articles without storing them: one JSON object per document."""
    from .extract.languages import Analysers
    from .pipeline import extract as run_extract
    from .read.readers import read_inputs

    failed = 0
    documents = []
    analysers = Analysers(_pipelines(model, pipeline_opts, config_file, language))
    for item in run_extract(read_inputs(inputs), analysers, clean=not no_clean,
                            language=language.lower() if language else None):
        if isinstance(item, ReadError):
            _report_error(item)
            failed += 1
        elif fmt == "jsonl":
            click.echo(json.dumps(item.to_json(), ensure_ascii=False))
        else:
            documents.append(item.to_json())
    if fmt == "json":
        click.echo(json.dumps(documents, ensure_ascii=False, indent=1))
    if failed:
        sys.exit(1)


@main.command()
@click.argument("query")
@db_option
@click.option("--limit", default=20, show_default=True)
@click.option("--json", "as_json", is_flag=True)
def search(query: str, db: str, limit: int, as_json: bool) -> None:
    """Full-text search over the stored articles, best first, with snippets."""
    with _open_store(db) as store:
        hits = store.search(query, limit=limit)
    if as_json:
        click.echo(json.dumps([h.__dict__ for h in hits], ensure_ascii=False, indent=1))
        return
    if not hits:
        click.echo("no matches")
    for hit in hits:
        click.echo(f"[{hit.doc_id}] {hit.title or '(untitled)'}  ({hit.source})")
        click.echo(f"    {' '.join(hit.snippet.split())}")


@main.command()
@click.argument("name")
@db_option
@click.option("--json", "as_json", is_flag=True)
@click.option("--limit", default=20, show_default=True, help="Evidence sentences to show.")
def entity(name: str, db: str, as_json: bool, limit: int) -> None:
    """An entity by any of its names: canonical name, aliases, label, documents, evidence."""
    with _open_store(db) as store:
        profiles = store.entity_profiles(name, evidence_limit=limit)
    if as_json:
        click.echo(json.dumps([{**p.__dict__, "evidence": [e.__dict__ for e in p.evidence]}
                               for p in profiles], ensure_ascii=False, indent=1))
        return
    if not profiles:
        raise click.ClickException(f"no entity named {name!r}")
    for p in profiles:
        ident = f"  {p.id}" if p.id else ""
        click.echo(f"{p.name}  [{p.label}]{ident}  {p.mentions} mentions in {len(p.documents)} documents")
        click.echo("  aliases: " + ", ".join(f"{a} ({n})" for a, n in sorted(p.aliases.items(), key=lambda x: -x[1])))
        for doc_id, source, title in p.documents:
            click.echo(f"  document [{doc_id}] {title or '(untitled)'}  ({source})")
        for link in p.alias_evidence:
            click.echo(f"  alias {link['alias']!r} = {link['name']!r} ({link['kind']}) "
                       f"[{link['doc_id']}:{link['start']}-{link['end']}] {link['sentence']}")
        for ev in p.evidence:
            click.echo(f"  - [{ev.doc_id}:{ev.start}-{ev.end}] {ev.sentence}")


@main.command()
@db_option
@click.option("--format", "fmt", type=click.Choice(["jsonl", "csv", "graphml", "gexf", "ftm"]), default="jsonl",
              show_default=True, help="jsonl: documents in the extract schema; csv: tables (a folder, or a .zip); "
              "graphml/gexf: the entity graph; ftm: FollowTheMoney entities (JSON lines) for Aleph.")
@click.option("--out", type=click.Path(), help="Output file (default: standard output); for csv a folder or FILE.zip.")
def export(db: str, fmt: str, out: str | None) -> None:
    """Export the store: documents (JSONL, with global entity ids), CSV tables, the entity graph, FtM."""
    with _open_store(db) as store:
        if fmt == "csv":
            from .export.csv_tables import export_csv

            if not out:
                raise click.UsageError("--format csv needs --out FOLDER or --out FILE.zip")
            counts = export_csv(store, out)
            click.echo(f"{out}: " + ", ".join(f"{n} {table}" for table, n in counts.items()), err=True)
        elif fmt in ("graphml", "gexf"):
            from .export.graph import export_graph

            if not out:
                raise click.UsageError(f"--format {fmt} needs --out FILE")
            nodes, edges = export_graph(store, out, fmt)
            click.echo(f"{out}: {nodes} entities, {edges} edges", err=True)
        else:
            with click.open_file(out or "-", "w", encoding="utf-8") as sink:
                if fmt == "ftm":
                    from .export.ftm import export_ftm

                    export_ftm(store, sink)
                else:
                    for record in store.export_records():
                        sink.write(json.dumps(record, ensure_ascii=False) + "\n")


@main.command()
@db_option
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to bind (the desk is for this machine unless told otherwise).")
@click.option("--port", default=8765, show_default=True, type=click.IntRange(0, 65535))
def serve(db: str, host: str, port: int) -> None:
    """The analyst's desk in the browser: search, articles, entities, network, claims, curation."""
    import uvicorn

    from .serve.app import create_app

    if not Path(db).exists():
        raise click.ClickException(f"no database at {db} (run `watchdesk ingest ... --db {db}` first)")
    loopback = host in ("127.0.0.1", "::1", "localhost")
    app = create_app(db, allowed_hosts=["127.0.0.1", "localhost", "::1"] if loopback else None)
    shown = f"[{host}]" if ":" in host else host
    click.echo(f"Watchdesk desk for {db} at http://{shown}:{port}/  (Ctrl+C to stop)")
    if not loopback:
        click.echo("warning: listening beyond this machine; curation needs WATCHDESK_TOKEN there", err=True)
    uvicorn.run(app, host=host, port=port, log_level="warning")


def _member_for(store: Store, name: str) -> str:
    """A stable member id for what the analyst named: a global id, a name or alias, or DOC:START-END."""
    import re

    span = re.fullmatch(r"(\d+):(\d+)-(\d+)", name.strip())
    if span:
        member = store.member_at(int(span[1]), int(span[2]), int(span[3]))
        if member is None:
            raise click.ClickException(f"no entity mention at {name}")
        return member
    found = store.global_ids_for(name.strip())
    if not found:
        raise click.ClickException(f"no entity named {name!r}")
    if len(found) > 1:
        raise click.ClickException(f"{name!r} names several entities ({', '.join(found)}): give a global id")
    return store.members_of(found[0])[0]


def _judge(db: str, kind: str, a: str, b: str | None, note: str | None) -> None:
    from .resolve.run import judge

    with _open_store(db) as store:
        try:
            report = judge(store, kind, a, b, note)
        except ValueError as exc:
            raise click.ClickException(str(exc)) from exc
    click.echo(f"recorded {kind} {a}{' ' + b if b else ''}; {report.global_entities} global entities")


def _pair_judgement(kind: str, doc: str) -> click.Command:
    """A command that records a judgement between two entities named by the analyst."""
    @click.argument("a")
    @click.argument("b")
    @db_option
    @click.option("--note", help="Why (kept with the judgement).")
    def command(a: str, b: str, db: str, note: str | None) -> None:
        with _open_store(db) as store:
            ma, mb = _member_for(store, a), _member_for(store, b)
        _judge(db, kind, ma, mb, note)

    command.__doc__ = doc
    return main.command(name=kind)(command)


merge = _pair_judgement("merge", "Judge that A and B (names, aliases or global ids) are the same entity.")
separate = _pair_judgement(
    "separate", "Judge that A and B are different entities: no resolution run will put them together.")


@main.command()
@click.argument("entity_name")
@click.argument("alias")
@db_option
@click.option("--note", help="Why (kept with the judgement).")
def split(entity_name: str, alias: str, db: str, note: str | None) -> None:
    """Judge that ALIAS is not a name of ENTITY: its mentions leave that entity."""
    with _open_store(db) as store:
        found = [g for g in store.global_ids_for(entity_name)]
        if len(found) != 1:
            raise click.ClickException(f"{entity_name!r} must name exactly one entity (found {found or 'none'})")
        members = store.members_of(found[0])
        keep = next((m for m in members if store.entity_name(m).lower() != alias.lower()), members[0])
    _judge(db, "split", keep, alias, note)


@main.command()
@click.argument("mention_or_name")
@db_option
@click.option("--note", help="Why (kept with the judgement).")
def reject(mention_or_name: str, db: str, note: str | None) -> None:
    """Judge that a name (everywhere) or one mention (DOC:START-END) is not an entity."""
    import re

    target = mention_or_name.strip()
    if re.fullmatch(r"\d+:\d+-\d+", target):
        with _open_store(db) as store:
            target = _member_for(store, target)
    _judge(db, "reject", target, None, note)


@main.command()
@db_option
@click.option("--all", "show_all", is_flag=True, help="Include undone judgements.")
def judgements(db: str, show_all: bool) -> None:
    """The analyst judgements every resolution run respects, oldest first."""
    with _open_store(db) as store:
        rows = store.judgements(include_undone=show_all)
    if not rows:
        click.echo("no judgements")
    for j in rows:
        undone = f"  (undone {j['undone_at']})" if j["undone_at"] else ""
        note = f"  — {j['note']}" if j["note"] else ""
        click.echo(f"#{j['id']} {j['created_at']} {j['kind']} {j['a']} {j['b'] or ''}{note}{undone}")


@main.command()
@db_option
def undo(db: str) -> None:
    """Undo the latest judgement and re-resolve without it."""
    from .resolve.run import undo as run_undo

    with _open_store(db) as store:
        undone = run_undo(store)
    if undone is None:
        raise click.ClickException("no judgement to undo")
    click.echo(f"undid #{undone['id']} {undone['kind']} {undone['a']} {undone['b'] or ''}")


@main.command()
@db_option
@click.option("--about", help="Only figures whose counted thing or statement contains TEXT.")
@click.option("--by", help="Only figures held by an entity (any of its names) or speaker.")
@click.option("--json", "as_json", is_flag=True)
def claims(db: str, about: str | None, by: str | None, as_json: bool) -> None:
    """The claims ledger: figures grouped by what they count, differing figures side by side."""
    from .extract.units import unit_key

    with _open_store(db) as store:
        figures = store.claim_figures(about=about, by=by)
    groups: dict[str, list[dict]] = {}
    for figure in figures:
        groups.setdefault(unit_key(figure["unit"]), []).append(figure)
    ordered = sorted(groups.items(), key=lambda kv: (-len({f["value"] for f in kv[1]}), -len(kv[1]), kv[0]))
    if as_json:
        click.echo(json.dumps([{"counts": key, "figures": rows} for key, rows in ordered],
                              ensure_ascii=False, indent=1))
        return
    if not ordered:
        click.echo("no figures in claims or quotes")
    for key, rows in ordered:
        values = {f["value"] for f in rows}
        flag = "  (differing figures)" if len(values) > 1 else ""
        click.echo(f"{key}: {len(rows)} figure(s){flag}")
        for f in rows:
            click.echo(f"  {f['text']:<38} {f['holder'] or '(unattributed)':<28} "
                       f"[{f['doc_id']}] {f['published'] or ''} {f['title'] or f['source']}")


@main.command()
@db_option
@click.option("--all", "show_all", is_flag=True, help="Also list stories with a single copy.")
@click.option("--limit", default=100, show_default=True)
@click.option("--json", "as_json", is_flag=True)
def stories(db: str, show_all: bool, limit: int, as_json: bool) -> None:
    """Copies of the same story (syndicated, updated, re-scraped), largest clusters first."""
    with _open_store(db) as store:
        found = store.stories(min_copies=1 if show_all else 2, limit=limit)
    if as_json:
        click.echo(json.dumps(found, ensure_ascii=False, indent=1))
        return
    if not found:
        click.echo("no story has more than one copy")
    for story in found:
        first = story["copies"][0]
        languages = sorted({c.get("language") or "unknown" for c in story["copies"]})
        in_languages = f" in {len(languages)} languages ({', '.join(languages)})" if len(languages) > 1 else ""
        click.echo(f"story {story['story']}: {len(story['copies'])} copies{in_languages}  "
                   f"{first['title'] or '(untitled)'}")
        for copy in story["copies"]:
            click.echo(f"  [{copy['id']}] {copy.get('language') or '??'}  {copy['published'] or copy['ingested_at']}  "
                       f"{copy['url'] or copy['source']}")


@main.command()
@db_option
@click.option("--top", default=10, show_default=True)
def summary(db: str, top: int) -> None:
    """What the store holds: counts and the most mentioned entities by type."""
    with _open_store(db) as store:
        click.echo(", ".join(f"{n} {what}" for what, n in store.counts().items()))
        click.echo("languages: " + ", ".join(
            f"{row['language'] or 'unknown'} {row['documents']}"
            + (f" ({row['not_analysed']} not analysed)" if row["not_analysed"] else "")
            for row in store.languages()))
        for label, rows in store.top_entities(top).items():
            click.echo(f"{label}: " + ", ".join(f"{name} ({n})" for name, n in rows))


@main.command()
@db_option
@model_option
@click.option("--serve", "then_serve", is_flag=True, help="Then open the desk on 127.0.0.1 (Ctrl+C to stop).")
@click.option("--port", default=8765, show_default=True, type=click.IntRange(0, 65535))
def demo(db: str, model: str, then_serve: bool = False, port: int = 8765) -> None:
    """Ingest the bundled sample article, show what was found, and optionally serve the desk."""
    ctx = click.get_current_context()
    try:
        ctx.invoke(ingest, inputs=(str(SAMPLE_DIR),), db=db, model=model, no_clean=False, quiet=True)
    except SystemExit as exc:
        if exc.code:
            raise
    ctx.invoke(summary, db=db, top=8)
    with _open_store(db) as store:
        person = store.top_entities(1).get("PERSON")
    if person:
        click.echo("")
        ctx.invoke(entity, name=person[0][0], db=db, as_json=False, limit=5)
    click.echo("")
    ctx.invoke(claims, db=db, about=None, by=None, as_json=False)
    click.echo(f"\nTry: watchdesk search \"foreign fighters\" --db {db}   |   watchdesk export --db {db}")
    if then_serve:
        click.echo("")
        ctx.invoke(serve, db=db, host="127.0.0.1", port=port)


if __name__ == "__main__":
    main()
