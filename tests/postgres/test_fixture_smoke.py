import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine


async def test_the_test_database_is_migrated_to_head(engine: AsyncEngine) -> None:
    async with engine.connect() as connection:
        version = await connection.scalar(sa.text("SELECT version_num FROM alembic_version"))
    assert version == "0006"
