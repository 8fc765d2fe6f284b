"""The ``tymqual`` command: a thin layer over the library.

Each command parses its options, calls one library function and prints the result. A
:class:`~tymqual.errors.TymqualError` becomes a one-line message on stderr and exit code 2;
nothing here computes anything the library does not also offer to a notebook.
"""

from __future__ import annotations

import argparse
import os
import sys
import warnings
from collections.abc import Callable, Sequence
from typing import Any

from tymqual import __version__
from tymqual.codings import DEFAULT_CODERS
from tymqual.errors import TymqualError, TymqualWarning
from tymqual.project import init_project, open_project
from tymqual.storage import describe_os_error


def _cmd_init(args: argparse.Namespace) -> int:
    project = init_project(args.dir, name=args.name)
    print(f"Created a tymqual project in {project.root}")
    return 0


def _cmd_status(args: argparse.Namespace) -> int:
    from tymqual.tables import code_frequencies

    project = open_project(args.project)
    s = project.summary()
    by_kind = s["words_by_kind"]
    kinds = ", ".join(f"{n} {kind}" for kind, n in project.sources["kind"].value_counts(
        sort=False).sort_index().items())
    print(f"{s['project']} ({s['root']})")
    print(f"  sources {s['sources']} ({kinds or 'none'}), cases {s['cases']}, turns {s['turns']}")
    other = s["words"] - by_kind.get("interview", 0)
    print(f"  words {s['words']} in all: interviews {by_kind.get('interview', 0)} (the report's "
          f"data description total), survey answers and documents {other}")
    print(f"  codes {s['codes']}, codings {s['codings']} accepted, {s['suggested']} suggested; "
          f"coded passages {s['passages']}")
    if s["skipped"]:
        print(f"  skipped sources: {s['skipped']}")
    if s["unanchored"]:
        print(f"  codings whose passage was not found after an edit: {s['unanchored']}")
    if s["speaker_roles"]:
        shown = list(s["speaker_roles"].items())
        more = f", and {len(shown) - 12} more" if len(shown) > 12 else ""
        print("  speakers: " + ", ".join(f"{label} ({role or 'no role'})"
                                         for label, role in shown[:12]) + more)
    if any(role is None for role in s["speaker_roles"].values()):
        print("  map the labels with no role under speakers: interviewer / interviewee in "
              "tymqual.yaml")
    if s["turnless"]:
        print(f"  interviews with no speaker turns: {', '.join(s['turnless'])}")
    if s["last_change"]:
        print(f"  last {s['last_change']}; `tymqual log` lists every change")
    orphaned = s["orphaned"]
    if orphaned:
        keys = ", ".join(f"{key} ({n})" for key, n in orphaned.items())
        print(f"  codings under keys not in codes/codebook.yaml: {sum(orphaned.values())} "
              f"({keys}); `tymqual check` says how to fix it")
    # The report's counts: distinct coded passages, a parent counting its subcodes' passages.
    freq = code_frequencies(project, rollup=True, lang="en")
    rows = {str(path): int(n) for path, n in zip(freq["code_path"], freq["segments"],
                                                 strict=True)}
    for key in orphaned:
        rows.setdefault(f"{key} (not in codebook)", 0)
    print("  coded passages per code (a parent counts its subcodes, as in the report):")
    width = max((len(p) for p in rows), default=0)
    for path, n in rows.items():
        print(f"  {path:<{width}}  {n:>4}")
    return 0


def _cmd_check(args: argparse.Namespace) -> int:
    from tymqual.integrity import check

    found = check(args.project)
    for row in found.to_dict("records"):
        stream = sys.stdout if row["severity"] == "info" else sys.stderr
        where = f" [{row['where']}]" if row["where"] else ""
        print(f"{row['severity']}: {row['problem']} ({row['file'] or 'project'}): "
              f"{row['detail']}{where}", file=stream)
        print(f"  fix: {row['fix']}", file=stream)
    problems = int((found["severity"] == "problem").sum())
    if problems:
        print(f"tymqual: {problems} problem(s) found in {args.project}", file=sys.stderr)
        return 1
    print(f"no problems found in {args.project}")
    return 0


def _cmd_codes(args: argparse.Namespace) -> int:
    book = open_project(args.project).codebook
    print(f"{book.name} (v{book.version})")
    for code in book:
        print(f"{'  ' * (code.depth + 1)}{code.name}  [{code.path}]")
    return 0


