"""Malformed input and unservable clients: always a 4xx JSON error in words, never a 500."""

from __future__ import annotations

from bhcp_ag.hub.demo_users import DEMO_ADMIN, DEMO_GP

SESSION = "/api/v1/session"


def _assert_readable(response, status: int, code: str | None = None) -> dict:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    body = response.json()
    assert isinstance(body["detail"], str) and body["detail"]
    assert isinstance(body["code"], str) and body["code"]
    if code:
        assert body["code"] == code
    return body


BAD_SIGN_INS = [
    ('{"username": "demo.gp", "password": ', 400, "bad_json"),
    ("not json at all", 400, "bad_json"),
    ("[1, 2, 3]", 422, "invalid_input"),
    ('"just a string"', 422, "invalid_input"),
    ('{"username": 42, "password": "x"}', 422, "invalid_input"),
    ('{"username": "demo.gp"}', 422, "invalid_input"),
    ('{"username": "demo.gp", "password": "x", "extra": 1}', 422, "invalid_input"),
    ('{"username": "demo.gp", "password": null}', 422, "invalid_input"),
    ('{"username": "demo\\u0000gp", "password": "x"}', 422, "invalid_input"),
    ("", 422, "invalid_input"),
]


def test_malformed_sign_ins_are_refused_in_words(hub) -> None:
    for payload, status, code in BAD_SIGN_INS:
        response = hub.request(
            "POST", SESSION, data=payload, headers={"Content-Type": "application/json"}
        )
        _assert_readable(response, status, code)
    as_text = hub.request("POST", SESSION, data='{"a": 1}', headers={"Content-Type": "text/plain"})
    _assert_readable(as_text, 422, "invalid_input")


def test_validation_errors_name_the_field(hub) -> None:
    missing = hub.request("POST", SESSION, json={"username": "demo.gp"}).json()
    assert missing["detail"] == "The field 'password' is missing."
    assert missing["fields"] == ["password"]
    wrong_type = hub.request("POST", SESSION, json={"username": 42, "password": "x"}).json()
    assert wrong_type["detail"] == "The field 'username' must be text."


def test_huge_strings_are_refused_before_any_work(hub) -> None:
    huge = hub.request("POST", SESSION, json={"username": "a" * 100_000, "password": "x"})
    body = _assert_readable(huge, 422, "invalid_input")
    assert "too long" in body["detail"] and "200" in body["detail"]
    admin = hub.token(DEMO_ADMIN)
    user = {"username": "x.y", "display_name": "N" * 5000, "role": "gp", "password": "p" * 20}
    _assert_readable(hub.request("POST", "/api/v1/users", token=admin, json=user), 422)


def test_request_bodies_over_the_limit_get_413(hub) -> None:
    body = b'{"username": "' + b"a" * (9 * 1024 * 1024) + b'"}'
    response = hub.request("POST", SESSION, data=body, headers={"Content-Type": "application/json"})
    _assert_readable(response, 413, "request_too_large")


def test_wrong_types_in_admin_requests(hub) -> None:
    admin = hub.token(DEMO_ADMIN)
    for body in (
        {"username": "a.b", "display_name": "A", "role": "surgeon", "password": "p" * 20},
        {
            "username": "a.b",
            "display_name": "A",
            "role": "gp",
            "password": "p" * 20,
            "specialty_codes": "330",
        },
        {
            "username": "a.b",
            "display_name": "A",
            "role": "specialist",
            "password": "p" * 20,
            "specialty_codes": ["33"],
        },
    ):
        _assert_readable(hub.request("POST", "/api/v1/users", token=admin, json=body), 422)


def test_unknown_routes_and_methods_are_json(hub) -> None:
    _assert_readable(hub.request("GET", "/nothing/here"), 404, "not_found")
    _assert_readable(hub.request("GET", "/api/v1/nothing"), 404, "not_found")
    _assert_readable(hub.request("PUT", "/api/v1/me"), 405, "method_not_allowed")


