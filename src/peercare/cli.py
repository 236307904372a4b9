"""The ``peercare`` command."""

from __future__ import annotations

import argparse
import contextlib
import sys

from . import contract

# Errors whose message is written for the user: print it, no traceback. Every content
# file's error is a ProblemsError (schema.load). Named, not imported, so that a command
# imports only what it runs (the book build does not need the store, for one): an error
# can only come from a module that was imported.
USER_ERRORS = (
    "peercare.content.schema.ProblemsError",
    "peercare.content.bank.BankError",
    "peercare.book.build.BuildError",
    "peercare.serving.serve.ServeError",
    "peercare.paths.ProjectNotFound",
    "peercare.evaluation.errors.DataError",
    "peercare.evaluation.errors.DemoDataError",
    "peercare.certification.course.CertError",
    "peercare.serving.deploy.DeployError",
    "peercare.store.api.InputRefused",
    "peercare.store.api.StoreUnavailable",
    "peercare.book.handouts.HandoutError",
    "peercare.rehearse.run.RehearsalError",
)


def is_user_error(exc: BaseException) -> bool:
    """True for an error of :data:`USER_ERRORS` (whose modules are loaded if it is one)."""
    for name in USER_ERRORS:
        module, _, cls = name.rpartition(".")
        if module in sys.modules and isinstance(exc, getattr(sys.modules[module], cls)):
            return True
    return False


def _build(args) -> int:
    from .book.build import build

    out = build(quiet=args.quiet)
    print(f"Built the book: {out / 'index.html'}")
    return 0


def _serve(args) -> int:
    from .serving.serve import serve

    return serve(
        book_port=args.book_port,
        apps_port=args.apps_port,
        pool=args.pool,
        idle_timeout=args.idle_timeout,
        public_url=args.public_url,
        max_kernels=args.max_kernels,
        connect_timeout=args.connect_timeout,
        servers=args.servers,
        store=args.store,
    )


def _deploy(args) -> int:
    from .serving.deploy import deploy, settings_from_args

    return deploy(settings_from_args(args), dry_run=args.dry_run)


def _check_content(args) -> int:
    from .content.check import check_all, format_table

    reports = check_all()
    print(format_table(reports))
    failed = [r for r in reports if not r.ok]
    print(f"\n{len(reports) - len(failed)} of {len(reports)} pages pass.")
    return 1 if failed else 0


def _handouts(args) -> int:
    from pathlib import Path

    from .book.handouts import make_handouts

    pdfs = make_handouts(
        out=Path(args.out) if args.out else None, jobs=args.jobs, only=args.only or None
    )
    for pdf in pdfs:
        print(pdf)
    where = pdfs[0].parent if pdfs else args.out
    print(f"{len(pdfs)} handout(s) in {where}. No quiz answers are printed.")
    return 0


def _demo_data(args) -> int:
    from .evaluation.demo import demo_folder, write_demo

    out = write_demo(args.out or demo_folder(), n=args.respondents, seed=args.seed)
    print(f"Wrote SYNTHETIC demo data ({args.respondents} made-up respondents) to {out}")
    return 0


def _report(args) -> int:
    from .evaluation.dataset import open_data
    from .evaluation.report import build_report

    data = open_data(args.data) if args.data else open_data()
    out = build_report(data, threshold=args.threshold).write(args.output)
    label = "SYNTHETIC demo data" if data.synthetic else str(data.folder)
    print(f"Wrote the evaluation report ({label}) to {out}: one file, it fetches nothing.")
    return 0


def _rehearse(args) -> int:
    from .rehearse import Options, rehearse

    opts = Options(args.sessions, args.participants, args.candidates, args.store, args.out,
                   args.seed, args.threshold)  # fmt: skip
    return rehearse(opts)


def _rehearse_parser(sub) -> None:
    from pathlib import Path

    r = sub.add_parser(
        "rehearse",
        help="a made-up cohort through sessions, certification and evaluation, offline, "
        "then checks that nothing was lost or exposed",
    )
    r.add_argument("--sessions", type=int, default=4, help="sessions (default 4, the plan's)")
    r.add_argument("--participants", type=int, default=30, help="people (default 30)")
    r.add_argument("--candidates", type=int, default=5,
                   help="trainer candidates (default 5; 0 skips certification)")  # fmt: skip
    r.add_argument("--store", metavar="URL",
                   help="session store URL (default: an SQLite file in the output folder)")  # fmt: skip
    r.add_argument("--out", type=Path, metavar="DIR",
                   help="a new folder for everything (default rehearsals/<date-time>)")  # fmt: skip
    r.add_argument("--seed", type=int, default=2026, help="the cohort's seed (default 2026)")
    r.add_argument("--threshold", type=int, default=5, help="hide groups under (default 5)")
    r.set_defaults(func=_rehearse)


