"""API requests with a bearer token take a short way through the middleware
(core.middleware.ApiTokenMiddleware): the same answers and headers as the full chain, the NUL
refusal, the audit request context, no session or CSRF cookie, and the token alone decides."""

from __future__ import annotations

import json

import pytest
from axes.utils import reset

from storeops.accounts.services import token_create
from storeops.audit.models import AuditEvent
from storeops.inventory.models import Reservation
from storeops.inventory.services import stock_receive
from tests.conftest import PASSWORD, ApiClient
from tests.inventory_helpers import make_sku, make_warehouse

pytestmark = pytest.mark.django_db

STOCK = "/api/v1/inventory/stock"
SAME_HEADERS = (
    "Content-Type",
    "Content-Language",
    "Content-Security-Policy",
    "X-Frame-Options",
    "X-Content-Type-Options",
    "Referrer-Policy",
    "Cross-Origin-Opener-Policy",
)


@pytest.fixture
def world(demo):
    return {"sku": make_sku(code="LANE-SKU"), "house": make_warehouse(code="LANE-WH")}


def _receive(world, actor, quantity):
    stock_receive(actor=actor, sku=world["sku"], warehouse=world["house"], quantity=quantity)


def _reserve_body(quantity=1, reference="lane"):
    return {"sku": "LANE-SKU", "warehouse": "LANE-WH", "quantity": quantity, "reference": reference}


def test_token_and_session_requests_get_the_same_answer_and_headers(cangku, web_as, api_as):
    by_token = api_as(cangku).get(STOCK, sku="NONE")
    by_session = web_as(cangku).get(STOCK, {"sku": "NONE"})
    assert by_token.status_code == by_session.status_code == 200
    assert by_token.content == by_session.content
    for name in SAME_HEADERS:
        assert by_token.headers.get(name) == by_session.headers.get(name), name
    assert by_token["X-Frame-Options"] == "DENY"
    assert "default-src 'self'" in by_token["Content-Security-Policy"]
    assert by_token["X-Content-Type-Options"] == "nosniff"
    assert by_token["Content-Language"] == "zh-hans"
    assert by_token["Content-Length"] == str(len(by_token.content))
    assert len(by_token["X-Request-ID"]) == 32


def test_token_request_sets_no_session_or_csrf_cookie(cangku, api_as):
    response = api_as(cangku).get(STOCK)
    assert response.status_code == 200
    assert dict(response.cookies) == {}


def test_nul_in_a_token_request_is_422_and_reserves_nothing(world, cangku, api_as):
    before = Reservation.objects.count()
    response = api_as(cangku).post(
        "/api/v1/inventory/reservations", _reserve_body(reference="订单\u0000号")
    )
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "request.nul_character"
    assert response.json()["error"]["details"] == {"field": "reference"}
    assert response["X-Frame-Options"] == "DENY"
    assert Reservation.objects.count() == before


def test_nul_in_the_query_of_a_token_request_is_422(cangku, api_as):
    response = api_as(cangku).get(STOCK + "?sku=%00abc")
    assert response.status_code == 422
    assert response.json()["error"]["details"] == {"field": "sku"}


def test_a_reservation_by_token_is_audited_with_the_request_id_and_address(world, cangku, api_as):
    _receive(world, cangku, 5)
    response = api_as(cangku).post(
        "/api/v1/inventory/reservations",
        _reserve_body(2),
        HTTP_X_REQUEST_ID="req-lane-0001",
        REMOTE_ADDR="192.0.2.44",
    )
    assert response.status_code == 201, response.json()
    assert response["X-Request-ID"] == "req-lane-0001"
    event = AuditEvent.objects.get(
        action="inventory.reservation.create", object_id=str(response.json()["id"])
    )
    assert (event.actor_username, event.request_id, event.ip) == (
        "cangku",
        "req-lane-0001",
        "192.0.2.44",
    )
    assert event.after["quantity"] == 2


def test_a_refusal_by_token_has_the_error_shape(world, cangku, api_as):
    response = api_as(cangku).post("/api/v1/inventory/reservations", _reserve_body(3))
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "stock.insufficient"
    assert response["Content-Type"].startswith("application/json")


def test_unknown_api_path_with_a_token_answers_like_without_one(cangku, api_as):
    with_token = api_as(cangku).get("/api/v1/no-such-thing")
    without = api_as(None).get("/api/v1/no-such-thing")
    assert with_token.status_code == without.status_code == 404


def test_a_bad_token_is_401_even_with_a_signed_in_session(cangku, web_as):
    """A bearer request is judged by its token alone, not by a session cookie sent alongside."""
    client = web_as(cangku)
    assert client.get(STOCK).status_code == 200  # the session alone works
    response = client.get(STOCK, HTTP_AUTHORIZATION="Bearer not-a-token")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "auth.required"


def test_token_login_with_a_stale_bearer_header_still_counts_failures(kefu):
    reset()
    stale = ApiClient(token_create(user=kefu, name="old")[1])
    for _ in range(4):
        wrong = stale.post("/api/v1/auth/token", {"username": "kefu", "password": "nope-nope"})
        assert wrong.status_code == 401
    fifth = stale.post("/api/v1/auth/token", {"username": "kefu", "password": "nope-nope"})
    assert fifth.status_code == 429
    locked = stale.post("/api/v1/auth/token", {"username": "kefu", "password": PASSWORD})
    assert locked.status_code == 429
    assert locked.json()["error"]["code"] == "auth.locked_out"
    reset()


def test_a_token_request_body_is_read_once(world, cangku, api_as):
    """The NUL check reads the body before the operation parses it: both see the same JSON."""
    _receive(world, cangku, 1)
    response = api_as(cangku).client.post(
        "/api/v1/inventory/reservations",
        json.dumps(_reserve_body(1)),
        content_type="application/json",
        **api_as(cangku).headers,
    )
    assert response.status_code == 201


def test_operations_with_ids_in_the_path_answer_for_their_own_id(world, cangku, api_as):
    """The middleware remembers which operation a path is: each id still gets its own answer."""
    _receive(world, cangku, 5)
    client = api_as(cangku)
    first = client.post("/api/v1/inventory/reservations", _reserve_body(1, "first")).json()
    second = client.post("/api/v1/inventory/reservations", _reserve_body(2, "second")).json()
    for _ in range(2):
        for made in (first, second):
            got = client.get(f"/api/v1/inventory/reservations/{made['id']}")
            assert got.status_code == 200
            assert (got.json()["id"], got.json()["reference"]) == (made["id"], made["reference"])
