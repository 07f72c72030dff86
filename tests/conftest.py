"""Session set-up: the raw data are fetched and verified once, before any test needs them.

Tests that use data must run, not skip: with no mirror and no network the session stops here
with the fetch's one-line error.
"""

import pytest

from helpers.data import fetch


def pytest_sessionstart(session: pytest.Session) -> None:
    try:
        fetch.fetch_all()
    except fetch.FetchError as exc:
        raise pytest.UsageError(f"cannot fetch the data for the tests: {exc} (set DATA_MIRROR?)") from exc