def _prepost_print(args) -> int:
    from .content.prepost_forms import load_form, printable_html

    form = load_form(args.form)
    text = printable_html(form, key=args.key)
    if args.output:
        with open(args.output, "w", encoding="utf-8") as fh:
            fh.write(text)
        what = "answer key" if args.key else "participant copy"
        print(
            f"Wrote form {args.form.upper()} ({what}, {len(form.questions)} items) to {args.output}"
        )
    else:
        sys.stdout.write(text)
    return 0


def _prepost_parser(sub) -> None:
    pp = sub.add_parser("prepost", help="the pre/post knowledge test's two parallel forms")
    ps = pp.add_subparsers(dest="prepost_command", required=True)
    p = ps.add_parser("print", help="a printable HTML page of one form (no answers unless --key)")
    p.add_argument("--form", required=True, help="A or B")
    p.add_argument("--key", action="store_true", help="mark the answers (for staff only)")
    p.add_argument("-o", "--output", help="file to write (default: standard output)")
    p.set_defaults(func=_prepost_print)


def _course(args):
    from .certification import Course

    return Course.find(args.course)


def _say(line: str) -> None:
    print(f"  {line}", flush=True)


@contextlib.contextmanager
def _noise_to_log(course):
    """Python warnings (the gradebook database's, for one) go to the course's log file."""
    import logging

    handler = logging.FileHandler(course.log_file, encoding="utf-8")
    warnings_log = logging.getLogger("py.warnings")
    warnings_log.addHandler(handler)
    warnings_log.propagate = False
    logging.captureWarnings(True)
    try:
        yield
    finally:
        logging.captureWarnings(False)
        warnings_log.removeHandler(handler)
        handler.close()


def _cert_add_candidates(args) -> int:
    from .certification.candidates import add_candidates

    course = _course(args)
    _say(f"adding the candidates in {args.file} to the gradebook...")
    with _noise_to_log(course):
        added, updated = add_candidates(course, args.file)
    print(f"Added {len(added)} candidate(s); updated {len(updated)} already on the list.")
    return 0


def _cert_release(args) -> int:
    from .certification.steps import release

    course = _course(args)
    for name in release(course, args.assignment, _say):
        print(f"Released {name} to the exchange ({course.course_id}).")
    return 0


def _cert_collect(args) -> int:
    from .certification.steps import collect

    for name, (people, refused) in collect(_course(args), args.assignment, _say).items():
        print(f"{name}: collected {len(people)} new submission(s) {' '.join(people)}".rstrip())
        for line in refused:
            print(f"  REFUSED, not collected: {line}")
    return 0


def _cert_autograde(args) -> int:
    from .certification.autograde import State, default_jobs, grade_all

    course = _course(args)
    jobs = args.jobs or default_jobs()
    print(f"Grading with {jobs} at a time; each cell may run {course.timeout} s.")

    def show(r):
        extra = f": {r.reason}" if r.reason else ""
        print(f"  {r.candidate} / {r.assignment}: {r.state}{extra} ({r.seconds:.1f} s)")

    results = grade_all(course, args.assignment, args.candidate, jobs, args.force, show)
    counts = {s: sum(r.state == s for r in results) for s in State}
    print(", ".join(f"{n} {s}" for s, n in counts.items()) + ". See: peercare cert status")
    return 0


def _cert_feedback(args) -> int:
    from .certification.steps import feedback

    for name, people in feedback(_course(args), args.assignment, _say).items():
        print(f"{name}: feedback released for {len(people)} candidate(s)")
    return 0


def _cert_status(args) -> int:
    from .certification.observe import format_observations
    from .certification.status import collect_status, format_table

    course = _course(args)
    print(format_table(collect_status(course, args.candidate)))
    print("\n" + format_observations(course, args.candidate))
    return 0


