"""The API client fixture of tests/api, for the change API tests."""

from tests.api.conftest import api_as  # noqa: F401  (fixture)