def _cmd_report(args: argparse.Namespace) -> int:
    from tymqual.reports import build_report

    files = build_report(
        open_project(args.project),
        args.out,
        lang=args.lang,
        allow_small_cells=args.allow_small_cells,
        progress=not args.quiet,
    )
    for path in files.paths:
        print(path)
    return 0


def _cmd_export(args: argparse.Namespace) -> int:
    project = open_project(args.project)
    if args.format == "qdc":
        path = project.codebook.to_qdc(args.out)
    else:
        path = project.export_qdpx(args.out)
    print(path)
    return 0


def _cmd_import(args: argparse.Namespace) -> int:
    from tymqual.refi import import_qdc, import_qdpx

    if args.file.lower().endswith(".qdc"):
        book = import_qdc(args.file)
        book.to_yaml(args.into)
        print(f"{len(book)} codes written to {args.into}")
    else:
        print(import_qdpx(args.file, args.into))
    return 0


def _cmd_inspect(args: argparse.Namespace) -> int:
    import pandas as pd

    from tymqual.surveys import inspect_survey

    sheet = int(args.sheet) if args.sheet is not None and args.sheet.isdigit() else args.sheet
    with warnings.catch_warnings():  # the report prints each warning as a note
        warnings.simplefilter("ignore", TymqualWarning)
        report = inspect_survey(args.file, format=args.format, id_column=args.id_column,
                                sheet=sheet)
    print(report)
    with pd.option_context("display.width", 200, "display.max_columns", None,
                           "display.max_colwidth", 60, "display.max_rows", None):
        print(report.frame().to_string(index=False))
    return 0


def _cmd_agreement(args: argparse.Namespace) -> int:
    import pandas as pd

    table = open_project(args.project).agreement(
        tuple(args.coders), unit=args.unit, min_overlap=args.min_overlap
    )
    with pd.option_context("display.width", 200, "display.max_columns", None):
        print(table.to_string(index=False, float_format=lambda x: f"{x:.3f}"))
    return 0


def _cmd_coverage(args: argparse.Namespace) -> int:
    import pandas as pd

    p = open_project(args.project)
    coder = args.coder or None
    if args.table == "saturation":
        table = p.saturation(coder=coder, kind=None if args.all_kinds else "interview")
    elif args.table == "share":
        table = p.coded_share(coder=coder)
    else:
        table = p.single_coder_codes(include_machine=args.include_machine)
    with pd.option_context("display.width", 200, "display.max_columns", None):
        print(table.to_string(index=False, float_format=lambda x: f"{x:.3f}"))
    return 0


def _cmd_merge(args: argparse.Namespace) -> int:
    from tymqual.merge import merge_codings

    print(merge_codings(open_project(args.project), args.other, coder=args.coder,
                        as_coder=args.as_coder, prefer=args.prefer))
    return 0


def _cmd_log(args: argparse.Namespace) -> int:
    changes = open_project(args.project).history(by="change")
    shown = changes.tail(args.n) if args.n else changes
    for row in shown.to_dict("records"):
        mark = "  (undone)" if row["undone"] else ""
        who = f" {row['who']}" if row["who"] else ""
        note = f" — {row['note']}" if row["note"] else ""
        print(f"{row['change']:>5}  {row['time']}{who}  {row['action']}, {row['rows']} row(s)"
              f"{note}{mark}")
    print(f"{len(changes)} change(s) in the history")
    return 0


def _cmd_undo(args: argparse.Namespace) -> int:
    project = open_project(args.project)
    print(project.redo() if args.redo else project.undo())
    return 0


def _cmd_restore(args: argparse.Namespace) -> int:
    at: int | str = int(args.at) if args.at.isdigit() else args.at
    changed = open_project(args.project).restore(at)
    print(f"{changed} coding(s) restored to how they were at {args.at}")
    return 0


def _cmd_search(args: argparse.Namespace) -> int:
    import pandas as pd

    hits = open_project(args.project).search(
        args.query, compounds=args.compounds, context=args.context, readings=args.readings,
        derivations=args.derivations,
    )
    for row in hits.to_dict("records"):
        turn = "-" if pd.isna(row["turn"]) else str(row["turn"])
        line = " ".join(f"{row['left']}[{row['match']}]{row['right']}".split())
        codes = f"  ({row['codes']})" if row["codes"] else ""
        print(f"{row['source_id']}:{turn:<10} {line}{codes}")
        if args.why:
            print(f"    why: {row['why']}")
    print(f"{len(hits)} hit(s)")
    return 0


