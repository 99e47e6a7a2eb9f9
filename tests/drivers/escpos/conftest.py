from __future__ import annotations

from collections.abc import Iterator

import pytest

from drivers.fakes import TestNetworkPrinter


@pytest.fixture
def test_printer() -> Iterator[TestNetworkPrinter]:
    """An Epson-compatible printer on a real TCP port of 127.0.0.1."""
    with TestNetworkPrinter() as printer:
        yield printer
