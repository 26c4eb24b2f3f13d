"""The web app: the SPARQL 1.1 Protocol endpoint, Graph Store GET, VoID, dumps and /health."""

from .app import create_app

__all__ = ["create_app"]
