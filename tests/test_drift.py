"""Guards: the combinations list, copier.yml and the extensions agree."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import yaml

from extensions.context import HASHERS, STORAGES, derive
from tests.combinations import (
    AXES,
    OPTION_MODULES,
    SERVICE_ENV,
    SUPPORTED,
    TEMPLATE_ROOT,
    UNSUPPORTED,
    choices,
    load_questions,
)

NOT_AXES = {"python_version"}
"""Choice questions that pick no variant (they are tested with the defaults)."""


def test_every_choice_question_is_an_axis_or_deliberately_not() -> None:
    choice_questions = {
        name for name, spec in load_questions().items() if "choices" in spec
    }

    assert choice_questions == set(AXES) | NOT_AXES


def test_every_choice_appears_in_a_supported_combination() -> None:
    unused = {
        (axis, value)
        for axis in AXES
        for value in choices(axis)
        if all(getattr(combination, axis) != value for combination in SUPPORTED)
    }

    assert not unused


def test_supported_is_the_product_of_choices_less_unsupported() -> None:
    product_size = 1
    for axis in AXES:
        product_size *= len(choices(axis))
    ids = [combination.id for combination in SUPPORTED]

    assert len(ids) == len(set(ids))
    assert len(ids) <= product_size
    assert len(ids) == product_size or UNSUPPORTED


def test_every_unsupported_entry_uses_offered_choices() -> None:
    for entry in UNSUPPORTED:
        for question, value in entry.answers.items():
            assert value in choices(question), entry


def test_every_choice_is_known_to_the_tests_and_the_extension() -> None:
    offered = {value for axis in AXES for value in choices(axis)}

    assert offered <= OPTION_MODULES.keys()
    assert set(choices("storage")) <= STORAGES.keys()
    assert set(choices("password_hasher")) <= HASHERS.keys()
    assert set(SERVICE_ENV) <= OPTION_MODULES.keys()


def test_extension_derives_the_same_id_and_flags() -> None:
    for combination in SUPPORTED:
        derived = derive({**combination.answers, "package_name": "pkg"})

        assert derived["combination_id"] == combination.id
        assert derived[f"is_{combination.framework}"] is True
        assert derived[f"uses_{combination.storage}"] is True
        assert derived[f"uses_{combination.password_hasher}"] is True


WORKFLOW = TEMPLATE_ROOT / ".github" / "workflows" / "ci.yml"


def test_ci_matrix_lists_exactly_the_supported_combinations() -> None:
    workflow = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))
    listed = workflow["jobs"]["variant"]["strategy"]["matrix"]["combination"]

    assert sorted(listed) == sorted(c.id for c in SUPPORTED)
    assert len(listed) == len(set(listed))


def test_ci_workflow_passes_actionlint() -> None:
    actionlint = Path(sys.executable).with_name("actionlint")
    done = subprocess.run(
        [str(actionlint), str(WORKFLOW)],
        capture_output=True,
        text=True,
        check=False,
    )

    assert done.returncode == 0, done.stdout + done.stderr
