"""Routers, one per domain; ``ROUTERS`` is what the app factory mounts."""

from fastapi import APIRouter

from . import auth, health, resources, users

ROUTERS: tuple[APIRouter, ...] = (
    health.router,
    auth.router,
    users.router,
    resources.router,
)
