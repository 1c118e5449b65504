import pytest

from app.core.json_input import MAX_DEPTH, parse_json_body


@pytest.mark.parametrize(
    "body",
    [
        b'{"a": NaN}',
        b'{"a": Infinity}',
        b'{"a": -Infinity}',
        b'{"a": 1e400}',
        b'{"a": ' + b"9" * 5000 + b"}",
        b"[" * 5000 + b"]" * 5000,
        b"[" * (MAX_DEPTH + 1) + b"]" * (MAX_DEPTH + 1),
        b"\xff",
        b"{",
    ],
    ids=[
        "nan",
        "infinity",
        "minus-infinity",
        "overflow",
        "huge-int",
        "deep",
        "too-deep",
        "bytes",
        "cut",
    ],
)
def test_bodies_python_would_misread_are_refused(body: bytes) -> None:
    with pytest.raises(ValueError, match=r"."):
        parse_json_body(body)


def test_ordinary_bodies_are_decoded() -> None:
    nested = "[" * MAX_DEPTH + "]" * MAX_DEPTH
    assert parse_json_body(b'{"a": [1, 2.5, "x", null, true]}') == {"a": [1, 2.5, "x", None, True]}
    assert parse_json_body(nested) is not None
    assert parse_json_body("[" + "{}," * 100 + "{}]") == [{}] * 101
