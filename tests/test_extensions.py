"""The Jinja extensions in extensions/, tested as plain Python."""

from __future__ import annotations

import ast
import tomllib

import pytest
from packaging.requirements import Requirement

from extensions.context import derive
from extensions.filters import (
    has_letter,
    is_email_address,
    is_kebab_case,
    is_one_line,
    is_python_identifier,
    is_stdlib_module,
    kebab,
    package_safe,
    python_string,
    snake,
    toml_string,
)


@pytest.mark.parametrize(
    ("text", "slug"),
    [
        ("My Service", "my-service"),
        ("MyCoolService 2.0", "my-cool-service-2-0"),
        ("  Acme -- Billing__API ", "acme-billing-api"),
        ("It's Ours", "its-ours"),
        ("123 Go", "go"),
        ("Ünïcödé", "unicode"),
        ("サービス", ""),
    ],
)
def test_kebab_gives_a_valid_slug_or_nothing(text: str, slug: str) -> None:
    assert kebab(text) == slug
    assert is_kebab_case(slug) or not slug


def test_snake_turns_a_slug_into_an_identifier() -> None:
    assert snake("order-events-2") == "order_events_2"


@pytest.mark.parametrize(
    ("name", "safe"),
    [
        ("my_service", "my_service"),
        ("json", "json_service"),
        ("class", "class_service"),
        ("sqlalchemy", "sqlalchemy_service"),
        ("", "service"),
    ],
)
def test_package_safe_avoids_reserved_names(name: str, safe: str) -> None:
    assert package_safe(name) == safe


def test_stdlib_check_uses_the_interpreter_list() -> None:
    assert is_stdlib_module("json")
    assert is_stdlib_module("asyncio")
    assert is_stdlib_module("test")  # CPython's own tests, not in the list
    assert not is_stdlib_module("my_service")


ODD_TEXT = [
    "plain",
    'The "Orders" API',
    "Ada's API",
    "C:\\data \"a\" 'b'",
    "Café Über",
    "{{ not jinja }}",
]


@pytest.mark.parametrize("text", ODD_TEXT)
def test_toml_string_reads_back_as_the_text(text: str) -> None:
    assert tomllib.loads(f"value = {toml_string(text)}")["value"] == text


@pytest.mark.parametrize("text", ODD_TEXT)
def test_python_string_reads_back_as_the_text(text: str) -> None:
    assert ast.literal_eval(python_string(text)) == text


def test_python_string_quotes_as_ruff_formats() -> None:
    assert python_string('The "Orders" API') == "'The \"Orders\" API'"
    assert python_string("Ada's API") == '"Ada\'s API"'
    assert python_string("Café") == '"Café"'


@pytest.mark.parametrize(
    ("value", "expected"),
    [("my_service", True), ("1abc", False), ("my-service", False), ("café", False)],
)
def test_python_identifier_is_ascii_only(value: str, expected: bool) -> None:
    assert is_python_identifier(value) is expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("you@example.com", True),
        ("first.last+tag@mail.example.org", True),
        ("nope", False),
        ("a@b", False),
        ("a b@example.com", False),
        ("a@@example.com", False),
    ],
)
def test_email_address_shape(value: str, expected: bool) -> None:
    assert is_email_address(value) is expected


def test_one_line_and_letter_checks() -> None:
    assert is_one_line("one line")
    assert not is_one_line("two\nlines")
    assert not is_one_line("trailing\n")
    assert has_letter("サービス 1")
    assert not has_letter("123 !")


def test_derive_tolerates_missing_answers() -> None:
    derived = derive({})

    assert derived["uses_sql"] is True
    assert derived["is_fastapi"] is False
    assert "combination_id" not in derived
    assert "db_driver" not in derived


@pytest.mark.parametrize(
    ("storage", "driver", "url"),
    [
        ("sqlite", "aiosqlite", "sqlite+aiosqlite:///./pkg.db"),
        (
            "postgres",
            "asyncpg",
            "postgresql+asyncpg://postgres:postgres@localhost:5432/pkg",
        ),
        ("mysql", "asyncmy", "mysql+asyncmy://root:root@localhost:3306/pkg"),
    ],
)
def test_derive_storage_names(storage: str, driver: str, url: str) -> None:
    derived = derive({"storage": storage, "package_name": "pkg"})

    assert (derived["db_driver"], derived["default_database_url"]) == (driver, url)
    assert Requirement(derived["db_requirement"]).name == driver
    assert Requirement(derived["db_requirement"]).specifier


@pytest.mark.parametrize(
    ("storage", "compose_url", "package"),
    [
        (
            "postgres",
            "postgresql+asyncpg://postgres:postgres@db:5432/pkg",
            "postgresql",
        ),
        ("mysql", "mysql+asyncmy://root:root@db:3306/pkg", "mariadb-server-core"),
    ],
)
def test_derive_server_storage_names(
    storage: str, compose_url: str, package: str
) -> None:
    derived = derive({"storage": storage, "package_name": "pkg"})

    assert derived["uses_database_server"] is True
    (server,) = derived["servers"]
    assert (server["service"], server["kind"]) == ("db", storage)
    assert server["compose_url"] == compose_url
    assert server["ci_url"] == compose_url.replace("@db:", "@localhost:")
    assert server["package"] == package


def test_sqlite_needs_no_server() -> None:
    derived = derive({"storage": "sqlite", "package_name": "pkg"})

    assert derived["uses_database_server"] is False
    assert derived["servers"] == []


@pytest.mark.parametrize(
    ("storage", "limiter", "variables", "scratch"),
    [
        ("sqlite", "memory", "", ""),
        ("sqlite", "redis", "`REDIS_URL`", "Redis key prefix"),
        ("mysql", "memory", "`DATABASE_URL`", "database"),
        (
            "postgres",
            "redis",
            "`DATABASE_URL` and `REDIS_URL`",
            "database and Redis key prefix",
        ),
    ],
)
def test_derive_what_the_readme_says_of_the_servers(
    storage: str, limiter: str, variables: str, scratch: str
) -> None:
    derived = derive({"storage": storage, "rate_limit_backend": limiter})

    assert derived["server_variables"] == variables
    assert derived["test_server_scratch"] == scratch


def test_derive_full_combination() -> None:
    answers = {
        "framework": "litestar",
        "storage": "postgres",
        "rate_limit_backend": "redis",
        "password_hasher": "argon2",
        "python_version": "3.12",
    }

    derived = derive(answers)

    assert derived["combination_id"] == "litestar-postgres-redis-argon2"
    assert derived["python_version_nodot"] == "312"
    assert derived["database_dialect"] == "postgresql"
    assert derived["is_litestar"]
    assert derived["uses_redis"]
    assert derived["uses_argon2"]


@pytest.mark.parametrize(
    ("hasher", "default", "floor", "requirements"),
    [("bcrypt", 12, 4, ["bcrypt"]), ("argon2", 3, 2, ["argon2-cffi", "bcrypt"])],
)
def test_derive_password_hasher_costs(
    hasher: str, default: int, floor: int, requirements: list[str]
) -> None:
    derived = derive({"password_hasher": hasher})

    assert (derived["default_hash_rounds"], derived["min_hash_rounds"]) == (
        default,
        floor,
    )
    # The timing test's cost may exceed the default: argon2's rendered tests
    # hash over 1 MiB, not 19, so it takes more passes to cost 10-20 ms.
    for key in ("default_hash_rounds", "timing_hash_rounds"):
        assert derived["min_hash_rounds"] <= derived[key] <= derived["max_hash_rounds"]
    names = [Requirement(spec).name for spec in derived["hasher_requirements"]]
    assert names == requirements
