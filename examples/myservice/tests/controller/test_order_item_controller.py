"""The order item REST endpoints, end to end through the app and the database."""

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

import pytest
from flask.testing import FlaskClient

from app.core.query_input import REPEATED_PARAMETER
from app.wiring import Container
from tests.controller.support import json_of
from tests.fakes.order_item_samples import JSON_A, JSON_B, SAMPLE_A, SAMPLE_B, sample_refs

URL = "/api/v1/order-items"
pytestmark = pytest.mark.contract
"""Every test runs against the monolith and against the layered REST process over gRPC."""


def values(body: Mapping[str, Any]) -> dict[str, Any]:
    """The sample fields of an order item in a response, decoded to Python values."""
    return {
        "quantity": body["quantity"],
        "unit_price": Decimal(body["unit_price"]),
        "note": body["note"],
    }


@pytest.fixture
def refs(container: Container) -> dict[str, int]:
    return sample_refs(container)


def create(
    client: FlaskClient,
    auth_headers: dict[str, str],
    payload: Mapping[str, Any],
) -> dict[str, Any]:
    response = client.post(URL, json=payload, headers=auth_headers)
    assert response.status_code == 201, response.data
    return json_of(response)


def test_create_then_get(
    client: FlaskClient,
    auth_headers: dict[str, str],
    refs: dict[str, int],
) -> None:
    created = create(client, auth_headers, {**JSON_A, **refs})

    response = client.get(f"{URL}/{created['id']}", headers=auth_headers)

    assert response.status_code == 200
    assert values(json_of(response)) == values(created) == SAMPLE_A
    assert {name: created[name] for name in refs} == refs
    exact = "unit_price"
    assert created[exact] == JSON_A[exact]


def test_create_and_update_answer_what_a_later_get_returns(
    client: FlaskClient,
    auth_headers: dict[str, str],
    refs: dict[str, int],
) -> None:
    created = create(client, auth_headers, {**JSON_A, **refs})
    url = f"{URL}/{created['id']}"
    assert json_of(client.get(url, headers=auth_headers)) == created

    patched = client.patch(url, json={**JSON_B, **refs}, headers=auth_headers)
    assert patched.status_code == 200
    assert json_of(client.get(url, headers=auth_headers)) == json_of(patched)


def test_ids_beyond_bigint_and_pages_beyond_the_limit_are_4xx(
    client: FlaskClient,
    auth_headers: dict[str, str],
    refs: dict[str, int],
) -> None:
    huge = f"{URL}/{2**63}"
    assert client.get(huge, headers=auth_headers).status_code == 404
    assert client.patch(huge, json={**JSON_B, **refs}, headers=auth_headers).status_code == 404
    assert client.delete(huge, headers=auth_headers).status_code == 404
    # An id in another script's digits (an Arabic-Indic one) names no row: 404 or 422, never 5xx.
    assert client.get(f"{URL}/\u0661", headers=auth_headers).status_code in {404, 422}
    response = client.get(f"{URL}?page={10**12}", headers=auth_headers)
    assert response.status_code == 422
    assert "page" in json_of(response)["details"]["fields"]


def test_get_missing_is_404(client: FlaskClient, auth_headers: dict[str, str]) -> None:
    response = client.get(f"{URL}/999999", headers=auth_headers)

    assert response.status_code == 404
    assert json_of(response)["code"] == "NOT_FOUND"


def test_list_paginates_in_id_order(
    client: FlaskClient,
    auth_headers: dict[str, str],
    refs: dict[str, int],
) -> None:
    first = create(client, auth_headers, {**JSON_A, **refs})
    second = create(client, auth_headers, {**JSON_B, **refs})

    response = client.get(f"{URL}?page=2&size=1", headers=auth_headers)

    assert response.status_code == 200
    page = json_of(response)
    assert [item["id"] for item in page["items"]] == [second["id"]]
    assert (page["total"], page["page"], page["size"]) == (2, 2, 1)
    everything = json_of(client.get(URL, headers=auth_headers))
    assert [item["id"] for item in everything["items"]] == [first["id"], second["id"]]
    assert client.get(f"{URL}?size=0", headers=auth_headers).status_code == 422


@pytest.mark.parametrize("query", ["page=1&page=2", "size=5&size=6"])
def test_a_repeated_query_parameter_is_422(
    client: FlaskClient,
    auth_headers: dict[str, str],
    query: str,
) -> None:
    response = client.get(f"{URL}?{query}", headers=auth_headers)

    assert response.status_code == 422
    body = json_of(response)
    assert body["code"] == "VALIDATION_FAILED"
    assert body["details"]["fields"] == {query.partition("=")[0]: [REPEATED_PARAMETER]}


