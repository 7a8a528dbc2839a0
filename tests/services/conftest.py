"""Services tests use the API client of tests/api."""

from tests.api.conftest import api_as, assert_problem  # noqa: F401
