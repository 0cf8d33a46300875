"""The `datatorget` command: set up, serve, run jobs, import tables, load the demo, manage users and tokens.

Commands are thin: they open one transaction, call a service, and print only after it committed.
"""

from __future__ import annotations

import copy
import logging
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path
from typing import Any

import click
from pydantic import ValidationError
from sqlalchemy.orm import Session

from datatorget.catalog import accounts, distributions
from datatorget.config import Settings
from datatorget.db.engine import engine_from_settings, make_sessionmaker
from datatorget.db.migrate import upgrade
from datatorget.errors import DatatorgetError
from datatorget.interop.harvest_models import RECORD_OUTCOMES, SOURCE_KINDS
from datatorget.jobs import ingestion, queue
from datatorget.jobs.tasks import JobContext
from datatorget.jobs.worker import Workers, run_job
from datatorget.store.connection import SharedConnection
from datatorget.store.progress import Progress as StoreProgress


def load_settings() -> Settings:
    try:
        return Settings()
    except ValidationError as exc:
        # Name the setting and the problem, never the value: it may be a secret.
        problems = [
            "  "
            + (f"DATATORGET_{'_'.join(str(part) for part in error['loc']).upper()}: " if error["loc"] else "")
            + error["msg"].removeprefix("Value error, ")
            for error in exc.errors(include_input=False, include_url=False)
        ]
        raise click.ClickException("the configuration is not valid:\n" + "\n".join(problems)) from None


@contextmanager
def transaction(settings: Settings) -> Iterator[Session]:
    """One unit of work on a migrated database; a domain error becomes a plain message, not a traceback."""
    engine = engine_from_settings(settings)
    try:
        upgrade(engine)
        with make_sessionmaker(engine, writing=True).begin() as session:
            yield session
    except DatatorgetError as exc:
        raise click.ClickException(_describe(exc)) from None
    finally:
        engine.dispose()


def _describe(exc: DatatorgetError) -> str:
    errors = getattr(exc, "errors", None)
    if errors:
        return "; ".join(f"{field}: {', '.join(messages)}" for field, messages in errors.items())
    return str(exc)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="datatorget")
def cli() -> None:
    """Datatorget: an open data portal for municipalities. Settings come from DATATORGET_* variables."""


@cli.command()
@click.option(
    "--admin-email", default="admin@example.org", show_default=True, help="The login of the first admin."
)
def init(admin_email: str) -> None:
    """Create or upgrade the database and create the first admin if there is none. Safe to run again."""
    settings = load_settings()
    with transaction(settings) as session:
        login = accounts.ensure_first_admin(session, admin_email)
    click.echo(f"The database is ready: {settings.resolved_database_url.split('@')[-1]}")
    if login:
        click.echo(f"Created the first admin. Log in with\n  email:    {login[0]}\n  password: {login[1]}")
        click.echo("The password is shown only this once.")


@cli.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option(
    "--port", default=8000, show_default=True, type=click.IntRange(1, 65535), help="Port to listen on."
)
@click.option("--workers", default=1, show_default=True, type=click.IntRange(1, 64), help="Worker processes.")
def serve(host: str, port: int, workers: int) -> None:
    """Serve the portal. Migrates the database first."""
    import uvicorn

    settings = load_settings()
    engine = engine_from_settings(settings)
    upgrade(engine)
    engine.dispose()
    settings.signing_key()  # create the development key before workers start, so that they share it
    click.echo(f"Datatorget on http://{host}:{port} (public address {settings.base_url})")
    uvicorn.run(
        "datatorget.app:create_app_from_environment",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        proxy_headers=True,
        log_config=_log_config(),
    )


def _log_config() -> dict[str, Any]:
    """uvicorn's logging, with Datatorget's own messages (jobs, email, counts) at INFO beside its own."""
    from uvicorn.config import LOGGING_CONFIG

    config = copy.deepcopy(LOGGING_CONFIG)
    config["loggers"]["datatorget"] = {"handlers": ["default"], "level": "INFO", "propagate": False}
    return config


@cli.command()
def demo() -> None:
    """Load the demo municipality (organisations, datasets, files) and read its tables in. Safe to run again."""
    from datatorget.demo.load import load_demo

    settings = load_settings()
    with transaction(settings) as session:
        created = load_demo(session, settings)
        job_ids = [job.id for job in ingestion.start_missing_tables(session, accounts.system_user(session))]
    click.echo(f"Demo loaded: {created} new datasets." if created else "The demo is already loaded.")
    failed = sum(not _run_with_progress(settings, job_id, quiet=True) for job_id in job_ids)
    if job_ids:
        click.echo(f"Read {len(job_ids) - failed} of {len(job_ids)} tables in.")


