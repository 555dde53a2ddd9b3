"""The ``counterpart`` Typer app: every command group, in the order ``--help`` lists them."""

import typer

from cli import db, jobs, keys, recommend, resolve, seed, serve

app = typer.Typer(
    help="对口 Counterpart — matchmaking for China's revolutionary base areas.",
    no_args_is_help=True,
    add_completion=False,
)
app.command()(serve.serve)
app.command("seed")(seed.seed_command)
app.command()(resolve.resolve)
app.command()(recommend.train)
app.command()(recommend.evaluate)
app.command()(recommend.recommend)
app.command()(jobs.scheduler)
app.add_typer(seed.fixtures_app, name="fixtures")
app.add_typer(db.db_app, name="db")
app.add_typer(jobs.jobs_app, name="jobs")
app.add_typer(keys.keys_app, name="keys")


def main() -> None:
    app()
