"""`warta demo` (and `--serve`) and `warta report`: the two commands that show the product."""

from __future__ import annotations

from warta.datadir_checks import require_data_dir


def cmd_demo(args) -> int:
    from warta.demo import run_demo, serve_demo

    if args.serve is not None:
        return serve_demo(args.serve, args.verbosity)
    require_data_dir("demo", args.data_dir, write=True)
    return run_demo(args.data_dir, args.verbosity)


def cmd_report(args) -> int:
    from warta.report import write_report

    require_data_dir("report", args.data_dir, write=args.output is None, must_exist=True)
    try:
        path, problems = write_report(args.data_dir, args.output)
    except OSError as exc:
        raise SystemExit(f"warta report: error: cannot write {exc.filename or args.output}: {exc.strerror}") from None
    if problems:  # like `warta schedule status`: a cron job or a CI step sees them
        print(f"report written to {path}; {len(problems)} problem{'s' if len(problems) > 1 else ''} (see the report)")
        return 1
    print(f"report written to {path}")
    return 0
