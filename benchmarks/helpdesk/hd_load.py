"""Load N tickets into django-helpdesk through its own models; print a token and a session, as
JSON (the session is for its staff ticket list's JSON endpoint, which takes no token)."""

import json
import os
import random
import sys

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hd_settings")


def main() -> None:
    import django

    django.setup()
    from django.contrib.auth.models import User
    from helpdesk.models import Queue, Ticket
    from rest_framework.authtoken.models import Token

    count = int(sys.argv[1])
    admin = User.objects.create_superuser("bench", "bench@bench.invalid", "bench-pass")
    token = Token.objects.create(user=admin)
    queue = Queue.objects.create(title="Service desk", slug="desk", allow_public_submission=True)
    rng = random.Random(1)
    words = "vpn printer outlook password laptop network timeout disk backup dns".split()
    statuses = [Ticket.OPEN_STATUS] * 3 + [Ticket.CLOSED_STATUS] * 7
    batch = []
    for i in range(count):
        batch.append(
            Ticket(
                queue=queue,
                title=f"{rng.choice(words)} {rng.choice(words)} not working {i}",
                description=" ".join(rng.choices(words, k=20)),
                submitter_email=f"user{i % 500}@bench.invalid",
                status=rng.choice(statuses),
                priority=rng.randint(1, 5),
                assigned_to=admin,
            )
        )
        if len(batch) == 5000:
            Ticket.objects.bulk_create(batch)
            batch = []
    Ticket.objects.bulk_create(batch)
    from django.conf import settings
    from django.test import Client

    client = Client()
    client.force_login(admin)
    session = client.cookies[settings.SESSION_COOKIE_NAME].value
    json.dump(
        {
            "token": token.key,
            "queue": queue.pk,
            "session_cookie": f"{settings.SESSION_COOKIE_NAME}={session}",
        },
        sys.stdout,
    )


if __name__ == "__main__":
    main()
