from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy.dialects import sqlite

from app.model.base import UtcDateTime

CET = timezone(timedelta(hours=1))
DIALECT = sqlite.dialect()


def test_bound_values_are_converted_to_utc() -> None:
    column_type = UtcDateTime()
    bound = column_type.process_bind_param(datetime(2024, 1, 1, 13, tzinfo=CET), DIALECT)
    assert bound == datetime(2024, 1, 1, 12, tzinfo=UTC)
    assert bound is not None
    assert bound.tzinfo is UTC
    assert column_type.process_bind_param(None, DIALECT) is None


def test_naive_values_are_refused() -> None:
    with pytest.raises(ValueError, match="naive"):
        UtcDateTime().process_bind_param(datetime(2024, 1, 1), DIALECT)


def test_results_are_always_aware() -> None:
    column_type = UtcDateTime()
    naive = column_type.process_result_value(datetime(2024, 1, 1, 12), DIALECT)
    assert naive == datetime(2024, 1, 1, 12, tzinfo=UTC)
    aware = datetime(2024, 1, 1, 13, tzinfo=CET)
    assert column_type.process_result_value(aware, DIALECT) is aware
    assert column_type.process_result_value(None, DIALECT) is None
