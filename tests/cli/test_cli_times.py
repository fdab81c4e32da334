"""The command line shows times to the second or minute, never with microseconds."""

from __future__ import annotations

import re

from sqlalchemy import Engine
from typer.testing import CliRunner

from jiqun.cli.app import app
from jiqun.services import jobs

#: a time of day with a fraction of a second (``12:34:56.789012``)
FRACTION = re.compile(r"\d{2}:\d{2}:\d{2}\.\d")
#: a date and a time of day (the listing does show when)
WHEN = re.compile(r"\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}")


def test_user_and_job_listings_show_no_microseconds(engine: Engine) -> None:
    cli = CliRunner()
    r = cli.invoke(
        app,
        ["user", "add", "clerk", "--role", "admin", "--password-stdin"],
        input="correct-horse-battery\n",
    )
    assert r.exit_code == 0, r.output
    # stored timestamps carry microseconds (datetime.now()): the outputs must drop them
    job = jobs.enqueue("refresh", {}, engine=engine, created_by="clerk")
    for args in (["user", "list"], ["jobs", "list"], ["jobs", "status", str(job)]):
        r = cli.invoke(app, args, env={"COLUMNS": "250"})
        assert r.exit_code == 0, (args, r.output)
        assert WHEN.search(r.output), (args, r.output)
        assert not FRACTION.search(r.output), (args, r.output)
