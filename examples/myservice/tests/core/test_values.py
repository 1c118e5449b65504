from app.core.values import maybe


def test_maybe_converts_values_and_keeps_none() -> None:
    assert maybe(str.upper, "a") == "A"
    assert maybe(str.upper, None) is None
