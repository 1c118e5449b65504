"""The hand-written REST service the generated one is measured against.

The smallest correct Flask code over the same kind of table: no auth, one SQLAlchemy session per
request, a Redis read-through for get (invalidated on update), the same JSON shapes and status
codes. Run with gunicorn: `gunicorn -c gunicorn.conf.py -w 2 rest:app` (settings in `shared.py`).
"""

from flask import Flask, Response, request
from sqlalchemy import func, insert, select, update
from sqlalchemy.exc import IntegrityError

from shared import Session, cache, cache_key, item_json, items

app = Flask(__name__)


def _json(body: str, status: int = 200) -> Response:
    return Response(body, status=status, mimetype="application/json")


@app.get("/api/v1/items/<int:item_id>")
def get_item(item_id: int) -> Response:
    cached = cache.get(cache_key(item_id))
    if cached is not None:
        return _json(cached)
    with Session() as session:
        row = session.execute(select(items).where(items.c.id == item_id)).first()
    if row is None:
        return _json('{"code": "NOT_FOUND", "message": "Item not found", "details": {}}', 404)
    body = item_json(row)
    cache.set(cache_key(item_id), body, ex=300)
    return _json(body)


@app.get("/api/v1/items")
def list_items() -> Response:
    page = request.args.get("page", 1, type=int)
    size = request.args.get("size", 20, type=int)
    with Session() as session:
        total = session.scalar(select(func.count()).select_from(items))
        rows = session.execute(
            select(items).order_by(items.c.id).offset((page - 1) * size).limit(size)
        ).all()
    body = ",".join(item_json(row) for row in rows)
    return _json(f'{{"items": [{body}], "total": {total}, "page": {page}, "size": {size}}}')


@app.post("/api/v1/items")
def create_item() -> Response:
    data = request.get_json()
    try:
        with Session.begin() as session:
            row = session.execute(
                insert(items).values(name=data["name"], stock=data["stock"]).returning(items)
            ).one()
    except IntegrityError:
        return _json('{"code": "CONFLICT", "message": "Name is taken", "details": {}}', 409)
    return _json(item_json(row), 201)


@app.patch("/api/v1/items/<int:item_id>")
def update_item(item_id: int) -> Response:
    data = request.get_json()
    changes = {key: data[key] for key in ("name", "stock") if key in data}
    cache.delete(cache_key(item_id))
    try:
        with Session.begin() as session:
            row = session.execute(
                update(items)
                .where(items.c.id == item_id)
                .values({**changes, "updated_at": func.now()})
                .returning(items)
            ).first()
    except IntegrityError:
        return _json('{"code": "CONFLICT", "message": "Name is taken", "details": {}}', 409)
    cache.delete(cache_key(item_id))
    if row is None:
        return _json('{"code": "NOT_FOUND", "message": "Item not found", "details": {}}', 404)
    return _json(item_json(row))
