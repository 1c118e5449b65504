"""The REST adapters' rule for query strings: a parameter that takes one value comes once.

Web frameworks quietly pick the first or the last value of `?page=1&page=2`, so a client that
repeats a parameter by mistake gets an answer to a question it did not ask.
"""

from collections.abc import Callable, Iterable, Sequence

REPEATED_PARAMETER = "Give this query parameter once: it takes a single value."


def repeated_parameters(
    names: Iterable[str], values_of: Callable[[str], Sequence[str]]
) -> dict[str, list[str]]:
    """The field errors of each single-value parameter among `names` given more than once."""
    return {name: [REPEATED_PARAMETER] for name in names if len(values_of(name)) > 1}