def _cert_observe(args) -> int:
    from .certification.observe import blank_form, read_marks, record

    if args.form:
        if args.output:
            with open(args.output, "w", encoding="utf-8") as f:
                f.write(blank_form())
            print(f"Wrote a blank marks file to {args.output}; fill it in, then run observe.")
        else:
            sys.stdout.write(blank_form())
        return 0
    missing = [f"--{n}" for n in ("candidate", "plan", "segment", "marks") if not getattr(args, n)]
    if missing:
        from .certification.course import CertError

        raise CertError(f"give {', '.join(missing)} (or --form for a blank marks file)")
    marks, feedback = read_marks(args.marks)
    obs = record(
        _course(args), args.candidate, args.plan, args.segment, marks,
        args.feedback if args.feedback is not None else feedback,
        observed_on=args.date, recorded=args.recorded, observer=args.observer,
    )  # fmt: skip
    print(f"{obs.candidate}: {obs.summary()}")
    print("Kept with the course. See: peercare cert status, peercare cert decide")
    return 0


def _cert_decide(args) -> int:
    from .certification.decide import decide, format_decisions

    print(format_decisions(decide(_course(args), args.candidate)))
    return 0


def _cert_certificates(args) -> int:
    from .certification.certificates import issue

    issued = issue(_course(args), reissue=args.reissue)
    for c in issued:
        state = "new" if c.new else "already issued"
        print(f"{c.candidate} ({c.name}): {c.code} {c.path} [{state}]")
    print(f"{sum(c.new for c in issued)} new certificate(s); {len(issued)} certified in all.")
    return 0


def _cert_verify(args) -> int:
    from .certification.certificates import verify

    verdict = verify(_course(args), args.code, pdf=args.pdf)
    print(verdict.message)
    return 0 if verdict.valid else 1


def _cert_scores(args) -> int:
    from .certification.scores import item_scores, scores_csv

    rows, ungraded = item_scores(_course(args), args.assignment)
    text = scores_csv(rows)
    if args.output:
        with open(args.output, "w", encoding="utf-8", newline="") as f:
            f.write(text)
        people = len({r[0] for r in rows})
        print(f"Wrote {len(rows)} item score(s) of {people} candidate(s) to {args.output}")
    else:
        sys.stdout.write(text)
    if ungraded:
        print(
            f"{ungraded} answer(s) still need a rubric grade; they are left out.", file=sys.stderr
        )
    return 0


def _cert_lab(args) -> int:
    from .certification import lab

    course = _course(args)
    if args.lead:
        plan = lab.lead_lab(course, args.port, args.token)
    else:
        plan = lab.candidate_lab(course, args.candidate, args.port, args.token)
    return lab.run(plan, open_browser=not args.no_browser)


def _cert_check(args) -> int:
    from .certification.check import check_notebook

    print(check_notebook(args.notebook))
    return 0


