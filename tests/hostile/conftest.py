from tests.operations.conftest import agent_id  # noqa: F401 - a fixture shared with the invite tests
