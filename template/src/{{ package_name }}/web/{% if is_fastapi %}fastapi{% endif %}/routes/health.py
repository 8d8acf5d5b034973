"""Liveness and readiness probes."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import Response

from ...problems import UNAVAILABLE, Problem, problem
from ...schemas import LiveOut, ReadyOut
from ..dependencies import ContainerDep
from ..errors import respond, responses

router = APIRouter(prefix="/health", tags=["health"])


@router.get("/live")
async def live() -> LiveOut:
    """Answer while the process can serve at all."""
    return LiveOut(status="ok")


@router.get("/ready", responses=responses(503), response_model=ReadyOut)
async def ready(container: ContainerDep) -> Response | ReadyOut:
    """Answer 200 when every dependency answers and we are not draining."""
    readiness = await container.health.readiness()
    if readiness.ready:
        return ReadyOut(status="ok", checks=readiness.checks)
    return respond(Problem(503, problem(503, UNAVAILABLE, checks=readiness.checks)))
