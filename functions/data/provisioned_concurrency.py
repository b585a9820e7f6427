"""The pre-warm port (core/prewarm.ProvisionedConcurrency) on Lambda: provisioned concurrency on the ``live``
alias of each exam-day function (infra/constructs/route_functions.py publishes it; API Gateway invokes it)."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from functions.core.errors import Unavailable
from functions.core.prewarm import ALIAS


@lru_cache(maxsize=1)
def lambda_client() -> Any:
    import boto3

    return boto3.client("lambda", config=Config(retries={"mode": "standard", "total_max_attempts": 3},
                                               connect_timeout=2, read_timeout=10))


class LambdaProvisionedConcurrency:
    def __init__(self, client: Any = None, alias: str = ALIAS) -> None:
        self.client = client
        self.alias = alias

    def _call(self, operation: str, function: str, **kwargs: Any) -> dict[str, Any]:
        try:
            result: dict[str, Any] = getattr(self.client or lambda_client(), operation)(
                FunctionName=function, Qualifier=self.alias, **kwargs)
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") == "ProvisionedConcurrencyConfigNotFoundException":
                return {}
            raise Unavailable(f"Lambda refused {operation} on {function}: {error}") from None
        except BotoCoreError as error:
            raise Unavailable(f"Lambda refused {operation} on {function}: {error}") from None
        return result

    def current(self, function: str) -> int:
        config = self._call("get_provisioned_concurrency_config", function)
        return int(config.get("RequestedProvisionedConcurrentExecutions", 0))

    def provision(self, function: str, environments: int) -> None:
        self._call("put_provisioned_concurrency_config", function,
                   ProvisionedConcurrentExecutions=environments)

    def release(self, function: str) -> None:
        self._call("delete_provisioned_concurrency_config", function)  # none set: nothing to do
