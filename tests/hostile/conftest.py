# Fixtures shared with the operations tests: an admin user and a seeded agent id.
from tests.operations.conftest import admin, agent_id  # noqa: F401