def _cmd_pseudonymize(args: argparse.Namespace) -> int:
    report = open_project(args.project).pseudonymize(args.out)
    print(report)
    return 0


def _cmd_check_leaks(args: argparse.Namespace) -> int:
    from tymqual.leaks import check_leaks
    from tymqual.privacy import key_path, read_key

    key = read_key(args.key if args.key else key_path(open_project(args.project)))
    leaks = check_leaks(args.dir, key)
    for row in leaks.itertuples(index=False):
        print(f"{row.file}, {row.location}: {row.found!r}", file=sys.stderr)
    if not leaks.empty:
        print(f"tymqual: error: {len(leaks)} leak(s) found in {args.dir}", file=sys.stderr)
        return 1
    print(f"no leaks found in {args.dir}")
    return 0


_Arg = tuple[tuple[str, ...], dict[str, Any]]


def _arg(*flags: str, **options: Any) -> _Arg:
    """One ``add_argument`` call, written down for :data:`_COMMANDS`."""
    return flags, options


_HERE = _arg("project", nargs="?", default=".")
_PROJECT = _arg("--project", default=".", help="the project folder (default: here)")
_FORMATS = ("auto", "webropol", "forms", "google_forms", "limesurvey", "qualtrics", "spss",
            "stata", "csv")

# Each command: name, help, the function it runs, extra defaults, its arguments.
_COMMANDS: tuple[tuple[str, str, Callable[..., int], dict[str, Any], tuple[_Arg, ...]], ...] = (
    ("init", "make an empty project folder", _cmd_init, {}, (
        _arg("dir"),
        _arg("--name", default=None, help="project name (default: the folder's name)"))),
    ("status", "counts of sources, words and codings per code", _cmd_status, {}, (_HERE,)),
    ("codes", "the codebook as a tree", _cmd_codes, {}, (_HERE,)),
    ("check", "every integrity problem of the project, each with its fix", _cmd_check, {},
     (_HERE,)),
    ("search", "Finnish-aware search: words by base form, AND/OR/NOT", _cmd_search, {}, (
        _arg("query", help='e.g. johtoryhmä AND NOT Kela, "yhteinen tahtotila", sopim*'),
        _PROJECT,
        _arg("--compounds", choices=("off", "head", "any"), default="head"),
        _arg("--context", type=int, default=40, help="characters shown either side"),
        _arg("--readings", choices=("likely", "all"), default="likely",
             help="likely: the base form typed (default); all: every base form the query and "
                  "each word can be (tilanne also finds tila)"),
        _arg("--derivations", action="store_true",
             help="a verb also finds its derived nouns (johtaa: johtaminen, johtaja)"),
        _arg("--why", action="store_true",
             help="print under each hit why it matched (the form, its reading, the rule)"))),
    ("pseudonymize", "a pseudonymised copy of the project (new folder)", _cmd_pseudonymize, {}, (
        _arg("out", help="the new project folder to write"),
        _arg("--project", default=".", help="the project to copy (default: here)"))),
    ("check-leaks", "scan reports and exports for any string in the key", _cmd_check_leaks, {}, (
        _arg("dir", help="a folder (or file) of reports and exports"),
        _arg("--project", default=".", help="whose codes/private/key.csv to use"),
        _arg("--key", default=None, help="a key file instead of the project's"))),
    ("inspect", "what a survey export holds and how it will be read", _cmd_inspect, {}, (
        _arg("file", help="a survey export (.xlsx .csv .sav .dta)"),
        _arg("--format", default="auto", choices=_FORMATS),
        _arg("--id-column", default=None, help="the column that identifies respondents"),
        _arg("--sheet", default=None, help="worksheet name or 0-based index (xlsx)"))),
    ("agreement", "intercoder agreement per code (kappa, alpha)", _cmd_agreement, {}, (
        _HERE,
        _arg("--coders", nargs=2, default=list(DEFAULT_CODERS), metavar=("A", "B")),
        _arg("--unit", choices=("sentence", "turn", "overlap", "free"), default="sentence"),
        _arg("--min-overlap", type=float, default=0.9))),
    ("coverage", "saturation, coded share or codes only one coder used", _cmd_coverage, {}, (
        _HERE,
        _arg("--table", choices=("saturation", "share", "single"), default="saturation",
             help="saturation: new codes per interview in the order coded (default); share: "
                  "the share of each source's text coded, per code; single: codes only one "
                  "coder used in the double-coded material"),
        _arg("--coder", action="append", default=None,
             help="only this coder's codings (repeat for several; default every coder)"),
        _arg("--all-kinds", action="store_true",
             help="saturation over every source, not only interviews"),
        _arg("--include-machine", action="store_true",
             help="single: count autocoding and the suggester as coders"))),
    ("merge", "bring a second coder's codings back from a project copy", _cmd_merge, {}, (
        _arg("other", help="the copy of the project the other coder worked in"),
        _HERE,
        _arg("--coder", default=None, help="only the copy's codings by this coder"),
        _arg("--as-coder", default=None, metavar="NAME",
             help="record the copy's new codings under this coder name (when the second "
                  "coder kept the default name)"),
        _arg("--prefer", choices=("ours", "theirs"), default=None,
             help="for a field changed on both sides: keep this project's value or take "
                  "the copy's; 'theirs' also removes here what the copy removed"))),
    ("log", "the history of changes to the codings, oldest first", _cmd_log, {}, (
        _HERE, _arg("-n", type=int, default=0, help="only the last N changes"))),
    ("undo", "take back the last change to the codings", _cmd_undo, {"redo": False}, (_HERE,)),
    ("redo", "make again the change the last undo took back", _cmd_undo, {"redo": True},
     (_HERE,)),
    ("restore", "the codings as they were after a change (see log)", _cmd_restore, {}, (
        _arg("at", help="a change number from 'tymqual log', or a time (UTC)"), _PROJECT)),
    ("export", "REFI-QDA exchange: the codebook (qdc) or project (qdpx)", _cmd_export, {}, (
        _arg("format", choices=("qdc", "qdpx")),
        _HERE,
        _arg("--out", required=True, help="the file to write (.qdc or .qdpx)"))),
    ("import", "a REFI-QDA file: .qdpx into a new project, .qdc to YAML", _cmd_import, {}, (
        _arg("file", help="a .qdpx project or .qdc codebook from another QDA program"),
        _arg("--into", required=True,
             help="for .qdpx a new project folder; for .qdc the codebook.yaml to write"))),
    ("report", "the mixed-methods report: xlsx, html, docx, figures", _cmd_report, {}, (
        _HERE,
        _arg("--out", default="out", help="folder for the report files (default: out)"),
        _arg("--lang", choices=("fi", "en"), default="fi"),
        _arg("--allow-small-cells", action="store_true",
             help="internal work only: show breakdowns whose groups are below the minimum "
                  "cell size"),
        _arg("--quiet", action="store_true", help="no progress bar"))),
)


