"""jiqun.errors is the one home of the project's exceptions and warnings; the modules that
defined them before re-export the same classes."""

from __future__ import annotations

import pytest

from jiqun import errors


@pytest.mark.parametrize(
    ("module", "name"),
    [
        ("jiqun.standard.problems", "JiqunError"),
        ("jiqun.analytics.rca", "JiqunWarning"),
        ("jiqun.services.access", "AccessDenied"),
        ("jiqun.services.access", "NotFound"),
        ("jiqun.services.accounts", "AuthError"),
        ("jiqun.services.uploads", "UploadRefused"),
        ("jiqun.services.uploads", "ImportRejected"),
        ("jiqun.services.uploads", "Conflict"),
    ],
)
def test_old_paths_name_the_same_class(module: str, name: str) -> None:
    import importlib

    assert getattr(importlib.import_module(module), name) is getattr(errors, name)


def test_statuses_and_messages() -> None:
    assert errors.AccessDenied("不可", "no").status == 403
    assert errors.AccessDenied("不可", "no", status=404).status == 404
    assert errors.Forbidden is errors.AccessDenied
    assert errors.AuthError("拒绝", "refused").status == 401
    assert errors.AuthError("拒绝", "refused", 429).status == 429
    assert errors.UploadRefused("太大", "too large", status=413).status == 413
    assert (errors.NotFound.status, errors.Conflict.status, errors.ImportRejected.status) == (
        404,
        409,
        422,
    )
    e = errors.JiqunError("中文", "English")
    assert str(e) == "中文 / English" and e.problems == [] and e.status == 400
    for cls in (errors.NotFound, errors.BadRequest, errors.AccessDenied, errors.AuthError):
        assert issubclass(cls, errors.JiqunError)
    assert issubclass(errors.JiqunWarning, UserWarning)
