from marshmallow import Schema, fields


class ErrorSchema(Schema):
    code = fields.String(required=True, metadata={"example": "NOT_FOUND"})
    message = fields.String(required=True)
    details = fields.Dict(
        required=True,
        metadata={"description": 'Validation errors carry `{"fields": {"<field>": [...]}}`'},
    )