@cli.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--dataset", "dataset_slug", required=True, help="The slug of the dataset the table belongs to."
)
@click.option("--title", default=None, help="The title of the new distribution (default: the file name).")
@click.option(
    "--table",
    "table_id",
    type=click.UUID,
    default=None,
    help="Add the file as the next version of this table (a distribution id) instead of a new distribution.",
)
def import_table(file: Path, dataset_slug: str, title: str | None, table_id: uuid.UUID | None) -> None:
    """Read a table file (CSV, TSV, XLSX, ODS, JSON, GeoJSON, Parquet) into a dataset, with a progress bar.

    The same as an upload in the web UI or the API, made as the portal's system account."""
    settings = load_settings()
    with transaction(settings) as session, file.open("rb") as stream:
        by = accounts.system_user(session)
        if table_id is not None:
            job = ingestion.upload_new_version(session, table_id, stream, file.name, by, settings=settings)
        else:
            distribution = distributions.add_upload(
                session, dataset_slug, distributions.Upload(stream, file.name), by,
                files_dir=settings.files_dir, max_bytes=settings.max_upload_bytes,
                title={"sv": title} if title else None,
            )  # fmt: skip
            job = ingestion.start_ingestion(session, distribution, by)
        job_id, distribution_id = job.id, job.distribution_id
    if not _run_with_progress(settings, job_id):
        raise SystemExit(1)
    click.echo(f"Table: {settings.base_url}/api/v1/tables/{distribution_id}")


@cli.command("read-missing-tables")
def read_missing_tables() -> None:
    """Queue the reading-in of every uploaded table file that has no table yet (after an upgrade to a
    version with the data store). A running `serve` or `worker` does the work."""
    with transaction(load_settings()) as session:
        count = len(ingestion.start_missing_tables(session, accounts.system_user(session)))
    click.echo(f"Queued {count} tables to be read in." if count else "Every uploaded table file has a table.")


@cli.command()
@click.option("--threads", default=1, show_default=True, type=click.IntRange(1, 64), help="Jobs run at once.")
def worker(threads: int) -> None:
    """Run background jobs (table ingestion) until stopped with Ctrl-C. For `DATATORGET_JOB_WORKERS=0`."""
    logging.basicConfig(level=logging.INFO, format="%(levelname)s: %(name)s: %(message)s")
    settings = load_settings()
    engine = engine_from_settings(settings)
    upgrade(engine)
    duck = SharedConnection(settings)
    workers = Workers(JobContext(settings, make_sessionmaker(engine, writing=True), duck), threads)
    workers.start()
    click.echo(f"Running jobs with {threads} thread(s); Ctrl-C stops.")
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        click.echo("Stopping: the running jobs finish or are taken up again at the next start.")
    finally:
        workers.stop()
        duck.close()
        engine.dispose()


def _run_with_progress(settings: Settings, job_id: uuid.UUID, *, quiet: bool = False) -> bool:
    """Run one queued job in this process, with a progress bar; print its outcome. True when it succeeded."""
    from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn, TimeElapsedColumn

    engine = engine_from_settings(settings)
    duck = SharedConnection(settings)
    context = JobContext(settings, make_sessionmaker(engine, writing=True), duck)
    try:
        claimed = queue.claim(context.sessions, job_id)
        if claimed is None:
            click.echo("The job was already taken by a running worker.")
            return True
        with Progress(
            TextColumn("{task.description}"), BarColumn(), TaskProgressColumn(), TextColumn("{task.fields[rows]}"),
            TimeElapsedColumn(), disable=quiet, transient=False,
        ) as bar:  # fmt: skip
            task = bar.add_task("reading", total=100, rows="")

            def show(progress: StoreProgress) -> None:
                rows = f"{progress.rows_read:,} rows".replace(",", " ") if progress.rows_read else ""
                bar.update(task, completed=progress.percent, description=progress.stage, rows=rows)

            succeeded = run_job(context, *claimed, on_progress=show)
            if succeeded:
                bar.update(task, completed=100, description="done")
        with context.sessions.begin() as session:
            job = queue.get_job(session, job_id)
            outcome, error = dict(job.result or {}), dict(job.error or {})
        if succeeded:
            report = outcome.get("report") or {}
            if not quiet:
                click.echo(
                    f"Version {outcome.get('version')}: {outcome.get('row_count')} rows, "
                    f"{report.get('error_count', 0)} problems in the validation report."
                )
            return True
        click.echo(f"Failed: {error.get('en', 'unknown error')}", err=True)
        for problem in (outcome.get("report") or {}).get("problems", [])[:10]:
            where = ", ".join(f"{key} {problem[key]}" for key in ("line", "row", "column") if key in problem)
            click.echo(f"  {where}: {problem['en']}" if where else f"  {problem['en']}", err=True)
        return False
    finally:
        duck.close()
        engine.dispose()


