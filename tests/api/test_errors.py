"""werkzeug's HTTP errors under /api/ come back in the one JSON shape, never as HTML."""
from tests.api.conftest import error_of


def test_an_unknown_api_route_is_a_json_404(api):
    error = error_of(api("sales2").get("/no-such-thing"), 404)
    assert error == {"code": "not_found", "message": "Not found.", "fields": {}}
    error_of(api(None).post("/no-such-thing", json={}), 404)


def test_a_wrong_method_is_a_json_405_with_the_allowed_methods(api):
    response = api("sales1").delete("/tasks")
    assert error_of(response, 405)["code"] == "method_not_allowed"
    assert "GET" in response.headers["Allow"]


def test_messages_follow_accept_language_when_no_token_names_a_user(client, users):
    response = client.post("/api/v1/auth/token", json={"username": "sales2", "password": "wrong"},
                           headers={"Accept-Language": "vi"})
    assert error_of(response, 401)["message"] == "Sai tên đăng nhập hoặc mật khẩu."


def test_api_responses_set_no_cookie(api, two_lanes):
    task = two_lanes()
    response = api("sales1").post(f"/tasks/{task.id}/claim")
    assert response.status_code == 200 and "Set-Cookie" not in response.headers


def test_a_browser_gets_the_error_page_for_an_unknown_page(client):
    response = client.get("/no-such-page", headers={"Accept": "text/html"})
    assert response.status_code == 404 and response.mimetype == "text/html"
    assert "Not found." in response.get_data(as_text=True)


def test_a_client_asking_for_json_gets_json_outside_the_api_too(client):
    response = client.get("/no-such-page", headers={"Accept": "application/json"})
    assert error_of(response, 404)["code"] == "not_found"
