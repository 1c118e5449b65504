"""Validated value types shared by every resource's request DTOs."""

import datetime as dt
from typing import Annotated

from pydantic import AfterValidator, EmailStr, Field


def _naive_time(value: dt.time) -> dt.time:
    if value.tzinfo is not None:
        raise ValueError("a time of day has no UTC offset; send it as HH:MM[:SS]")
    return value


Int32 = Annotated[int, Field(ge=-(2**31), le=2**31 - 1)]
Int64 = Annotated[int, Field(ge=-(2**63), le=2**63 - 1)]
Float64 = Annotated[float, Field(allow_inf_nan=False)]
RowId = Annotated[int, Field(ge=1)]
"""The id of a row another resource references."""
Email = Annotated[EmailStr, Field(max_length=320), AfterValidator(str.lower)]
"""An email address, normalised to lower case so that lookups ignore case."""
TimeOfDay = Annotated[dt.time, AfterValidator(_naive_time)]
"""A time of day without a UTC offset (`TIME` column)."""
