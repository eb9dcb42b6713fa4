"""The web explorer, a front door of its own: ``escalade serve`` (see :mod:`escalade.explorer.app`)."""

from escalade.explorer.app import create_app, hosts_for

__all__ = ["create_app", "hosts_for"]
