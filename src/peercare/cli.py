"""The ``peercare`` command."""

from __future__ import annotations

import argparse
import sys

from .bank import BankError
from .book import BuildError
from .evaluation.errors import DemoDataError
from .paths import ProjectNotFound
from .serve import ServeError

# Errors whose message is written for the user: print it, no traceback.
USER_ERRORS = (BankError, BuildError, ServeError, ProjectNotFound, DemoDataError)


def _build(args) -> int:
    from .book import build

    out = build(quiet=args.quiet)
    print(f"Built the book: {out / 'index.html'}")
    return 0


def _serve(args) -> int:
    from .serve import serve

    return serve(book_port=args.book_port, apps_port=args.apps_port)


def _check_content(args) -> int:
    from .content import check_all, format_table

    reports = check_all()
    print(format_table(reports))
    failed = [r for r in reports if not r.ok]
    print(f"\n{len(reports) - len(failed)} of {len(reports)} pages pass.")
    return 1 if failed else 0


def _demo_data(args) -> int:
    from .evaluation.demo import demo_folder, write_demo

    out = write_demo(args.out or demo_folder(), n=args.respondents, seed=args.seed)
    print(f"Wrote SYNTHETIC demo data ({args.respondents} made-up respondents) to {out}")
    return 0


def _positive(text: str) -> int:
    value = int(text)
    if value < 2:
        raise argparse.ArgumentTypeError("give 2 or more")
    return value


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="peercare", description="Helping the Helpers training kit")
    sub = p.add_subparsers(dest="command", required=True)
    b = sub.add_parser("build", help="build the book into _build/html")
    b.add_argument("--quiet", action="store_true", help="print only errors")
    b.set_defaults(func=_build)
    s = sub.add_parser("serve", help="serve the built book and the live apps on 127.0.0.1")
    s.add_argument("--book-port", type=int, default=8000)
    s.add_argument("--apps-port", type=int, default=8866)
    s.set_defaults(func=_serve)
    c = sub.add_parser("check-content", help="reading grade, footer, quiz and language checks")
    c.set_defaults(func=_check_content)
    d = sub.add_parser("demo-data", help="write a synthetic dataset for the research notebooks")
    d.add_argument("--out", help="folder to write to (default: data/demo/ in the project)")
    d.add_argument("--respondents", type=_positive, default=240, help="made-up people (240)")
    d.add_argument("--seed", type=int, default=2024, help="random seed (2024)")
    d.set_defaults(func=_demo_data)
    return p


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        return args.func(args)
    except USER_ERRORS as exc:
        print(f"peercare {args.command}: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
