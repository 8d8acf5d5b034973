"""Naming filters and answer checks that keep `copier.yml` readable.

Copier renders question defaults and validators with Jinja, which cannot import
Python modules. This extension brings the few Python facts those expressions
need (keywords, the standard library's module names, a strict e-mail shape) as
Jinja filters, tests and a global.
"""

from __future__ import annotations

import keyword
import re
import sys
import unicodedata
from typing import TYPE_CHECKING

from jinja2.ext import Extension

if TYPE_CHECKING:
    from jinja2 import Environment

STDLIB_MODULE_NAMES: frozenset[str] = frozenset({*sys.stdlib_module_names, "test"})
"""Top-level modules of the running interpreter's standard library.

With ``test``, CPython's own test package, which ``sys.stdlib_module_names``
leaves out: ``python -m test`` would run CPython's test suite.
"""

DEPENDENCY_MODULE_NAMES: frozenset[str] = frozenset(
    {
        "aiosqlite",
        "alembic",
        "argon2",
        "asyncmy",
        "asyncpg",
        "bcrypt",
        "benchmarks",
        "fastapi",
        "httpx",
        "hypothesis",
        "jwt",
        "limits",
        "litestar",
        "pydantic",
        "pydantic_settings",
        "pytest",
        "redis",
        "schemathesis",
        "sqlalchemy",
        "starlette",
        "structlog",
        "tests",
        "uvicorn",
    }
)
"""Modules a rendered service imports or ships; its package must not shadow them."""

MAX_SLUG_LENGTH = 64
"""The longest ``project_slug``: it is also the Redis key prefix's default."""
MAX_PACKAGE_LENGTH = 40
"""The longest ``package_name`` whose imports still fit the rendered code's lines."""

KEBAB_CASE = re.compile(r"[a-z][a-z0-9]*(?:-[a-z0-9]+)*")
EMAIL_ADDRESS = re.compile(r"[^@\s]+@[^@\s.]+(?:\.[^@\s.]+)*\.[A-Za-z]{2,}")
_NON_ALNUM_RUN = re.compile(r"[^a-z0-9]+")
_CAMEL_BOUNDARY = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")
_LEADING_NON_LETTERS = re.compile(r"^[^a-z]+")
_PACKAGE_SUFFIX = "_service"


def _words(value: str) -> list[str]:
    """Split free text into lowercase ASCII words.

    Accents are folded (``Café`` gives ``cafe``), apostrophes dropped (``It's``
    gives ``its``), camelCase split and leading digits dropped, so the first word
    starts with a letter.

    Args:
        value: Any human text, such as a project name.

    Returns:
        The words, possibly none.
    """
    folded = unicodedata.normalize("NFKD", value.replace("'", ""))
    ascii_text = folded.encode("ascii", "ignore").decode("ascii")
    lowered = _CAMEL_BOUNDARY.sub(" ", ascii_text).lower()
    cleaned = _LEADING_NON_LETTERS.sub("", _NON_ALNUM_RUN.sub(" ", lowered).strip())
    return cleaned.split()


def _join_within(words: list[str], separator: str, limit: int) -> str:
    """Join the leading words that fit in ``limit`` characters (cut one if none)."""
    joined = ""
    for word in words:
        longer = f"{joined}{separator}{word}" if joined else word
        if len(longer) > limit:
            break
        joined = longer
    return joined or (words[0][:limit] if words else "")


def kebab(value: str) -> str:
    """Turn free text into a kebab-case slug, e.g. ``My Service`` -> ``my-service``.

    Args:
        value: Any human text.

    Returns:
        A slug matching ``^[a-z][a-z0-9]*(-[a-z0-9]+)*$`` of at most
        ``MAX_SLUG_LENGTH`` characters (whole words), or ``""`` when the text
        holds no ASCII letter.
    """
    return _join_within(_words(value), "-", MAX_SLUG_LENGTH)


def snake(value: str) -> str:
    """Turn free text or a slug into snake_case, e.g. ``my-service`` -> ``my_service``.

    Args:
        value: Any human text or slug.

    Returns:
        A lowercase identifier starting with a letter, of at most
        ``MAX_PACKAGE_LENGTH`` characters (whole words), or ``""`` when the text
        holds no ASCII letter.
    """
    return _join_within(_words(value), "_", MAX_PACKAGE_LENGTH)


def is_stdlib_module(value: object) -> bool:
    """Tell whether a name is a top-level standard library module.

    Args:
        value: The candidate name.

    Returns:
        True for names such as ``json`` or ``test``.
    """
    return isinstance(value, str) and value in STDLIB_MODULE_NAMES