@cli.group()
def user() -> None:
    """Manage users."""


@user.command("add")
@click.option("--email", required=True)
@click.option("--password", required=True, help="At least 10 characters.")
@click.option("--role", required=True, type=click.Choice(["admin", "editor", "member"]))
@click.option("--org", "organization", default=None, help="The slug of the editor's organisation.")
@click.option("--name", "display_name", default=None, help="The name others see (members, editors).")
def user_add(
    email: str, password: str, role: str, organization: str | None, display_name: str | None
) -> None:
    """Add a user who can log in: an admin, an editor of an organisation, or a member of the public."""
    with transaction(load_settings()) as session:
        created = accounts.create_user(
            session, email=email, password=password, role=role, organization_slug=organization, by=None,
            display_name=display_name,
        )  # fmt: skip
        address = created.email
    click.echo(f"Added {role} {address}")


@cli.group()
def token() -> None:
    """Manage API tokens."""


@token.command("create")
@click.option("--user", "email", required=True, help="The email of the user the token acts as.")
@click.option("--name", default="cli", show_default=True, help="A name to tell tokens apart.")
@click.option(
    "--expires-days", type=click.IntRange(1, 3650), default=None, help="Expire after this many days."
)
def token_create(email: str, name: str, expires_days: int | None) -> None:
    """Print a new API token, and only the token, on stdout."""
    with transaction(load_settings()) as session:
        owner = accounts.get_user_by_email(session, email)
        expires = timedelta(days=expires_days) if expires_days else None
        _token, secret = accounts.create_token(session, owner, name=name, expires_in=expires)
    click.echo(secret)


@cli.group()
def quality() -> None:
    """Metadata quality: the link checker and the DCAT-AP compliance check behind the quality scores."""


@quality.command("check")
def quality_check() -> None:
    """Run the quality check now: test the addresses of linked distributions and validate the datasets changed
    since their last check. The scheduler also runs it every DATATORGET_QUALITY_CHECK_INTERVAL_HOURS."""
    from datatorget.interop.quality import catalog_quality
    from datatorget.jobs.quality_check import run_quality_check

    settings = load_settings()
    engine = engine_from_settings(settings)
    try:
        upgrade(engine)
        sessions = make_sessionmaker(engine, writing=True)
        done = run_quality_check(sessions, settings)
        with sessions.begin() as session:
            score = catalog_quality(session, None)
    finally:
        engine.dispose()
    click.echo(
        f"Checked {done['links']} addresses ({done['links_failing']} failing) and validated "
        f"{done['datasets_validated']} datasets. Published catalog: {score.points:g} of {score.max_points} "
        f"points ({score.rating})."
    )


@cli.group()
def harvest() -> None:
    """Harvest datasets from other catalogs: DCAT-AP endpoints, CKAN sites and other Datatorget portals."""


@harvest.command("add")
@click.option("--url", required=True, help="The catalog's address; for CKAN and Datatorget, the site's.")
@click.option("--kind", required=True, type=click.Choice(SOURCE_KINDS), help="What it is.")
@click.option(
    "--org", "organization", required=True, help="The slug of the organisation that publishes it here."
)
@click.option("--title", default=None, help="A name for the source (default: the host of the address).")
@click.option(
    "--interval-hours", type=click.IntRange(0, 24 * 366), default=24, show_default=True,
    help="Hours between scheduled runs; 0: only when run by hand.",
)  # fmt: skip
def harvest_add(url: str, kind: str, organization: str, title: str | None, interval_hours: int) -> None:
    """Add a source to harvest. Its first scheduled run is due at once (with an interval)."""
    from urllib.parse import urlsplit

    from datatorget.interop import harvest_sources
    from datatorget.interop.harvest_schemas import HarvestSourceIn

    fields = {"title": title or urlsplit(url).hostname or url, "url": url, "kind": kind,
              "organization": organization, "interval_hours": interval_hours}  # fmt: skip
    try:
        data = HarvestSourceIn.model_validate(fields)
    except ValidationError as exc:
        raise click.ClickException(_invalid_fields(exc)) from None
    with transaction(load_settings()) as session:
        source = harvest_sources.create_source(session, data, accounts.system_user(session))
        source_id, source_title = source.id, source.title
    click.echo(f"Added harvest source {source_title} ({source_id})")