def test_missing_or_old_client_versions_get_426(hub) -> None:
    token = hub.token(DEMO_GP)
    cases = [
        ({"X-BHCP-Client-Version": "", "X-BHCP-Schema": "1"}, "client_too_old"),
        ({"X-BHCP-Client-Version": "0.0.9", "X-BHCP-Schema": "1"}, "client_too_old"),
        ({"X-BHCP-Client-Version": "banana", "X-BHCP-Schema": "1"}, "client_too_old"),
        ({"X-BHCP-Client-Version": "0.2.0", "X-BHCP-Schema": ""}, "schema_required"),
        ({"X-BHCP-Client-Version": "0.1.0", "X-BHCP-Schema": "0"}, "client_too_old"),
        ({"X-BHCP-Client-Version": "0.1.0", "X-BHCP-Schema": "1"}, "client_too_old"),  # no names
        ({"X-BHCP-Client-Version": "0.2.0", "X-BHCP-Schema": "2"}, "hub_too_old"),
    ]
    for headers, code in cases:
        response = hub.request("GET", "/api/v1/me", token=token, headers=headers)
        body = _assert_readable(response, 426, code)
        if code == "client_too_old":
            assert body["detail"].startswith("This hub needs bhcp-ag 0.2.0 or newer")
    newer = {"X-BHCP-Client-Version": "0.2.0rc1", "X-BHCP-Schema": "1"}
    assert hub.request("GET", "/api/v1/me", token=token, headers=newer).status_code == 200


def test_requests_without_version_headers_get_426_but_health_and_openapi_do_not(hub) -> None:
    hub.http.headers.clear()
    body = _assert_readable(hub.request("GET", "/api/v1/me"), 426, "client_too_old")
    assert "did not say which version" in body["detail"]
    _assert_readable(hub.sign_in(DEMO_GP), 426)
    health = hub.request("GET", "/api/v1/health")
    assert health.status_code == 200
    assert health.json()["schema_versions"] == [1]
    assert health.json()["min_client_version"] == "0.2.0"  # names became required
    openapi = hub.request("GET", "/openapi.json")
    assert openapi.status_code == 200
    assert "/api/v1/conversations/{conversation_id}" in openapi.json()["paths"]


def test_a_method_a_path_does_not_take_gets_405_with_every_method_it_does(hub) -> None:
    cases = {
        "/api/v1/me": ("PUT", "GET"),
        "/api/v1/session": ("PUT", "POST, DELETE"),
        "/api/v1/attachments/" + "0" * 64: ("PATCH", "GET, PUT"),
        "/api/v1/sync/push": ("GET", "POST"),
    }
    for path, (method, allowed) in cases.items():
        response = hub.request(method, path)
        _assert_readable(response, 405, "method_not_allowed")
        assert response.headers["Allow"] == allowed, path


def test_the_openapi_document_describes_the_errors_the_hub_really_sends(hub) -> None:
    document = hub.request("GET", "/openapi.json").json()
    schemas = document["components"]["schemas"]
    assert "HTTPValidationError" not in schemas
    assert set(schemas["ValidationErrorBody"]["required"]) == {"detail", "code"}
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            responses = operation["responses"]
            if "422" in responses:
                schema = responses["422"]["content"]["application/json"]["schema"]
                assert schema == {"$ref": "#/components/schemas/ValidationErrorBody"}, path
            if "requestBody" in operation:
                assert {"400", "413", "422"} <= set(responses), (method, path)
    change = schemas["ChangeIn"]["properties"]
    assert change["created_at"]["anyOf"][0] == {"type": "string", "format": "date-time"}
    assert "pattern" in change["kind"]
    pull = document["paths"]["/api/v1/sync/pull"]["get"]
    cursor = next(p for p in pull["parameters"] if p["name"] == "cursor")
    assert cursor["schema"]["pattern"].startswith("^([0-9]{1,18}")


def test_a_validation_error_has_the_documented_shape(hub) -> None:
    token = hub.token(DEMO_GP)
    change = {"id": "6f1c3c4e-6b8e-4b43-9a4b-0d7a3b1c2d3e", "kind": "conversation.claim"}
    change["conversation_id"] = change["id"]
    for created_at in (0, 1_700_000_000, "2026-11-20", "yesterday", "2026-11-20T17:00:00"):
        body = {"changes": [{**change, "created_at": created_at}]}
        response = hub.request("POST", "/api/v1/sync/push", token=token, json=body)
        refusal = _assert_readable(response, 422, "invalid_input")
        assert refusal["fields"] == ["changes.0.created_at"], created_at
        assert "RFC 3339" in refusal["detail"]
    bad_json = hub.request(
        "POST",
        "/api/v1/sync/push",
        token=token,
        data="{",
        headers={"Content-Type": "application/json"},
    )
    _assert_readable(bad_json, 400, "bad_json")