def _cert_parser(sub) -> None:
    cert = sub.add_parser("cert", help="train-the-trainer certification (nbgrader)")
    cert.add_argument("--course", help="the course folder (default: grading/ in the kit)")
    cs = cert.add_subparsers(dest="cert_command", required=True)
    a = cs.add_parser("add-candidates", help="add candidates from a CSV file (id,name[,email])")
    a.add_argument("file")
    a.set_defaults(func=_cert_add_candidates)
    for name, func, text in (
        ("release", _cert_release, "generate and release assignments to the exchange"),
        ("collect", _cert_collect, "collect submissions from the exchange"),
        ("feedback", _cert_feedback, "make feedback (no hidden tests) and release it"),
    ):
        p = cs.add_parser(name, help=text)
        p.add_argument("assignment", nargs="?", help="one assignment (default: all)")
        p.set_defaults(func=func)
    g = cs.add_parser("autograde", help="grade submissions, several at once")
    g.add_argument("assignment", nargs="?", help="one assignment (default: all)")
    g.add_argument("--candidate", help="only this candidate")
    g.add_argument(
        "--jobs", type=_at_least_one, help="submissions at once (default: 2 per core, at most 8)"
    )
    g.add_argument("--force", action="store_true", help="grade again what was graded")
    g.set_defaults(func=_cert_autograde)
    for name, func, text in (
        ("status", _cert_status, "a table: each candidate, each assignment"),
        ("decide", _cert_decide, "apply the certification rule and say why"),
    ):
        p = cs.add_parser(name, help=text)
        p.add_argument("--candidate", help="only this candidate")
        p.set_defaults(func=func)
    sc = cs.add_parser(
        "scores", help="item scores for the evaluation kit (certification.csv; ids, no names)"
    )
    sc.add_argument("assignment", nargs="?", default="knowledge-check")
    sc.add_argument("-o", "--output", help="file to write (default: standard output)")
    sc.set_defaults(func=_cert_scores)
    c = cs.add_parser("certificates", help="a PDF certificate for each certified trainer")
    c.add_argument("--reissue", action="store_true", help="make new ones (old codes stop working)")
    c.set_defaults(func=_cert_certificates)
    lb = cs.add_parser("lab", help="JupyterLab for one candidate (--candidate ID) or the lead")
    who = lb.add_mutually_exclusive_group(required=True)
    who.add_argument("--candidate", metavar="ID", help="the candidate's id on the list")
    who.add_argument("--lead", action="store_true", help="the lead trainer's view (Formgrader)")
    lb.add_argument("--port", type=_positive, help="port on 127.0.0.1 (default: a free one)")
    lb.add_argument("--token", help="the server's token (default: a new random one)")
    lb.add_argument("--no-browser", action="store_true", help="only print the address")
    lb.set_defaults(func=_cert_lab)
    ck = cs.add_parser("check", help="which answers are still empty or not in the right form")
    ck.add_argument("notebook", help="a candidate's notebook (.ipynb)")
    ck.set_defaults(func=_cert_check)
    v = cs.add_parser("verify", help="check a certificate's verification code")
    v.add_argument("code")
    v.add_argument("--pdf", help="also check that this PDF is the one issued (not changed)")
    v.set_defaults(func=_cert_verify)
    o = cs.add_parser(
        "observe", help="record an observed teach-back: one segment of a plan, the checklist"
    )
    o.add_argument("--candidate", metavar="ID", help="the candidate's id on the list")
    o.add_argument("--plan", help="the session plan's id, e.g. refresher")
    o.add_argument("--segment", help="the segment's number (from 1) or its title")
    o.add_argument("--marks", metavar="FILE", help="the filled-in marks file (see --form)")
    o.add_argument("--feedback", help="written feedback (or 'feedback:' in the marks file)")
    o.add_argument("--date", type=_iso_date, help="the day observed, YYYY-MM-DD (today)")
    o.add_argument("--recorded", action="store_true", help="watched on a recording, not live")
    o.add_argument("--observer", help="who observed (optional)")
    o.add_argument("--form", action="store_true", help="write a blank marks file and stop")
    o.add_argument("-o", "--output", help="with --form: the file to write")
    o.set_defaults(func=_cert_observe)


def _session_create(args) -> int:
    from .store import Store

    info, key = Store().create_session(args.title, threshold=args.threshold)
    print(f"Session:          {info.title}")
    print(f"Join code:        {info.code}")
    print(f"Facilitator key:  {key}")
    print(
        f"Counts of fewer than {info.threshold} people stay hidden. Write the key down now: "
        "it is shown only this once (the store keeps only a hash of it)."
    )
    return 0


def _session_close(args) -> int:
    from .store import Store

    store = Store()
    store.close_session(args.code, args.key)
    print(f"Closed session {store.session_for_facilitator(args.code, args.key).code}.")
    return 0


def _session_export(args) -> int:
    import csv
    import io

    from .store import Store

    text = Store().export_csv(args.code, args.key)
    if args.output:
        with open(args.output, "w", encoding="utf-8", newline="") as f:
            f.write(text)
        rows = sum(1 for _ in csv.reader(io.StringIO(text, newline=""))) - 1
        print(f"Wrote {rows} answer(s) to {args.output}", file=sys.stderr)
    else:
        sys.stdout.write(text)
    return 0


def _session_parser(sub) -> None:
    session = sub.add_parser(
        "session", help="live sessions: create, close, export (store: $PEERCARE_DB_URL)"
    )
    ss = session.add_subparsers(dest="session_command", required=True)
    c = ss.add_parser("create", help="open a session; prints the join code and facilitator key")
    c.add_argument("--title", required=True)
    c.add_argument(
        "--threshold",
        type=int,
        default=contract.THRESHOLD_DEFAULT,
        help=f"hide counts under this ({contract.THRESHOLD_MIN} to {contract.THRESHOLD_MAX}, "
        f"default {contract.THRESHOLD_DEFAULT})",
    )
    c.set_defaults(func=_session_create)
    for name, func, text in (
        ("close", _session_close, "close a session: no more answers"),
        ("export", _session_export, "the session's answers as CSV"),
    ):
        p = ss.add_parser(name, help=text)
        p.add_argument("code")
        p.add_argument("--key", required=True, help="the facilitator key")
        if name == "export":
            p.add_argument("-o", "--output", help="file to write (default: standard output)")
        p.set_defaults(func=func)


