"""A stateful emulator of the Natural agent-payments API (no Django): `python -m sandbox`."""

from sandbox.app import SandboxApp, create_app

__all__ = ["SandboxApp", "create_app"]
