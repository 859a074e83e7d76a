"""The health check and the status page, with Redis reachable and with Redis down."""
import pytest
from flask import g

from engine.db import db
from tasklane.app import create_app

UNREACHABLE_REDIS = "redis://127.0.0.1:1/0"


@pytest.fixture
def client_without_redis(settings):
    app = create_app({**settings, "TASKLANE_REDIS_URL": UNREACHABLE_REDIS})
    with app.app_context():
        db.create_all()
        yield app.test_client()
        db.session.remove()
        db.engine.dispose()


@pytest.mark.embedded
def test_health_check_is_ok_when_database_and_redis_answer(client, database_url):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.is_json
    body = response.get_json()
    assert body["ok"] is True
    assert body["checks"]["database"] == {"ok": True, "backend": database_url.split(":")[0]}
    assert body["checks"]["redis"]["ok"] is True
    assert isinstance(body["checks"]["redis"]["workers"], int)  # other test runs may share this Redis


def test_status_page_lists_the_deployed_processes(client, deploy):
    deploy("call_loop.bpmn")
    deploy("parallel.bpmn")
    response = client.get("/status")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "<tr><td><code>call_loop</code></td><td>Call until reached</td><td>1</td></tr>" in page
    assert "<td><code>parallel_review</code></td>" in page
    assert "<tr><th>Deployed processes</th><td>2</td></tr>" in page
    assert "class=\"bad\"" not in page


def test_health_check_fails_with_503_when_redis_is_unreachable(client_without_redis):
    response = client_without_redis.get("/healthz")
    assert response.status_code == 503
    body = response.get_json()
    assert body["ok"] is False
    assert body["checks"]["database"]["ok"] is True
    assert body["checks"]["redis"]["ok"] is False
    assert "127.0.0.1:1" in body["checks"]["redis"]["error"]


def test_status_page_shows_redis_down_and_still_lists_processes(client_without_redis):
    page = client_without_redis.get("/status").get_data(as_text=True)
    assert page.count('class="bad">Down') == 1
    assert "127.0.0.1:1" in page
    assert "<th>Deployed processes</th><td>0</td>" in page


def test_status_page_lists_the_periodic_jobs_to_admins_and_process_owners_in_their_language(app, sign_in):
    from accounts.models import User
    from engine import periodic

    job = periodic.registered()["deadline-warnings"]
    periodic.run(periodic.record_due(job).id)

    def status_page(client):
        g.pop("_login_user", None)  # the test app keeps one app context: forget the last user
        return client.get("/status").get_data(as_text=True)

    for locale, words in (("vi", ("Công việc định kỳ", "Mỗi phút", "Xong")),
                          ("en", ("Periodic jobs", "Every minute", "Done")),
                          ("ru", ("Периодические задачи", "Каждую минуту", "Выполнено"))):
        db.session.query(User).filter(User.username.in_(["admin", "owner"])).update({"locale": locale})
        db.session.commit()
        for username in ("admin", "owner"):
            page = status_page(sign_in(username))
            assert "deadline-warnings" in page and all(word in page for word in words), (locale, username)
    assert "deadline-warnings" not in status_page(app.test_client())
    assert "deadline-warnings" not in status_page(sign_in("sales1"))