def build_parser() -> argparse.ArgumentParser:
    """The argument parser (exposed for documentation and tests), one sub-command per row of
    :data:`_COMMANDS`."""
    parser = argparse.ArgumentParser(
        prog="tymqual",
        description="tymqual: qualitative and mixed-methods analysis of interviews and surveys.",
    )
    parser.add_argument("--version", action="version", version=f"tymqual {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)
    for name, text, func, defaults, arguments in _COMMANDS:
        command = sub.add_parser(name, help=text)
        for flags, options in arguments:
            command.add_argument(*flags, **options)
        command.set_defaults(func=func, **defaults)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code."""
    args = build_parser().parse_args(argv)
    func: Callable[[argparse.Namespace], int] = args.func
    with warnings.catch_warnings():
        warnings.simplefilter("always")
        warnings.showwarning = _show_warning
        try:
            return func(args)
        except TymqualError as exc:
            print(f"tymqual: error: {exc}", file=sys.stderr)
            return 2
        except BrokenPipeError:
            # The reader (`| head`) stopped listening; that is not a failure of ours.
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            return 0
        except OSError as exc:
            # A file the library did not expect to fail on: still one sentence, no traceback.
            cause, remedy = describe_os_error(exc, writing=False)
            name = exc.filename if exc.filename is not None else "a file"
            print(f"tymqual: error: {name} could not be read or written because {cause} "
                  f"({remedy}).", file=sys.stderr)
            return 2


def _show_warning(
    message: Warning | str,
    category: type[Warning],
    filename: str,
    lineno: int,
    file: object = None,
    line: str | None = None,
) -> None:
    print(f"tymqual: warning: {message}", file=sys.stderr)


if __name__ == "__main__":
    raise SystemExit(main())
