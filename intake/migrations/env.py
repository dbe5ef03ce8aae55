"""Alembic environment: runs on the connection the `teian` command hands it."""

from alembic import context

from intake.models import Base, UTCDateTime
from intake.search import include_name


def render_item(type_, obj, autogen_context):
    """Render our UTCDateTime as a plain DateTime: migrations must not import
    model code, which changes while old migrations must not."""
    if type_ == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime()"
    return False


connection = context.config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=connection.dialect.name == "sqlite",
    compare_type=True,
    render_item=render_item,
    include_name=include_name,
)
with context.begin_transaction():
    context.run_migrations()
