"""Table, engine, session factory and cache shared by the hand-written REST and gRPC services.

Configured by `BASELINE_DATABASE_URL` and `BASELINE_REDIS_URL`.
"""

import json
import os
from typing import Any

import redis
from sqlalchemy import (
    BigInteger,
    Column,
    DateTime,
    Integer,
    MetaData,
    String,
    Table,
    create_engine,
    func,
)
from sqlalchemy.orm import sessionmaker

metadata = MetaData()
items = Table(
    "items",
    metadata,
    Column("id", BigInteger, primary_key=True),
    Column("name", String(255), nullable=False, unique=True),
    Column("stock", Integer, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("updated_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
)

engine = create_engine(os.environ["BASELINE_DATABASE_URL"], pool_size=10)
Session = sessionmaker(engine)
cache = redis.Redis.from_url(os.environ["BASELINE_REDIS_URL"], decode_responses=True)


def cache_key(item_id: int) -> str:
    return f"baseline:item:{item_id}"


def item_dict(row: Any) -> dict[str, Any]:
    return {
        "id": row.id,
        "name": row.name,
        "stock": row.stock,
        "created_at": row.created_at.isoformat(),
        "updated_at": row.updated_at.isoformat(),
    }


def item_json(row: Any) -> str:
    return json.dumps(item_dict(row))


if __name__ == "__main__":
    metadata.create_all(engine)
