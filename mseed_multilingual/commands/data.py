"""``mseed data inspect|convert``: read MSEED files and normalized JSONL, report every problem."""

from __future__ import annotations

import argparse
import json
import sys


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser(
        "data", help="inspect or convert MSEED files and normalized JSONL",
        description="Read an MSEED evaluation text file, an MSEED alignment JSON array or the "
                    "project's normalized JSONL (format detected from the content).")
    dsub = parser.add_subparsers(dest="data_command", metavar="ACTION", required=True)
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("path", help="MSEED .txt / .json file, normalized .jsonl, or 'sample' "
                                     "for the embedded sample's zh file")
    common.add_argument("--strict", action="store_true",
                        help="stop with exit 1 at the first problem (warnings included)")
    inspect = dsub.add_parser(
        "inspect", parents=[common], help="count records per dimension and subclass",
        description="Reads PATH and prints record counts per dimension and subclass with every "
                    "warning and error and its location. Writes nothing.")
    inspect.add_argument("--json", action="store_true", help="print one JSON object")
    inspect.set_defaults(func=_inspect)
    convert = dsub.add_parser(
        "convert", parents=[common], help="write normalized JSONL",
        description="Reads PATH and writes its good records as normalized JSONL to OUT; "
                    "problems are reported on stderr.")
    convert.add_argument("-o", "--output", required=True, help="output .jsonl file")
    convert.set_defaults(func=_convert)


def _load(args: argparse.Namespace):
    from mseed_multilingual.core.paths import sample_path
    from mseed_multilingual.data.records import DataError, load_file

    path = sample_path() / "zh.jsonl" if args.path == "sample" else args.path
    try:
        return load_file(path, strict=args.strict)
    except DataError as exc:
        print(f"error: {exc}", file=sys.stderr)
        raise SystemExit(1) from exc


def _inspect(args: argparse.Namespace) -> int:
    report = _load(args)
    if args.json:
        print(json.dumps(report.to_json(), ensure_ascii=False, indent=2))
    else:
        print(report.table())
    return 0


def _convert(args: argparse.Namespace) -> int:
    from mseed_multilingual.core.io import output_file
    from mseed_multilingual.data.records import write_records

    output_file(args.output, "output .jsonl file")
    report = _load(args)
    n = write_records(report.records, args.output)
    for p in report.warnings + report.errors:
        print(f"{p.location}: {p.message}", file=sys.stderr)
    print(f"wrote {n} records to {args.output} (read {report.read}, rejected {report.rejected})")
    return 0