def is_dependency_module(value: object) -> bool:
    """Tell whether a package of that name would shadow a rendered dependency.

    Args:
        value: The candidate name.

    Returns:
        True for names such as ``fastapi`` or ``sqlalchemy``.
    """
    return isinstance(value, str) and value in DEPENDENCY_MODULE_NAMES


def is_python_keyword(value: object) -> bool:
    """Tell whether a name is a Python keyword (``class``, ``import``, ...).

    Args:
        value: The candidate name.

    Returns:
        True for hard keywords.
    """
    return isinstance(value, str) and keyword.iskeyword(value)


def is_python_identifier(value: object) -> bool:
    """Tell whether a name is a valid, ASCII-only Python identifier.

    Args:
        value: The candidate name.

    Returns:
        True for names a package can use.
    """
    return isinstance(value, str) and value.isascii() and value.isidentifier()


def is_kebab_case(value: object) -> bool:
    """Tell whether a value is a slug such as ``my-service``.

    Args:
        value: The candidate slug.

    Returns:
        True when the whole value matches ``^[a-z][a-z0-9]*(-[a-z0-9]+)*$``.
    """
    return isinstance(value, str) and KEBAB_CASE.fullmatch(value) is not None


def is_email_address(value: object) -> bool:
    """Tell whether a value looks like an e-mail address (``a@b.example``).

    Args:
        value: The candidate address.

    Returns:
        True for one address with a local part, a domain and a top-level domain.
    """
    return isinstance(value, str) and EMAIL_ADDRESS.fullmatch(value) is not None


def has_letter(value: object) -> bool:
    """Tell whether a text holds at least one letter, in any script.

    Args:
        value: The candidate text.

    Returns:
        True when some character is alphabetic.
    """
    return isinstance(value, str) and any(char.isalpha() for char in value)


def is_one_line(value: object) -> bool:
    """Tell whether a text holds no line break.

    Args:
        value: The candidate text.

    Returns:
        True when the text is a single line.
    """
    return isinstance(value, str) and value.splitlines() in ([], [value])


def toml_string(value: str) -> str:
    r"""Quote text as a TOML basic string, e.g. ``Ada "A" L.`` -> ``"Ada \"A\" L."``.

    Args:
        value: One line of text (the validators refuse line breaks).

    Returns:
        The text in double quotes, its backslashes and quotes escaped.
    """
    escaped = value.replace("\\", "\\\\").replace('"', '\\"')
    return f'"{escaped}"'


def python_string(value: str) -> str:
    r"""Quote text as a Python string literal, the way ruff's formatter writes it.

    Double quotes, unless the text holds more of them than single quotes;
    other characters are kept as they are (``Café``, not ``Caf\u00e9``).

    Args:
        value: One line of text (the validators refuse line breaks).

    Returns:
        The literal, e.g. ``'The "Orders" API'`` or ``"Ada's API"``.
    """
    quote = "'" if value.count('"') > value.count("'") else '"'
    escaped = value.replace("\\", "\\\\").replace(quote, "\\" + quote)
    return f"{quote}{escaped}{quote}"


def package_safe(value: str) -> str:
    """Make a derived package name usable, e.g. ``json`` -> ``json_service``.

    A derived default is not validated by ``copier copy --defaults``, so it must
    never be a keyword, a standard library module or a dependency's name.

    Args:
        value: A snake_case name, possibly empty.

    Returns:
        ``value``, suffixed with ``_service`` when it is empty or reserved.
    """
    if not value:
        return _PACKAGE_SUFFIX.removeprefix("_")
    reserved = (is_python_keyword, is_stdlib_module, is_dependency_module)
    if any(check(value) for check in reserved):
        return value + _PACKAGE_SUFFIX
    return value


class NamingExtension(Extension):
    """Register the naming filters, answer tests and the stdlib name list."""

    def __init__(self, environment: Environment) -> None:
        """Add the filters, tests and globals to the Jinja environment.

        Args:
            environment: The Jinja environment Copier renders with.
        """
        super().__init__(environment)
        environment.filters.update(
            {
                "kebab": kebab,
                "snake": snake,
                "package_safe": package_safe,
                "python_string": python_string,
                "toml_string": toml_string,
            }
        )
        environment.tests.update(
            {
                "dependency_module": is_dependency_module,
                "email_address": is_email_address,
                "kebab_case": is_kebab_case,
                "one_line": is_one_line,
                "python_identifier": is_python_identifier,
                "python_keyword": is_python_keyword,
                "stdlib_module": is_stdlib_module,
                "with_letter": has_letter,
            }
        )
        environment.globals["stdlib_module_names"] = sorted(STDLIB_MODULE_NAMES)
