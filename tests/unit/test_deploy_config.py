"""Deployment settings from CDK context: defaults, and refusals that name the setting."""

from __future__ import annotations

import pytest
from aws_cdk import App

from infra.config import IMPORTER_RATE_MINUTES, SECRET_PARAMETER_PREFIX, DeployConfig


def config(**context: object) -> DeployConfig:
    return DeployConfig.from_node(App(context=context).node)


def test_defaults() -> None:
    c = config()
    assert (c.importer_rate_minutes, c.secret_parameter_prefix, c.edulastic_url) == (5, "/examdesk/", "")


def test_importer_rate_is_configurable_and_bounded() -> None:
    assert config(**{IMPORTER_RATE_MINUTES: "15"}).importer_rate_minutes == 15
    with pytest.raises(ValueError, match=r"1\.\.60 minutes"):
        config(**{IMPORTER_RATE_MINUTES: "0"})


def test_secret_prefix_must_be_a_path() -> None:
    with pytest.raises(ValueError, match="start and end with '/'"):
        config(**{SECRET_PARAMETER_PREFIX: "examdesk"})


def test_api_base_url_is_https_or_empty() -> None:
    from infra.config import API_BASE_URL

    assert config().api_base_url == ""
    assert config(**{API_BASE_URL: "https://api.example.edu/exams/"}).api_base_url == "https://api.example.edu/exams"
    with pytest.raises(ValueError, match="https://"):
        config(**{API_BASE_URL: "http://api.example.edu"})
