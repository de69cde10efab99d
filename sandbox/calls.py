"""What a handler receives and returns."""

import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from werkzeug.datastructures import MultiDict
from werkzeug.wrappers import Request

from sandbox.errors import invalid_body
from sandbox.store import Store


@dataclass
class Call:
    request: Request
    store: Store
    now: datetime
    path_args: dict[str, str]

    @property
    def query(self) -> MultiDict[str, str]:
        return self.request.args

    def json_body(self) -> Any:
        raw = self.request.get_data(cache=True)
        if not raw.strip():
            raise invalid_body("", "The request body must be a JSON document.")
        try:
            return json.loads(raw)
        except (ValueError, UnicodeDecodeError) as exc:
            raise invalid_body("", f"The request body is not valid JSON: {exc}.") from exc

    def attributes(self) -> dict[str, Any]:
        """`data.attributes` of a JSON:API request body."""
        body = self.json_body()
        if not isinstance(body, dict) or not isinstance(body.get("data"), dict):
            raise invalid_body("/data", "The body must be an object with a `data` object.")
        attributes = body["data"].get("attributes")
        if not isinstance(attributes, dict):
            raise invalid_body("/data/attributes", "`data.attributes` must be an object.")
        return attributes


@dataclass
class Reply:
    status: int
    body: Any
    headers: dict[str, str] = field(default_factory=dict)