def _invalid_fields(exc: ValidationError) -> str:
    return "; ".join(
        f"{'.'.join(str(part) for part in error['loc']) or 'input'}: {error['msg'].removeprefix('Value error, ')}"
        for error in exc.errors(include_input=False, include_url=False)
    )


def _counts(counts: dict[str, int]) -> str:
    return ", ".join(f"{counts.get(name, 0)} {name}" for name in RECORD_OUTCOMES)


@harvest.command("list")
def harvest_list() -> None:
    """List the sources, with the status and counts of each one's last run."""
    from datatorget.interop import harvest_sources

    with transaction(load_settings()) as session:
        by = accounts.system_user(session)
        shown = [harvest_sources.source_out(session, s) for s in harvest_sources.list_sources(session, by)]
    if not shown:
        click.echo("No harvest sources. Add one with `datatorget harvest add`.")
    for source in shown:
        every = f"every {source.interval_hours} h" if source.interval_hours else "by hand"
        paused = "" if source.enabled or not source.interval_hours else ", paused"
        click.echo(
            f"{source.id}  {source.title}  [{source.kind}, {source.organization.slug}, {every}{paused}]"
        )
        click.echo(f"  {source.url}")
        last = source.last_run
        if last is None:
            click.echo("  never run")
        else:
            when = last.created_at.strftime("%Y-%m-%d %H:%M UTC")
            click.echo(f"  last run {when}: {last.status}; {_counts(last.counts.model_dump())}")


@harvest.command("run")
@click.argument("source", required=False)
@click.option("--all", "every", is_flag=True, help="Run every source, one after the other.")
def harvest_run(source: str | None, every: bool) -> None:
    """Harvest SOURCE (its id or its title) now, in this process, and print the report. With --all, every
    source. The exit code is 1 when a run failed."""
    from datatorget.interop import harvest_sources
    from datatorget.jobs.harvesting import start_harvest

    if every == (source is not None):
        raise click.UsageError("name one source (its id or title), or give --all")
    settings = load_settings()
    with transaction(settings) as session:
        by = accounts.system_user(session)
        found = harvest_sources.list_sources(session, by)
        chosen = found if every else [_one_source(found, str(source))]
        runs = []
        for chosen_source in chosen:
            run, job = start_harvest(session, chosen_source.id, by)
            runs.append((chosen_source.title, run.id, job.id))
    with _job_context(settings) as context:
        failed = [title for title, run_id, job_id in runs if not _harvest_now(context, title, run_id, job_id)]
    if failed:
        raise SystemExit(1)


def _one_source(sources: list[Any], named: str) -> Any:
    """The source with this id, or else with this title (any case); a clear error for none or several."""
    by_id = [s for s in sources if str(s.id) == named.strip().lower()]
    by_title = [s for s in sources if s.title.casefold() == named.strip().casefold()]
    matching = by_id or by_title
    if not matching:
        raise click.ClickException(
            f"no harvest source with the id or title '{named}' (see `datatorget harvest list`)"
        )
    if len(matching) > 1:
        raise click.ClickException(f"several harvest sources are called '{named}': name one by its id")
    return matching[0]


@contextmanager
def _job_context(settings: Settings) -> Iterator[JobContext]:
    """What jobs need to run in this process (the database and the data store), closed at the end."""
    engine = engine_from_settings(settings)
    duck = SharedConnection(settings)
    try:
        yield JobContext(settings, make_sessionmaker(engine, writing=True), duck)
    finally:
        duck.close()
        engine.dispose()


def _harvest_now(context: JobContext, title: str, run_id: uuid.UUID, job_id: uuid.UUID) -> bool:
    """Run one queued harvest job in this process and print its report; False when the run failed."""
    from datatorget.interop import harvest_sources

    click.echo(f"Harvesting {title} …")
    claimed = queue.claim(context.sessions, job_id)
    if claimed is None:
        click.echo("  A running worker took the run; `datatorget harvest list` shows how it ended.")
        return True
    run_job(context, *claimed)
    with context.sessions.begin() as session:
        report = harvest_sources.run_out(
            harvest_sources.get_run(session, run_id, accounts.system_user(session))
        )
    click.echo(f"  {report.status}: {_counts(report.counts.model_dump())}")
    if report.error is not None:
        click.echo(f"  {report.error.en}", err=report.status == "failed")
    for record in report.records:
        if record.outcome == "failed":
            reason = record.reason.en if record.reason else "unknown reason"
            name = f"{record.title} ({record.remote_id})" if record.title else record.remote_id
            click.echo(f"  failed: {name}: {reason}")
    return report.status != "failed"


def main() -> None:
    cli(prog_name="datatorget")


if __name__ == "__main__":
    main()
