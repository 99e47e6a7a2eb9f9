from __future__ import annotations

import pytest

from tests.server.scale.redis_util import require_redis


@pytest.fixture
def redis_url() -> str:
    return require_redis()
