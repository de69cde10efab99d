"""`python -m tests.operations.drill_batch N AGENT_ID USER`: a batch of N recipients committed
and handed to the workers, as a confirmed invite form does (the drills' dashboard side)."""

from __future__ import annotations

import os
import sys
import uuid
from datetime import UTC, datetime, timedelta


def main(count: int, agent_id: str, username: str, tag: str) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.contrib.auth import get_user_model

    from natural import writes
    from operations import batches, engine
    from operations.models import Action
    from operations.recipients import Recipient

    expires = datetime.now(UTC).replace(microsecond=0) + timedelta(days=7)
    people = [Recipient("email", f"drill.{tag}.{n}@example.com") for n in range(count)]
    parts = batches.invite_parts(
        agent_id,
        (
            (chunk, writes.invite_customers_body(chunk, ["payments.read"], 2500, expires))
            for chunk in writes.chunks(people)
        ),
    )
    batch = engine.create_batch(
        key=uuid.uuid4(),
        actor=get_user_model().objects.get(username=username),
        action=Action.INVITE_CUSTOMERS,
        target={"agent_id": agent_id},
        summary={"recipients": count},
        parts=parts,
    )
    batches.start(batch)
    print(batch.key, flush=True)


if __name__ == "__main__":
    main(int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4])
