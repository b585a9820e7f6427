"""The adapters by toolProvider name, built once per process from the configuration (a warm Lambda keeps
MasteryTrack's JWT). ``reset`` forgets them (tests change the configuration)."""

from __future__ import annotations

from functools import lru_cache

from functions.core.errors import ProviderFailed
from functions.core.external_tests import EDULASTIC, MASTERY_TRACK, ProviderPort
from functions.providers import config
from functions.providers.base import Provider
from functions.providers.edulastic import Edulastic
from functions.providers.masterytrack import MasteryTrack


@lru_cache(maxsize=1)
def _adapters() -> dict[str, Provider]:
    s = config.provider_settings()
    return {EDULASTIC: Edulastic(s.edulastic_url, s.policy),
            MASTERY_TRACK: MasteryTrack(s.masterytrack_url, s.policy)}


def provider(name: str) -> ProviderPort:
    adapter = _adapters().get(name)
    if adapter is None:
        raise ProviderFailed(f"examdesk has no adapter for toolProvider '{name}'")
    return adapter


def reset() -> None:
    _adapters.cache_clear()
    config.provider_settings.cache_clear()
