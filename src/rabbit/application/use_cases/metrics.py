"""Recording a post's metrics as a platform reports them (a system call of the collector).

The post keeps the latest counters, its engagement rate ((likes + comments + shares +
clicks) / impressions, None without impressions) and metrics_updated_at; every reading is
appended to the post_metrics history.
"""

from __future__ import annotations

from pydantic import Field

from rabbit.application.ports import Clock, IdGenerator, UnitOfWorkFactory
from rabbit.application.use_cases._arguments import UseCases
from rabbit.application.use_cases._commands import Command
from rabbit.domain import limits
from rabbit.domain.errors import NotFoundError
from rabbit.domain.model import Post, PostMetric


class RecordMetrics(Command):
    likes: int = Field(default=0, ge=0, le=limits.INT4_MAX)
    comments: int = Field(default=0, ge=0, le=limits.INT4_MAX)
    shares: int = Field(default=0, ge=0, le=limits.INT4_MAX)
    impressions: int = Field(default=0, ge=0, le=limits.INT4_MAX)
    reach: int = Field(default=0, ge=0, le=limits.INT4_MAX)
    clicks: int = Field(default=0, ge=0, le=limits.INT4_MAX)


class Metrics(UseCases):
    def __init__(self, *, uow: UnitOfWorkFactory, clock: Clock, ids: IdGenerator) -> None:
        self._uow = uow
        self._clock = clock
        self._ids = ids

    async def record_metrics(
        self, organization_id: str, post_id: str, command: RecordMetrics
    ) -> Post:
        reading = PostMetric.reading(
            id=self._ids.new_id(),
            organization_id=organization_id,
            post_id=post_id,
            collected_at=self._clock.now(),
            **command.model_dump(),
        )
        async with self._uow() as uow:
            post = await uow.posts.get(organization_id, post_id, for_update=True)
            if post is None:
                raise NotFoundError("post", post_id)
            post.record_metrics(reading)
            await uow.posts.update(post)
            await uow.post_metrics.add(reading)
            await uow.commit()
        return post
