"""Integer query parameters, held to the OpenAPI document's ``integer``.

Each framework reads a query integer leniently, in its own way: pydantic
(FastAPI) takes ``+5``, ``05`` and ``2.0``, msgspec (Litestar) ``2.0`` and
``1e1``, and both keep the last of ``?limit=1&limit=2``. A handler calls
:func:`refuse_loose_integers` to take an integer only as plain digits, once.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from ..core.errors import FieldError, ValidationError

_INTEGER = re.compile(r"-?(?:0|[1-9][0-9]*)")


def refuse_loose_integers(query: Iterable[tuple[str, str]], *names: str) -> None:
    """Raise unless each of ``names`` found in ``query`` is plain digits, once.

    Args:
        query: The query's name and value pairs, in order, repeats included.
        names: The integer parameters to hold to that.

    Raises:
        ValidationError: Naming each parameter given twice or not as digits,
            as pydantic words it.
    """
    seen: set[str] = set()
    errors: dict[str, FieldError] = {}
    for name, value in query:
        if name not in names or name in errors:
            continue
        if name in seen:
            errors[name] = FieldError(
                f"query.{name}", "Input should be a valid integer", "int_type"
            )
        elif not _INTEGER.fullmatch(value):
            errors[name] = FieldError(
                f"query.{name}",
                "Input should be a valid integer, unable to parse string as an integer",
                "int_parsing",
            )
        seen.add(name)
    if errors:
        raise ValidationError(errors=list(errors.values()))
