"""The `datatorget` command: set up, serve, load the demo, manage users and tokens.

Commands are thin: they open one transaction, call a service, and print only after it committed.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta

import click
from pydantic import ValidationError
from sqlalchemy.orm import Session

from datatorget.catalog import accounts
from datatorget.config import Settings
from datatorget.db.engine import engine_from_settings, make_sessionmaker
from datatorget.db.migrate import upgrade
from datatorget.errors import DatatorgetError


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
    )


@cli.command()
def demo() -> None:
    """Load the demo municipality (organisations, datasets, files). Safe to run again."""
    from datatorget.demo.load import load_demo

    settings = load_settings()
    with transaction(settings) as session:
        created = load_demo(session, settings)
    click.echo(f"Demo loaded: {created} new datasets." if created else "The demo is already loaded.")


@cli.group()
def user() -> None:
    """Manage users."""


@user.command("add")
@click.option("--email", required=True)
@click.option("--password", required=True, help="At least 10 characters.")
@click.option("--role", required=True, type=click.Choice(["admin", "editor"]))
@click.option("--org", "organization", default=None, help="The slug of the editor's organisation.")
def user_add(email: str, password: str, role: str, organization: str | None) -> None:
    """Add a user who can log in."""
    with transaction(load_settings()) as session:
        created = accounts.create_user(
            session, email=email, password=password, role=role, organization_slug=organization, by=None
        )
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


def main() -> None:
    cli(prog_name="datatorget")


if __name__ == "__main__":
    main()
