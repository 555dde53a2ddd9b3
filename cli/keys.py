"""``counterpart keys``: create, list and revoke API keys on the server."""

from typing import Annotated

import typer

from cli.store import prepare_store

keys_app = typer.Typer(help="API keys.", no_args_is_help=True)


@keys_app.command("create")
def keys_create(
    role: Annotated[str, typer.Option(help="admin | office | enterprise | university | viewer")],
    name: Annotated[str | None, typer.Option(help="The principal the key acts for.")] = None,
    scope: Annotated[
        list[str] | None, typer.Option(help="An adcode an office may act on (repeatable).")
    ] = None,
    days: Annotated[int, typer.Option(min=1, max=3650, help="Days until the key expires.")] = 365,
) -> None:
    """Create a key; the key itself is printed alone on the last line, once."""
    from matching.vocabulary import Role
    from profiles.access import create_key
    from profiles.db import get_engine, session_scope
    from profiles.errors import InvalidReference

    prepare_store(seed=False)
    try:
        chosen = Role(role)
    except ValueError as error:
        raise typer.BadParameter(
            f"roles: {', '.join(r.value for r in Role)}", param_hint="--role"
        ) from error
    try:
        with session_scope(get_engine()) as session:
            row, key = create_key(
                session,
                principal=name or f"{chosen.value}-key",
                role=chosen,
                scopes=scope or [],
                days=days,
            )
            summary = f"key {row.id} for {row.principal} ({row.role}), scopes {row.scopes or '—'}, expires {row.expires_at:%Y-%m-%d}"
    except InvalidReference as error:
        raise typer.BadParameter(str(error), param_hint="--scope") from error
    typer.echo(summary)
    typer.echo(key)


@keys_app.command("list")
def keys_list() -> None:
    """Every key: id, principal, role, scopes, expiry, revoked (never the key itself)."""
    from sqlmodel import Session

    from profiles.access import list_keys
    from profiles.db import get_engine

    prepare_store(seed=False)
    with Session(get_engine()) as session:
        for row in list_keys(session):
            state = f"revoked {row.revoked_at:%Y-%m-%d}" if row.revoked_at else "active"
            expires = f"{row.expires_at:%Y-%m-%d}" if row.expires_at else "never"
            typer.echo(
                f"{row.id:>4}  {row.principal:24} {row.role:10} {','.join(row.scopes) or '—':20} expires {expires}  {state}"
            )


@keys_app.command("revoke")
def keys_revoke(
    key_id: Annotated[int, typer.Argument(help="The key's id (see `keys list`).")],
) -> None:
    """Revoke a key at once."""
    from profiles.access import revoke_key
    from profiles.db import get_engine, session_scope
    from profiles.errors import NotFound

    try:
        with session_scope(get_engine()) as session:
            revoke_key(session, key_id=key_id)
    except NotFound as error:
        raise typer.BadParameter(str(error)) from error
    typer.echo(f"key {key_id} revoked")
