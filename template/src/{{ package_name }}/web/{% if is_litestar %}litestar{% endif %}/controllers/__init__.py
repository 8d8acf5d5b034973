"""Controllers, one per domain; ``CONTROLLERS`` is what the app factory mounts."""

from litestar import Controller

from .auth import AuthController
from .health import HealthController
from .resources import ResourcesController
from .users import UsersController

CONTROLLERS: tuple[type[Controller], ...] = (
    HealthController,
    AuthController,
    UsersController,
    ResourcesController,
)
