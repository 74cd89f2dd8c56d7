"""The ``mseed`` command line: run the command the parser of :mod:`mseed_multilingual.commands`
chose, and turn an error caused by input into one line and an exit code.
"""

from __future__ import annotations

import csv
import errno
import sys
from collections.abc import Sequence

from mseed_multilingual.commands import build_parser

# Exit codes of every command (docs/reliability.md, "Exit codes"): 0 done; 1 the input was read and
# rejected, or a check failed (validate, judge errors: the command returns it); 2 below.
EXIT_USAGE = 2  # the command cannot run as asked: bad option, unusable input file or output path
EXIT_INTERRUPTED = 130  # 128 + SIGINT, as a shell reports Ctrl-C


def error_line(exc: BaseException) -> str:
    """One line for an error caused by input: the project's own errors carry their file, line
    or field; OS and decoding errors are given the file name they concern."""
    if isinstance(exc, RecursionError):
        return "input nested too deeply to process"
    if isinstance(exc, UnicodeDecodeError):
        return f"input is not UTF-8 text ({exc.reason} at byte offset {exc.start})"
    if isinstance(exc, OSError) and exc.filename is not None:
        reason = "a symlink loop" if exc.errno == errno.ELOOP else exc.strerror
        return f"{exc.filename}: {reason}"
    return str(exc) or type(exc).__name__


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return EXIT_USAGE
    try:
        return int(args.func(args) or 0)
    except BrokenPipeError:  # `mseed ... | head`
        sys.stderr.close()
        return 0
    except KeyboardInterrupt as exc:  # a command may say what exactly was kept (translate)
        print(str(exc) or "interrupted; work done so far is kept and a rerun resumes it",
              file=sys.stderr)
        return EXIT_INTERRUPTED
    except (ValueError, OSError, csv.Error, RecursionError) as exc:
        print(f"mseed {args.command}: error: {error_line(exc)}", file=sys.stderr)
        return EXIT_USAGE


if __name__ == "__main__":
    sys.exit(main())
