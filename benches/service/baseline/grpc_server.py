"""The hand-written gRPC service: the generated project's `ItemService` proto, no auth.

`python grpc_server.py PORT`, with the generated project on `PYTHONPATH` (for its compiled
protos) and the settings of `shared.py`.
"""

import json
import sys
from concurrent import futures
from datetime import datetime
from typing import Any

import grpc
from sqlalchemy import func, insert, select, update
from sqlalchemy.exc import IntegrityError

from app.grpc.generated.benchsvc.v1 import item_pb2, item_pb2_grpc
from shared import Session, cache, cache_key, item_dict, items


def _proto(values: dict[str, Any]) -> item_pb2.Item:
    item = item_pb2.Item(id=values["id"], name=values["name"], stock=values["stock"])
    item.created_at.FromDatetime(datetime.fromisoformat(values["created_at"]))
    item.updated_at.FromDatetime(datetime.fromisoformat(values["updated_at"]))
    return item


class ItemServicer(item_pb2_grpc.ItemServiceServicer):
    def Get(self, request: Any, context: grpc.ServicerContext) -> item_pb2.Item:
        cached = cache.get(cache_key(request.id))
        if cached is not None:
            return _proto(json.loads(cached))
        with Session() as session:
            row = session.execute(select(items).where(items.c.id == request.id)).first()
        if row is None:
            context.abort(grpc.StatusCode.NOT_FOUND, "Item not found")
        values = item_dict(row)
        cache.set(cache_key(request.id), json.dumps(values), ex=300)
        return _proto(values)

    def List(self, request: Any, context: grpc.ServicerContext) -> Any:
        page, size = request.page or 1, request.size or 20
        with Session() as session:
            total = session.scalar(select(func.count()).select_from(items))
            rows = session.execute(
                select(items).order_by(items.c.id).offset((page - 1) * size).limit(size)
            ).all()
        return item_pb2.ListItemsResponse(
            items=[_proto(item_dict(row)) for row in rows], total=total, page=page, size=size
        )

    def Create(self, request: Any, context: grpc.ServicerContext) -> item_pb2.Item:
        try:
            with Session.begin() as session:
                row = session.execute(
                    insert(items).values(name=request.name, stock=request.stock).returning(items)
                ).one()
        except IntegrityError:
            context.abort(grpc.StatusCode.ALREADY_EXISTS, "Name is taken")
        return _proto(item_dict(row))

    def Update(self, request: Any, context: grpc.ServicerContext) -> item_pb2.Item:
        changes = {key: getattr(request, key) for key in ("name", "stock") if request.HasField(key)}
        cache.delete(cache_key(request.id))
        with Session.begin() as session:
            row = session.execute(
                update(items)
                .where(items.c.id == request.id)
                .values({**changes, "updated_at": func.now()})
                .returning(items)
            ).first()
        cache.delete(cache_key(request.id))
        if row is None:
            context.abort(grpc.StatusCode.NOT_FOUND, "Item not found")
        return _proto(item_dict(row))


def main() -> None:
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=int(sys.argv[2])))
    item_pb2_grpc.add_ItemServiceServicer_to_server(ItemServicer(), server)
    server.add_insecure_port(f"127.0.0.1:{sys.argv[1]}")
    server.start()
    server.wait_for_termination()


if __name__ == "__main__":
    main()
