"""The project's exceptions and warnings, in one place.

Every error shown to a user carries a Chinese and an English message (:class:`JiqunError`); the
interfaces turn ``status`` into the HTTP status (web) or an exit code (CLI). Every step that drops,
sets to NaN or doubts something warns with :class:`JiqunWarning`. The modules that defined these
classes before (``jiqun.standard.problems``, ``jiqun.analytics.rca``, ``jiqun.services.access``,
``jiqun.services.accounts``, ``jiqun.services.uploads``, ``jiqun.web.api_common``) re-export them,
so both import paths name the same class.

========================  ======  ==========================================================
class                     status  meaning
========================  ======  ==========================================================
:class:`JiqunError`       400     any error to show the user (base class)
:class:`BadRequest`       400     a request refused before any service sees it
:class:`AuthError`        401     login or token refused (or 429 when throttled)
:class:`AccessDenied`     403     the principal may not do this (alias :data:`Forbidden`)
:class:`NotFound`         404     no such record, or none the principal may see
:class:`Conflict`         409     the staged upload's state forbids the request
:class:`UploadRefused`    400     an upload is not acceptable (413 when too large)
:class:`ImportRejected`   422     an all-or-nothing import found errors, wrote nothing
:class:`JiqunWarning`     —       something was dropped, undefined or suspicious
========================  ======  ==========================================================

Example
-------
>>> from jiqun.errors import JiqunError, NotFound
>>> e = NotFound("没有该企业", "no such enterprise")
>>> isinstance(e, JiqunError), e.status, e.message_en
(True, 404, 'no such enterprise')
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from jiqun.standard.problems import Problem

__all__ = [
    "AccessDenied",
    "AuthError",
    "BadRequest",
    "Conflict",
    "Forbidden",
    "ImportRejected",
    "JiqunError",
    "JiqunWarning",
    "NotFound",
    "UploadRefused",
]


class JiqunError(Exception):
    """An error to show the user: carries a Chinese and an English message.

    Parameters
    ----------
    message_zh, message_en:
        What went wrong and what to do, in Chinese and in English.
    problems:
        The validation problems behind it, if any (:class:`jiqun.standard.problems.Problem`).
    """

    status: int = 400

    def __init__(
        self, message_zh: str, message_en: str, problems: list[Problem] | None = None
    ) -> None:
        super().__init__(f"{message_zh} / {message_en}")
        self.message_zh = message_zh
        self.message_en = message_en
        self.problems = problems or []

    def __reduce__(self) -> tuple[Any, ...]:
        # an answer stored as a refusal (jiqun.services.results) must come back as itself
        return (_rebuild, (type(self), self.message_zh, self.message_en, self.__dict__))


def _rebuild(cls: type[JiqunError], zh: str, en: str, state: dict[str, Any]) -> JiqunError:
    obj = cls.__new__(cls)
    Exception.__init__(obj, f"{zh} / {en}")
    obj.__dict__.update(state)
    return obj


class JiqunWarning(UserWarning):
    """A warning Jiqun shows the user: something was dropped, undefined or suspicious.

    Nothing is ever dropped or set to NaN silently; every such step warns with this class.
    """


class _WithStatus(JiqunError):
    """A :class:`JiqunError` whose HTTP status is chosen where it is raised."""

    default_status = 400

    def __init__(self, zh: str, en: str, status: int | None = None) -> None:
        super().__init__(zh, en)
        self.status = self.default_status if status is None else status


class AccessDenied(_WithStatus):
    """The principal may not do this (HTTP 403; 404 where existence must not leak)."""

    default_status = 403


#: The same class under the name of the HTTP status.
Forbidden = AccessDenied


class AuthError(_WithStatus):
    """Login or token refused; ``status`` is the HTTP status the interfaces should use."""

    default_status = 401


class UploadRefused(_WithStatus):
    """The upload is not acceptable (HTTP 400; 413 when too large)."""

    default_status = 400


class NotFound(JiqunError):
    """No such record, or none the principal may see (HTTP 404)."""

    status = 404


class ImportRejected(JiqunError):
    """An all-or-nothing import found errors and wrote nothing (HTTP 422)."""

    status = 422


class Conflict(JiqunError):
    """The staged upload is in a state that forbids the request (HTTP 409)."""

    status = 409


class BadRequest(JiqunError):
    """A request the API refuses before any service sees it (HTTP 400)."""

    status = 400
