"""Natural resource ids: a 2-4 letter prefix, an underscore and 32 lowercase hex digits."""

import random
import re

ID_PATTERN = r"^{prefix}_[0-9a-f]{{32}}$"
_compiled: dict[str, re.Pattern[str]] = {}


def id_pattern(prefix: str) -> re.Pattern[str]:
    if prefix not in _compiled:
        _compiled[prefix] = re.compile(ID_PATTERN.format(prefix=prefix))
    return _compiled[prefix]


def is_id(prefix: str, value: object) -> bool:
    return isinstance(value, str) and id_pattern(prefix).fullmatch(value) is not None


def new_id(prefix: str, rng: random.Random) -> str:
    return f"{prefix}_{rng.getrandbits(128):032x}"
