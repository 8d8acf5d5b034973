"""Your own settings: this file is yours.

``copier update`` never changes this file once it exists (``_skip_if_exists``).
The template's ``Settings`` inherits from ``OwnerSettings``, so what you add
here is read from the environment, validated at start-up like the template's
own settings, and typed on ``container.settings``.
"""

from __future__ import annotations

from pydantic_settings import BaseSettings


class OwnerSettings(BaseSettings):
    """Your own settings, read from the environment like the template's.

    Example:
        ``payment_api_url: str = "https://payments.example.com"`` is read from
        ``PAYMENT_API_URL`` and reachable as ``container.settings.payment_api_url``.
    """
