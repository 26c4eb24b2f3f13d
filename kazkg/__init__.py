"""kazkg: a linked-data knowledge graph of Kazakhstan's industrial development, 1956-1985.

    >>> import kazkg
    >>> dataset = kazkg.load()                        # rdflib.Dataset, default graph = union
    >>> rows = kazkg.query("lenin-prize-laureates")   # a catalog query, or SPARQL text
"""

from importlib import metadata

# The subpackages kazkg.build and kazkg.query share their names with two API functions: importing
# them first, then binding the functions, leaves the functions as the package's attributes (a
# later `import kazkg.build` finds the subpackage in sys.modules and does not rebind the name).
# So reach a stage's modules with `from kazkg.build import pipeline`, not `import ... as`.
from . import build as _build_stage, query as _query_stage  # noqa: F401
from .api import build, load, query, validate
from .errors import (InputError, Inconsistent, KazkgError, QueryError, QueryTimeout, UnknownQuery,
                     ValidationFailed)
from .namespaces import KAZKG, KZG, KZR

try:
    __version__ = metadata.version("kazkg")
except metadata.PackageNotFoundError:  # running from a source tree that is not installed
    __version__ = "0+unknown"

__all__ = [
    "build", "load", "query", "validate",
    "KazkgError", "InputError", "ValidationFailed", "Inconsistent", "QueryError", "QueryTimeout",
    "UnknownQuery",
    "KAZKG", "KZR", "KZG", "__version__",
]
