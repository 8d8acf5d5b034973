"""The questions: defaults, derived names and refused answers."""

from __future__ import annotations

import re
import tomllib
from typing import TYPE_CHECKING

import pytest
import yaml

from tests.combinations import TEMPLATE_ROOT, UNSUPPORTED, load_questions
from tests.conftest import render_template

if TYPE_CHECKING:
    from pathlib import Path

    from tests.conftest import Render

SECTIONS = ("project", "framework", "storage", "security")


def read_answers(project: Path) -> dict[str, object]:
    answers: dict[str, object] = yaml.safe_load(
        (project / ".copier-answers.yml").read_text(encoding="utf-8")
    )
    return answers


def test_every_question_has_type_help_and_default() -> None:
    for name, spec in load_questions().items():
        missing = {"type", "help", "default"} - spec.keys()
        assert not missing, f"question {name} lacks {sorted(missing)}"


def test_defaults_render_my_service(render: Render) -> None:
    project = render()

    answers = read_answers(project)
    assert answers["project_name"] == "My Service"
    assert answers["project_slug"] == "my-service"
    assert answers["package_name"] == "my_service"
    assert answers["python_version"] == "3.11"
    assert (project / "src" / "my_service").is_dir()


@pytest.mark.parametrize(
    ("project_name", "slug", "package"),
    [
        ("Acme Billing API", "acme-billing-api", "acme_billing_api"),
        ("123 Go", "go", "go"),
        ("Café Crème", "cafe-creme", "cafe_creme"),
        ("JSON", "json", "json_service"),
        ("Class", "class", "class_service"),
        ("Test", "test", "test_service"),
        (
            "Payments Reconciliation & Settlement Batch Engine, Card Networks",
            "payments-reconciliation-settlement-batch-engine-card-networks",
            "payments_reconciliation_settlement_batch",
        ),
        (
            "MyVeryLongCamelCaseNameThatBecomesAVeryLongSlugWithManyHyphensIn",
            "my-very-long-camel-case-name-that-becomes-avery-long-slug-with",
            "my_very_long_camel_case_name_that",
        ),
        ("サービス", "service", "service"),
    ],
)
def test_slug_and_package_derive_from_project_name(
    render: Render, project_name: str, slug: str, package: str
) -> None:
    answers = read_answers(render({"project_name": project_name}))

    assert (answers["project_slug"], answers["package_name"]) == (slug, package)


def test_package_derives_from_a_given_slug(render: Render) -> None:
    answers = read_answers(render({"project_slug": "order-events-2"}))

    assert answers["package_name"] == "order_events_2"


def test_text_answers_reach_pyproject_verbatim(render: Render) -> None:
    answers = {
        "project_name": 'The "Orders" API',
        "description": r"Keeps orders under C:\orders, \"as is\".",
        "author_name": 'Ada "the Countess" Lovelace',
        "package_name": "orders",
    }

    project = render(answers)

    pyproject = tomllib.loads((project / "pyproject.toml").read_text("utf-8"))
    assert pyproject["project"]["description"] == answers["description"]
    assert pyproject["project"]["authors"][0]["name"] == answers["author_name"]
    wheel = pyproject["tool"]["hatch"]["build"]["targets"]["wheel"]
    assert wheel["packages"] == ["src/orders"]


BAD_ANSWERS = [
    ({"project_slug": "My Slug"}, "project_slug must be lowercase kebab-case"),
    ({"project_slug": "my--slug"}, "project_slug must be lowercase kebab-case"),
    ({"project_slug": "2fast"}, "project_slug must be lowercase kebab-case"),
    ({"package_name": "class"}, "must not be a Python keyword"),
    ({"package_name": "json"}, "must not shadow the standard library module 'json'"),
    ({"package_name": "test"}, "must not shadow the standard library module 'test'"),
    ({"package_name": "fastapi"}, "must not shadow 'fastapi'"),
    ({"package_name": "1abc"}, "package_name must be a valid Python identifier"),
    ({"package_name": "my-service"}, "package_name must be a valid Python identifier"),
    ({"package_name": "a" * 41}, "package_name must be at most 40 characters"),
    ({"project_slug": "a" * 65}, "project_slug must be at most 64 characters"),
    ({"project_name": ""}, "project_name must not be empty"),
    ({"project_name": "123"}, "project_name must contain at least one letter"),
    ({"project_name": "x" * 65}, "project_name must be at most 64 characters"),
    ({"project_name": "Two\nLines"}, "project_name must be a single line"),
    ({"description": "Two\nLines"}, "description must be a single line"),
    ({"author_name": " "}, "author_name must not be empty"),
    ({"author_email": "nope"}, "author_email must look like an e-mail address"),
    ({"author_email": "a@b"}, "author_email must look like an e-mail address"),
    ({"python_version": "3.10"}, "Invalid choice for 'python_version'"),
    ({"framework": "django"}, "Invalid choice for 'framework'"),
    ({"storage": "oracle"}, "Invalid choice for 'storage'"),
    ({"rate_limit_backend": "memcached"}, "Invalid choice for 'rate_limit_backend'"),
    ({"password_hasher": "md5"}, "Invalid choice for 'password_hasher'"),
    *((entry.answers, entry.message) for entry in UNSUPPORTED),
]


@pytest.mark.parametrize(
    ("answers", "message"),
    BAD_ANSWERS,
    ids=[",".join(f"{k}={v!r}" for k, v in a.items()) for a, _ in BAD_ANSWERS],
)
def test_bad_answer_is_refused_and_nothing_is_written(
    tmp_path: Path, answers: dict[str, str], message: str
) -> None:
    dst = tmp_path / "refused"

    with pytest.raises(ValueError, match=re.escape(message)):
        render_template(dst, answers)

    assert not dst.exists()


def test_copier_yml_groups_questions_under_banners() -> None:
    text = (TEMPLATE_ROOT / "copier.yml").read_text(encoding="utf-8").lower()
    positions = [text.find(f"# {section}\n") for section in SECTIONS]

    assert -1 not in positions, f"missing banner among {SECTIONS}"
    assert positions == sorted(positions)
