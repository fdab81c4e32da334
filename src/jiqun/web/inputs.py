"""Text entering through the REST API and the web forms: the rule of :mod:`jiqun.standard.text`.

* :class:`Body` is the base of every API request body: each string anywhere in it (nested lists
  and dicts, keys included) is checked for control characters, and a string inside a list or a
  dict is at most ``TEXT_MAX`` (2,000) characters of :mod:`jiqun.standard.schema` (top-level
  fields carry their own ``max_length``); the fields a subclass names in
  ``multiline_fields`` may hold tab, line feed and carriage return. A refusal is the API's 422
  ``invalid_request`` answer with the field and a bilingual reason naming the (escaped) value.
* :data:`Line` and :data:`Text` are the same check as annotated types for single parameters.
* :func:`reject_controls` is the dependency of the routers that take forms, paths and queries:
  the same rule for every form field, the path and the query string (400).

Example
-------
>>> class Note(Body):
...     multiline_fields = frozenset({"text"})
...     title: str
...     text: str
>>> Note(title="a", text="b\\nc").text
'b\\nc'
"""

from __future__ import annotations

from typing import Annotated, Any, ClassVar

from fastapi import Request
from pydantic import AfterValidator, BaseModel, ValidationInfo, field_validator

from jiqun.standard.problems import JiqunError
from jiqun.standard.schema import TEXT_MAX
from jiqun.standard.text import control_reason, length_reason, shown


class ControlCharacters(JiqunError):
    """A control character in the path, query or a form field (HTTP 400)."""

    status = 400


def _reason(value: str, multiline: bool) -> str | None:
    why = control_reason(value, multiline)
    if why is None:
        return None
    return f"值「{shown(value)}」{why[0]} / value '{shown(value)}' {why[1]}"


def _walk(value: Any, multiline: bool, nested: bool = False) -> str | None:
    """The reason for the first refused string in ``value`` (recursively), or ``None``.

    A string inside a list or a dict is also at most :data:`TEXT_MAX` characters (a field's own
    ``max_length`` bounds a top-level string)."""
    if isinstance(value, str):
        why = _reason(value, multiline)
        if why is None and nested:
            long = length_reason(value, TEXT_MAX)
            if long:
                why = f"值「{shown(value)}」{long[0]} / value '{shown(value)}' {long[1]}"
        return why
    if isinstance(value, dict):
        for k, v in value.items():
            why = _walk(k, False, True) or _walk(v, multiline, True)
            if why:
                return why
    elif isinstance(value, list | tuple | set | frozenset):
        for v in value:
            why = _walk(v, multiline, True)
            if why:
                return why
    return None


def _line(value: str) -> str:
    why = _reason(value, multiline=False)
    if why:
        raise ValueError(why)
    return value


def _multiline(value: str) -> str:
    why = _reason(value, multiline=True)
    if why:
        raise ValueError(why)
    return value


#: A single-line string: no control character at all.
Line = Annotated[str, AfterValidator(_line)]
#: A multi-line string: tab, line feed and carriage return allowed, other controls refused.
Text = Annotated[str, AfterValidator(_multiline)]


class Body(BaseModel):
    """Base of the API request bodies: no control characters in any string of the body.

    Subclasses list the fields that may hold several lines in ``multiline_fields``.
    """

    multiline_fields: ClassVar[frozenset[str]] = frozenset()

    @field_validator("*", mode="after")
    @classmethod
    def _no_control_characters(cls, value: Any, info: ValidationInfo) -> Any:
        why = _walk(value, multiline=info.field_name in cls.multiline_fields)
        if why:
            raise ValueError(why)
        return value


async def reject_controls(request: Request) -> None:
    """Refuse control characters in the path, the query string and every form field.

    Tab and line breaks are accepted in form fields (text areas) and refused in the path and
    query. JSON bodies are checked by their :class:`Body` model (422 naming the field); uploaded
    files are not checked here (an .xlsx is binary; the import validation checks every cell).
    """
    where: str | None = None
    why = _reason(request.url.path, multiline=False)  # scope path: already decoded
    if why:
        where = "path"
    if not why:
        for k, v in request.query_params.multi_items():
            why = _reason(k, False) or _reason(v, False)
            if why:
                where = f"query.{shown(k)}"
                break
    ctype = request.headers.get("content-type", "")
    if not why and ctype.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
        form = await request.form()
        for k, field in form.multi_items():
            if isinstance(field, str):  # uploaded files are binary: not checked here
                why = _reason(k, False) or _reason(field, True)
                if why:
                    where = f"form.{shown(k)}"
                    break
    if why:
        zh, _, en = why.partition(" / ")
        raise ControlCharacters(f"请求的 {where} 中{zh}", f"the request's {where}: {en}")
