"""/healthz reports the database and the broker: 200 when both answer, 503 otherwise."""

import json

from django.test import override_settings
from django.urls import reverse


def test_healthy_when_postgresql_and_redis_answer(client, db) -> None:
    response = client.get(reverse("healthz"))
    assert response.status_code == 200
    assert json.loads(response.content) == {"status": "ok", "database": "ok", "broker": "ok"}


@override_settings(CELERY_BROKER_URL="redis://127.0.0.1:1/0")
def test_unhealthy_when_the_broker_does_not_answer(client, db) -> None:
    response = client.get(reverse("healthz"))
    assert response.status_code == 503
    body = json.loads(response.content)
    assert body["status"] == "error"
    assert body["database"] == "ok"
    assert body["broker"].startswith("error")


def test_unhealthy_when_the_database_does_not_answer(client, transactional_db) -> None:
    from django.db import connections

    connection = connections["default"]
    original = connection.settings_dict["PORT"]
    # A real failed connection: point the next connection at a port where nothing listens.
    connection.close()
    connection.settings_dict["PORT"] = "1"
    try:
        response = client.get(reverse("healthz"))
    finally:
        connection.close()
        connection.settings_dict["PORT"] = original
    assert response.status_code == 503
    assert json.loads(response.content)["database"].startswith("error")
