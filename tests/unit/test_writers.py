"""The unit of work's writers of other entities (data/writers.py): each kind is registered by the module named for
it, loaded on first use, and writes with the conditions on the version read (creates: only where absent)."""

from __future__ import annotations

import importlib
import json
import subprocess
import sys
from datetime import UTC, datetime

from bench.coldstart import ROOT
from functions.core.changes import Saved, Work
from functions.core.credentials import Credential, CredentialKind
from functions.core.models import Course, Exam, User
from functions.core.rights import Principal
from functions.data.store import NEW_ITEM, SAME_VERSION
from functions.data.unit_of_work import DynamoUnitOfWork
from functions.data.writers import MODULES, SAVERS, writer

NOW = datetime(2026, 12, 4, 12, 0, tzinfo=UTC)


def test_each_kind_is_registered_by_its_module():
    for kind, module in MODULES.items():
        importlib.import_module(module)
        assert SAVERS[kind].__module__ == module, kind


def test_a_writer_module_loads_on_first_use_only():
    probe = ("import json, sys\nfrom functions.data.writers import writer\n"
             "before = 'functions.data.credentials' in sys.modules\nwriter('credential')\n"
             "print(json.dumps([before, 'functions.data.credentials' in sys.modules]))")
    done = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, timeout=120,
                          check=True)
    assert json.loads(done.stdout.strip().splitlines()[-1]) == [False, True]


def conditions(kind: str, before: object, after: object, **extra: object) -> list[tuple[str, str | None]]:
    """(operation, condition) of each write, the audit event last."""
    work = Work(f"{kind}.x", None, [Saved(kind, "ref", before, after, dict(extra))])
    ops = DynamoUnitOfWork(Principal("user", "ada"), NOW).operations(work)
    return [(name, body.get("ConditionExpression")) for op in ops for name, body in op.items()]


def test_creates_only_where_absent_and_changes_only_what_exists():
    course = Course(id="c1", title="C")
    alias = "attribute_not_exists(id) OR #target = :target"  # data/aliases.py: free, or already this course's
    assert conditions("course", None, course) == [("Put", NEW_ITEM), ("Put", alias), ("Put", NEW_ITEM)]
    assert conditions("course", course, course) == [("Put", "attribute_exists(id)"), ("Put", NEW_ITEM)]


def test_versioned_objects_replace_only_the_version_read():
    exam = Exam(id="e1", course_id="c1", title="E", version=3)
    ops = DynamoUnitOfWork(Principal("user", "ada"), NOW).operations(
        Work("exam.update", "c1", [Saved("exam", "e1", exam, exam)]))
    assert ops[0]["Put"]["ConditionExpression"] == SAME_VERSION
    assert ops[0]["Put"]["ExpressionAttributeValues"][":expected"] == {"N": "2"}
    assert ops[1]["Put"]["ConditionExpression"] == NEW_ITEM  # the history copy #v3


def test_a_user_renamed_moves_its_lookups():
    before = User(id="u1", username="old", email="old@x.test", name="U")
    after = before.model_copy(update={"username": "new"})
    assert conditions("user", before, after) == [("Put", "attribute_exists(id)"), ("Put", NEW_ITEM), ("Put", None),
                                                 ("Delete", None), ("Put", NEW_ITEM)]


def test_a_credential_changes_only_over_the_version_read():
    credential = Credential(id="k1", kind=CredentialKind.BASIC, name="n", courses=["c1"], rights=["course:view"],
                            secret_hash="sha256$x", version=4)
    ops = writer("credential")(Saved("credential", "k1", credential.public(), credential.public(),
                                     {"credential": credential, "read_version": 3}))
    assert ops[0]["Put"]["ConditionExpression"] == "#v = :v"
    assert ops[0]["Put"]["ExpressionAttributeValues"][":v"] == {"N": "3"}
    assert ops[0]["Put"]["Item"]["secretHash"] == {"S": "sha256$x"}  # the whole credential, not the audit's view