def _at_least_one(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError("give 1 or more")
    return value


def _positive(text: str) -> int:
    value = int(text)
    if value < 2:
        raise argparse.ArgumentTypeError("give 2 or more")
    return value


def _iso_date(text: str):
    from datetime import date

    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date like 2026-11-30") from None


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="peercare", description="Helping the Helpers training kit")
    sub = p.add_subparsers(dest="command", required=True)
    b = sub.add_parser("build", help="build the book into _build/html")
    b.add_argument("--quiet", action="store_true", help="print only errors")
    b.set_defaults(func=_build)
    s = sub.add_parser("serve", help="serve the built book and the live apps on 127.0.0.1")
    s.add_argument("--book-port", type=int, default=8000)
    s.add_argument("--apps-port", type=int, default=8866)
    s.add_argument(
        "--pool", type=int, help="preheated participant pages (default: from cores and memory)"
    )
    s.add_argument(
        "--idle-timeout", type=int, default=300, help="free closed pages' kernels after N s"
    )
    s.add_argument("--public-url", help="address participants use, if not 127.0.0.1 (see README)")
    s.add_argument(
        "--max-kernels", type=int, help="most open app pages at once (default: fits in memory)"
    )
    s.add_argument(
        "--connect-timeout", type=float, default=60,
        help="stop a page's kernel if the page has not connected after N s (60)",
    )  # fmt: skip
    s.add_argument(
        "--servers", type=int, default=1,
        help="Voila servers for the live apps behind one router on --apps-port (1)",
    )  # fmt: skip
    s.add_argument(
        "--store", metavar="URL",
        help="the session store for every server, e.g. postgresql://user@host/db "
        "(default: PEERCARE_DB_URL, else the SQLite file in data/)",
    )  # fmt: skip
    s.set_defaults(func=_serve)
    dp = sub.add_parser(
        "deploy", help="one Debian/Ubuntu server: the kit as a service, Caddy with HTTPS in front"
    )
    dp.add_argument("--domain", help="the server's name, e.g. training.example.org")
    dp.add_argument("--email", help="for the certificate authority's expiry notices")
    dp.add_argument("--dry-run", action="store_true", help="print every step; change nothing")
    dp.add_argument("--book-port", type=int, default=8000)
    dp.add_argument("--apps-port", type=int, default=8866)
    dp.add_argument("--pool", type=int, default=10, help="preheated participant pages (10)")
    dp.add_argument("--user", default="peercare", help="the service's user (peercare)")
    dp.set_defaults(func=_deploy)
    c = sub.add_parser("check-content", help="reading grade, footer, quiz and language checks")
    c.set_defaults(func=_check_content)
    h = sub.add_parser("handouts", help="print handouts (PDF) from the built book with Chromium")
    h.add_argument(
        "only", nargs="*", help="only these handouts (e.g. chapter-coping plan-refresher)"
    )
    h.add_argument("--out", help="folder for the PDFs (default: _build/handouts)")
    h.add_argument("--jobs", type=_at_least_one, default=2, help="pages printed at once (2)")
    h.set_defaults(func=_handouts)
    d = sub.add_parser("demo-data", help="write a synthetic dataset for the research notebooks")
    d.add_argument("--out", help="folder to write to (default: data/demo/ in the project)")
    d.add_argument("--respondents", type=_positive, default=240, help="made-up people (240)")
    d.add_argument("--seed", type=int, default=2024, help="random seed (2024)")
    d.set_defaults(func=_demo_data)
    r = sub.add_parser("report", help="the evaluation report as one self-contained HTML page")
    r.add_argument("--data", help="data folder (default: $PEERCARE_EVAL_DATA, else the demo data)")
    r.add_argument("--threshold", type=_positive, default=5, help="smallest group shown (5)")
    r.add_argument("-o", "--output", default="report.html", help="file to write (report.html)")
    r.set_defaults(func=_report)
    _cert_parser(sub)
    _session_parser(sub)
    _prepost_parser(sub)
    _rehearse_parser(sub)
    return p


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        return args.func(args)
    except Exception as exc:
        if not is_user_error(exc):
            raise
        print(f"peercare {args.command}: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
