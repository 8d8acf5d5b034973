"""Liveness and readiness probes."""

from __future__ import annotations

from litestar import Controller, Response, get

from ...problems import UNAVAILABLE, Problem, problem
from ...schemas import LiveOut, ReadyOut
from ..dependencies import ContainerDep
from ..errors import respond, responses


class HealthController(Controller):
    """Probes for load balancers and orchestrators."""

    path = "/health"
    tags = ("health",)

    @get("/live")
    async def live(self) -> LiveOut:
        """Answer while the process can serve at all."""
        return LiveOut(status="ok")

    @get("/ready", responses=responses(503))
    async def ready(self, container: ContainerDep) -> Response[ReadyOut]:
        """Answer 200 when every dependency answers and we are not draining."""
        readiness = await container.health.readiness()
        if readiness.ready:
            return Response(ReadyOut(status="ok", checks=readiness.checks))
        return respond(Problem(503, problem(503, UNAVAILABLE, checks=readiness.checks)))
