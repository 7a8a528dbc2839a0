"""Pick a benchmark agent from generated data and print what the load scripts need, as JSON.

Run with the same environment as the server (DATABASE_URL, SERVAL_DATA_DIR). It makes an API
token through the action that the API uses and a logged-in session the way the desk does
(Django's login on a test client), so the load never goes through the login throttle.
"""

from __future__ import annotations

import json
import os
import random
import sys

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "serval.settings")


def main() -> None:
    import django

    django.setup()
    from django.conf import settings
    from django.test import Client

    from serval.incidents import states as S
    from serval.people.actions import create_token
    from serval.people.models import Role, Team, User
    from serval.work.models import WorkItem

    # The agent of the busiest team: its queue is the largest, so the worst case.
    team = max(
        Team.objects.filter(members__role=Role.AGENT).distinct()[:50],
        key=lambda t: WorkItem.objects.filter(assignment_group=t).count(),
    )
    agent = User.objects.filter(teams=team, role=Role.AGENT).order_by("pk").first()
    assert agent is not None
    _token, secret = create_token(actor=None, user=agent, name="bench", days=1)
    client = Client()
    client.force_login(agent)
    session = client.cookies[settings.SESSION_COOKIE_NAME].value
    rng = random.Random(7)
    ids = list(
        WorkItem.objects.filter(tenant_id=team.tenant_id)
        .order_by("-pk")
        .values_list("pk", flat=True)[:20000]
    )
    numbers = list(
        WorkItem.objects.filter(pk__in=rng.sample(ids, min(200, len(ids)))).values_list(
            "number", flat=True
        )
    )
    json.dump(
        {
            "username": agent.username,
            "agent_id": agent.pk,
            "tenant_id": team.tenant_id,
            "token": secret,
            "team": team.pk,
            "open_states": ",".join(S.OPEN_STATES),
            "session_cookie": f"{settings.SESSION_COOKIE_NAME}={session}",
            "numbers": numbers,
            "items": WorkItem.objects.count(),
        },
        sys.stdout,
    )


if __name__ == "__main__":
    main()
