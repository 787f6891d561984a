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
from rabbit.domain.policies.engagement import engagement_rate


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
        now = self._clock.now()
        rate = engagement_rate(
            command.likes, command.comments, command.shares, command.clicks, command.impressions
        )
        async with self._uow() as uow:
            post = await uow.posts.get(organization_id, post_id, for_update=True)
            if post is None:
                raise NotFoundError("post", post_id)
            for name, value in command.model_dump().items():
                setattr(post, name, value)
            post.engagement_rate = rate
            post.metrics_updated_at = post.updated_at = now
            await uow.posts.update(post)
            await uow.post_metrics.add(
                PostMetric(
                    id=self._ids.new_id(),
                    organization_id=organization_id,
                    post_id=post.id,
                    collected_at=now,
                    engagement_rate=rate,
                    **command.model_dump(),
                )
            )
            await uow.commit()
        return post
