"""The privacy portal: a person signs in with a one-time code and manages their own data."""

from gardien.service.portal.routes import router

__all__ = ["router"]
