"""The expected failures of Bottle's own suite (tests/bottle_suite/expected_failures.toml)
are explained in the migration guide, word for word, and each names a real test."""

import re
import sys
from pathlib import Path

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

ROOT = Path(__file__).resolve().parents[1]
LIST = ROOT / "tests" / "bottle_suite" / "expected_failures.toml"
GUIDE = ROOT / "docs" / "migrating-from-bottle.md"


def _entries():
    with LIST.open("rb") as file:
        tables = tomllib.load(file)
    return [(table, test_id, reason) for table, entries in tables.items() for test_id, reason in entries.items()]


def test_every_reason_is_in_the_migration_guide():
    guide = " ".join(GUIDE.read_text(encoding="utf-8").split())  # line breaks in the guide do not matter
    missing = sorted({reason for _, _, reason in _entries() if " ".join(reason.split()) not in guide})
    assert not missing, f"reasons missing from {GUIDE.name}: {missing}"


def test_every_entry_is_a_test_id_of_the_suite_with_a_one_line_reason():
    for _, test_id, reason in _entries():
        assert re.fullmatch(r"test/test_\w+\.py::\w+::\w+", test_id), test_id
        assert reason.strip() and "\n" not in reason, test_id


def test_only_known_tables_hold_entries():
    # private internals and deliberate safety differences are the lasting kinds; the others
    # are tests of features that land with another branch and leave when it is merged
    assert {table for table, _, _ in _entries()} <= {"private", "safety", "deliberate", "seccore", "templates"}