def test_update_changes_the_given_fields(
    client: FlaskClient,
    auth_headers: dict[str, str],
    refs: dict[str, int],
) -> None:
    created = create(client, auth_headers, {**JSON_A, **refs})

    response = client.patch(f"{URL}/{created['id']}", json={**JSON_B, **refs}, headers=auth_headers)

    assert response.status_code == 200
    found = json_of(client.get(f"{URL}/{created['id']}", headers=auth_headers))
    assert values(json_of(response)) == values(found) == SAMPLE_B


def test_update_sets_an_optional_field_to_null(
    client: FlaskClient,
    auth_headers: dict[str, str],
    refs: dict[str, int],
) -> None:
    created = create(client, auth_headers, {**JSON_A, **refs})

    response = client.patch(f"{URL}/{created['id']}", json={"note": None}, headers=auth_headers)

    assert response.status_code == 200
    assert json_of(response)["note"] is None


def test_update_refuses_null_for_a_required_field(
    client: FlaskClient,
    auth_headers: dict[str, str],
    refs: dict[str, int],
) -> None:
    created = create(client, auth_headers, {**JSON_A, **refs})

    response = client.patch(
        f"{URL}/{created['id']}",
        json={"product_id": None},
        headers=auth_headers,
    )

    assert response.status_code == 422
    assert "product_id" in json_of(response)["details"]["fields"]


def test_create_without_a_required_field_is_422(
    client: FlaskClient,
    auth_headers: dict[str, str],
    refs: dict[str, int],
) -> None:
    payload = {**JSON_A, **refs}
    del payload["product_id"]

    response = client.post(URL, json=payload, headers=auth_headers)

    assert response.status_code == 422
    assert "product_id" in json_of(response)["details"]["fields"]


def test_update_missing_is_404(
    client: FlaskClient,
    auth_headers: dict[str, str],
    refs: dict[str, int],
) -> None:
    response = client.patch(f"{URL}/999999", json={**JSON_B, **refs}, headers=auth_headers)

    assert response.status_code == 404


def test_an_empty_patch_is_422(
    client: FlaskClient,
    auth_headers: dict[str, str],
    refs: dict[str, int],
) -> None:
    created = create(client, auth_headers, {**JSON_A, **refs})

    response = client.patch(f"{URL}/{created['id']}", json={}, headers=auth_headers)

    assert response.status_code == 422
    assert "at least one field" in str(json_of(response)["details"])


def test_delete(client: FlaskClient, auth_headers: dict[str, str], refs: dict[str, int]) -> None:
    created = create(client, auth_headers, {**JSON_A, **refs})

    assert client.delete(f"{URL}/{created['id']}", headers=auth_headers).status_code == 204
    assert client.get(f"{URL}/{created['id']}", headers=auth_headers).status_code == 404
    assert client.delete(f"{URL}/{created['id']}", headers=auth_headers).status_code == 404


def test_invalid_value_is_422(
    client: FlaskClient,
    auth_headers: dict[str, str],
    refs: dict[str, int],
) -> None:
    payload = {**JSON_A, **refs, "product_id": "first"}

    response = client.post(URL, json=payload, headers=auth_headers)

    assert response.status_code == 422
    assert json_of(response)["code"] == "VALIDATION_FAILED"
    assert "product_id" in json_of(response)["details"]["fields"]


def test_unknown_field_is_422(
    client: FlaskClient,
    auth_headers: dict[str, str],
    refs: dict[str, int],
) -> None:
    response = client.post(URL, json={**JSON_A, **refs, "unexpected": 1}, headers=auth_headers)

    assert response.status_code == 422
    assert "unexpected" in json_of(response)["details"]["fields"]


def test_missing_reference_is_422(
    client: FlaskClient,
    auth_headers: dict[str, str],
    refs: dict[str, int],
) -> None:
    column = next(iter(refs))

    response = client.post(URL, json={**JSON_A, **refs, column: 999999}, headers=auth_headers)

    assert response.status_code == 422
    assert column in json_of(response)["details"]["fields"]


def test_requires_authentication(client: FlaskClient) -> None:
    assert client.get(URL).status_code == 401
    assert client.post(URL, json=JSON_A).status_code == 401
    assert client.get(f"{URL}/1").status_code == 401
    assert client.patch(f"{URL}/1", json={}).status_code == 401
    assert client.delete(f"{URL}/1").status_code == 401
