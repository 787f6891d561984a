"""In-memory adapters: every repository port and the unit of work, with the same
constraints, cascades and orderings as the PostgreSQL adapter, for fast tests and demos."""

from rabbit_memory.database import MemoryDatabase
from rabbit_memory.unit_of_work import MemoryUnitOfWork, MemoryUnitOfWorkFactory

__all__ = ["MemoryDatabase", "MemoryUnitOfWork", "MemoryUnitOfWorkFactory"]
