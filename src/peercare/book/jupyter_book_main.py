"""``jupyter-book`` as ``peercare build`` runs it: the same command line, started faster,
and for ``build ROOT`` first forgetting cached runs of chapters whose YAML changed
(:func:`peercare.book.build.drop_stale_cache`: here, where jupyter-cache is imported anyway).

jsonschema compiles about 40 IRI grammars with lark when it is imported if the optional
``rfc3987_syntax`` is installed (it comes with jupyter_events' jsonschema extra): about a
second of every build, for an ``iri`` string format that no schema of a book build uses
(not Jupyter Book's config, not nbformat's). Hiding the module makes jsonschema skip it.
"""

from __future__ import annotations

import sys


def main() -> None:
    sys.modules["rfc3987_syntax"] = None
    if sys.argv[1:2] == ["build"] and len(sys.argv) > 2:
        from pathlib import Path

        from .build import drop_stale_cache

        drop_stale_cache(Path(sys.argv[2]))
    from jupyter_book.cli.main import main as jupyter_book

    jupyter_book()


if __name__ == "__main__":
    main()
