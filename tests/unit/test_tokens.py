import base64
import json

import pytest

from functions.core.errors import InvalidInput
from functions.data import tokens

SEED_TOKEN = "WyJpZD0yM2EwYzkxMy1jNjFkLTUxZmUtOWI2NC0zMjA5NmI3Yjg0YmZ8c2s9ZXhhbS1zZXNzaW9uIl0="


def test_the_seed_token_decodes_to_a_session_key():
    assert tokens.decode(SEED_TOKEN) == [{"id": "23a0c913-c61d-51fe-9b64-32096b7b84bf", "sk": "exam-session"}]


def test_encode_is_the_seed_format():
    assert tokens.encode([{"id": "23a0c913-c61d-51fe-9b64-32096b7b84bf", "sk": "exam-session"}]) == SEED_TOKEN


@pytest.mark.parametrize("token", [
    "not base64!!",
    base64.b64encode(b"{not json").decode(),
    base64.b64encode(json.dumps({"id": "x"}).encode()).decode(),
    base64.b64encode(json.dumps([]).encode()).decode(),
    base64.b64encode(json.dumps(["id=x"]).encode()).decode(),
    base64.b64encode(json.dumps(["id=a|b|sk=c"]).encode()).decode(),
    base64.b64encode(json.dumps([1]).encode()).decode(),
    "A" * 5000,
    "",
])
def test_garbled_tokens_are_invalid_input(token):
    with pytest.raises(InvalidInput) as caught:
        tokens.decode(token)
    assert caught.value.field == "nextToken"
