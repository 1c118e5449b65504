from marshmallow import Schema, fields


class LivenessSchema(Schema):
    status = fields.String(required=True, metadata={"example": "ok"})


class ReadinessSchema(Schema):
    status = fields.String(required=True, metadata={"example": "ok"})
    checks = fields.Dict(
        keys=fields.String(),
        values=fields.String(),
        required=True,
        metadata={"example": {"database": "ok", "cache": "ok"}},
    )
