"""Source rules of the data layer (docs/data-model.md): key strings only in functions/data/keys.py.

AST scans of functions/**/*.py, so docstrings and comments that quote a key (``course#<id>``) do not count:
only string values the code builds.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

FUNCTIONS = Path(__file__).resolve().parents[2] / "functions"
KEYS_MODULE = FUNCTIONS / "data" / "keys.py"
# A key part: a lower-case type prefix then the separator ("course#", "number#exam#", "exam-session#part#").
KEY_LIKE = re.compile(r"^[a-z][a-z0-9-]*#")
# A condition that names the key attribute (keys.ITEM_EXISTS / ITEM_ABSENT).
KEY_CONDITION = re.compile(r"attribute_(not_)?exists\((id|sk)\)")
# Index key attributes ("gsi1pk") and index names ("gsi1") are keys.INDEXES'.
INDEX_ATTRIBUTE = re.compile(r"^gsi\d+(pk|sk)?$")


def _not_values(tree: ast.AST) -> set[int]:
    """Docstrings (prose) and the literal parts of f-strings (judged with their f-string)."""
    skip = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)) and node.body:
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                skip.add(id(first.value))
        if isinstance(node, ast.JoinedStr):
            skip.update(id(part) for part in ast.walk(node) if isinstance(part, ast.Constant))
    return skip


def key_like_literals(path: Path, root: Path = FUNCTIONS.parent) -> list[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    skip = _not_values(tree)
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.JoinedStr):
            parts = [v.value for v in node.values if isinstance(v, ast.Constant) and isinstance(v.value, str)]
            head = node.values[0] if node.values else None
            starts = head.value if isinstance(head, ast.Constant) and isinstance(head.value, str) else ""
            if KEY_LIKE.match(starts) or KEY_CONDITION.search("".join(parts)):
                found.append((node.lineno, f"{path.relative_to(root)}:{node.lineno}: {ast.unparse(node)}"))
        elif isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in skip:
            value = node.value
            if KEY_LIKE.match(value) or KEY_CONDITION.search(value) or INDEX_ATTRIBUTE.match(value):
                found.append((node.lineno, f"{path.relative_to(root)}:{node.lineno}: {value!r}"))
    return [hit for _, hit in sorted(found)]


def test_key_strings_are_built_only_in_keys_module():
    offenders = [hit for path in sorted(FUNCTIONS.rglob("*.py")) if path != KEYS_MODULE
                 for hit in key_like_literals(path)]
    assert offenders == [], "key strings belong in functions/data/keys.py:\n" + "\n".join(offenders)


def test_the_key_scan_finds_what_it_looks_for(tmp_path):
    """The rule above cannot pass by finding nothing: each form it forbids is caught, prose is not."""
    sample = tmp_path / "sample.py"
    sample.write_text('"""course#<id> in a docstring is prose."""\n'
                      'A = "course#"\n'
                      'B = f"item#{x}"\n'
                      'C = f"number#{kind}#"\n'
                      'D = "attribute_exists(id)"\n'
                      'E = f"attribute_not_exists(id) OR {x}"\n'
                      'F = "gsi1pk"\n'
                      'G = "a plain # string"\n'
                      'H = f"{a}/{b}#{c}"\n')
    hits = [hit.split(": ", 1)[1] for hit in key_like_literals(sample, tmp_path)]
    assert hits == ["'course#'", "f'item#{x}'", "f'number#{kind}#'", "'attribute_exists(id)'",
                    "f'attribute_not_exists(id) OR {x}'", "'gsi1pk'"]


# --- one style of table access in functions/data/ -------------------------------------------------------
DATA = FUNCTIONS / "data"
# store.py is the table's one access layer over dynamo.py's client. Other AWS clients are not the table's:
# provisioned_concurrency.py's ``lambda_client()`` (Lambda) and cognito_clients.py's ``boto3.client("cognito-idp")``.
CLIENT_CALLERS = {DATA / "store.py", DATA / "dynamo.py"}


def _is_dynamodb_client(call: ast.Call) -> bool:
    func = call.func
    if isinstance(func, ast.Name):
        return func.id == "client"  # dynamo.client imported by name
    if not isinstance(func, ast.Attribute) or func.attr != "client":
        return False
    if isinstance(func.value, ast.Name) and func.value.id == "dynamo":
        return True
    first = call.args[0] if call.args else None  # boto3.client("dynamodb") made anew
    return isinstance(first, ast.Constant) and first.value == "dynamodb"


def client_uses(path: Path, root: Path = FUNCTIONS.parent) -> list[str]:
    """Calls of the DynamoDB client (``client()``, ``dynamo.client()``, ``boto3.client("dynamodb")``) and
    imports of dynamo.py's ``client``."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Call) and _is_dynamodb_client(node):
            found.append((node.lineno, f"{path.relative_to(root)}:{node.lineno}: {ast.unparse(node)}"))
        if isinstance(node, ast.ImportFrom) and any(alias.name == "client" for alias in node.names):
            found.append((node.lineno, f"{path.relative_to(root)}:{node.lineno}: imports client from {node.module}"))
    return [hit for _, hit in sorted(found)]


def test_only_the_store_calls_the_dynamodb_client():
    offenders = [hit for path in sorted(DATA.rglob("*.py")) if path not in CLIENT_CALLERS
                 for hit in client_uses(path)]
    assert offenders == [], "go through functions/data/store.py's Store:\n" + "\n".join(offenders)


def test_the_client_scan_finds_what_it_looks_for(tmp_path):
    sample = tmp_path / "sample.py"
    sample.write_text("from functions.data.dynamo import client\n"
                      "from functions.data import dynamo\n"
                      "client().query(TableName='t')\n"
                      "dynamo.client().get_item()\n"
                      "boto3.client('dynamodb')\n"
                      "boto3.client('cognito-idp')\n"
                      "lambda_client().invoke()\n")
    assert [hit.split(": ", 1)[1] for hit in client_uses(sample, tmp_path)] == [
        "imports client from functions.data.dynamo", "client()", "dynamo.client()", "boto3.client('dynamodb')"]
