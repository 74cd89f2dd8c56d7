"""``mseed annotate``: draw a sample of answers to label, label it in the browser, move labels to
and from Label Studio or a CSV, and measure agreement between annotators (docs/judge.md,
"Checking a judge on your own answers")."""

from __future__ import annotations

import argparse
import os
import sys
import time

DEFAULT_FOLDER = "annotation"
DEFAULT_PORT = 8765  # the page's port (annotate_page.DEFAULT_PORT)
DEFAULT_OVERLAP = 0.0


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser(
        "annotate", help="label a random sample of your own answers (judge checks, PPI)",
        description="Draw a seeded, stratified, paired sample of a run's answers (draw), label "
                    "it on a local page (serve), exchange labels with Label Studio or a CSV "
                    "(export, import) and measure agreement between annotators (agreement). "
                    "The labels feed `mseed judge-check --labels` and `mseed transfer --labels`.")
    cmds = parser.add_subparsers(dest="annotate_command", metavar="SUBCOMMAND", required=True)
    _register_draw(cmds)
    _register_serve(cmds)
    _register_export(cmds)
    _register_import(cmds)
    _register_agreement(cmds)


def _register_draw(cmds: argparse._SubParsersAction) -> None:
    p = cmds.add_parser(
        "draw", help="draw the sample to label (sample.jsonl), or plan its size",
        description="Draws per language x side x kind (harmful/benign) a seeded random sample "
                    "of answers; with --before and --after the same prompt ids on both sides. "
                    "Writes <folder>/sample.jsonl and draw.json. --plan prints instead how "
                    "many labels each cell needs for a half-width on the change.")
    p.add_argument("--run", metavar="DIR", help="a single run (its side is 'before')")
    p.add_argument("--before", metavar="DIR", help="the base model's run")
    p.add_argument("--after", metavar="DIR", help="the aligned model's run")
    p.add_argument("--judge", metavar="NAME",
                   help="whose verdicts to keep beside each answer (hidden on the page) and "
                        "to plan with (default: the runs' only judge, if any)")
    size = p.add_mutually_exclusive_group()
    size.add_argument("--per-cell", type=int, metavar="N", help="prompts per language x kind "
                                                                "(each side gets the same ids)")
    size.add_argument("--fraction", type=float, metavar="F",
                      help="share of each language x kind's prompts, rounded up")
    p.add_argument("--seed", type=int, default=None, metavar="S",
                   help="the draw's seed (default: the project's fixed seed)")
    p.add_argument("--langs", nargs="+", metavar="LANG", help="only these languages")
    p.add_argument("--unsure", type=int, default=0, metavar="N",
                   help="also draw up to N answers per cell the judge was unsure of, as a "
                        "separate pool labelled apart (unsure/labels/); default 0")
    p.add_argument("--annotators", nargs="+", metavar="NAME",
                   help="share the items among these annotators (default: anyone labels all)")
    p.add_argument("--overlap", type=float, default=DEFAULT_OVERLAP, metavar="F",
                   help="share of prompts also given to a second annotator, blind, for "
                        "agreement (needs --annotators; default 0)")
    p.add_argument("-o", "--output", default=DEFAULT_FOLDER, metavar="DIR",
                   help=f"annotation folder (default {DEFAULT_FOLDER}/)")
    p.add_argument("--plan", action="store_true",
                   help="print labels needed per cell and write nothing")
    p.add_argument("--half-width", type=float, default=None, metavar="H",
                   help="with --plan: wanted 95%% half-width on the change (default 0.10)")
    p.add_argument("--assume-error", type=float, default=None, metavar="E",
                   help="with --plan: the judge's error share per side assumed until a cell "
                        "has 10 labelled prompts (default 0.15)")
    p.add_argument("--labels", metavar="PATH",
                   help="with --plan: labels made so far (default: the folder's labels/)")
    p.add_argument("--field", choices=("refused", "safe"), default="refused",
                   help="with --plan: the outcome planned for (default refused)")
    p.set_defaults(func=_draw)


def _register_serve(cmds: argparse._SubParsersAction) -> None:
    p = cmds.add_parser(
        "serve", help="the labelling page on a local web server",
        description="Serves the page that labels <folder>/sample.jsonl until interrupted: open "
                    "http://127.0.0.1:PORT/#annotator=NAME. Each label is written to "
                    "<folder>/labels/NAME.jsonl (fsync'ed) before the page shows it saved.")
    p.add_argument("folder", nargs="?", default=DEFAULT_FOLDER)
    p.add_argument("--host", default="127.0.0.1",
                   help="address to listen on (default loopback only)")
    p.add_argument("--port", type=int, default=DEFAULT_PORT, help=f"default {DEFAULT_PORT}")
    p.add_argument("--api-key-env", metavar="VAR",
                   help="require the key held by this environment variable (open the page as "
                        "#annotator=NAME&key=KEY; default: no key)")
    p.add_argument("--allow-host", action="append", default=[], metavar="HOST:PORT",
                   help="another Host header to accept (a name the server is reached by)")
    p.set_defaults(func=_serve)


def _register_export(cmds: argparse._SubParsersAction) -> None:
    p = cmds.add_parser(
        "export", help="write the sample as Label Studio tasks, or the labels as CSV",
        description="--format labelstudio writes <out>/tasks.json (Label Studio tasks) and "
                    "<out>/labeling_config.xml; --format csv writes the folder's labels as "
                    "id,lang,side,refusal,safe,annotator.")
    p.add_argument("folder", nargs="?", default=DEFAULT_FOLDER)
    p.add_argument("--format", choices=("labelstudio", "csv"), required=True)
    p.add_argument("-o", "--output", required=True, metavar="PATH",
                   help="a folder (labelstudio) or a .csv file (csv)")
    p.add_argument("--pool", choices=("random", "unsure"), default="random",
                   help="which pool's items or labels (default random)")
    p.set_defaults(func=_export)


def _register_import(cmds: argparse._SubParsersAction) -> None:
    p = cmds.add_parser(
        "import", help="add labels from a Label Studio JSON export or a CSV",
        description="Reads a Label Studio JSON export or a CSV (id,lang,side,refusal"
                    "[,safe][,annotator]), checks every row against the sample (unknown ids "
                    "or languages, bad labels and conflicting duplicates are errors naming "
                    "file and line) and appends the labels to labels/<annotator>.jsonl: all "
                    "of them, or none.")
    p.add_argument("file")
    p.add_argument("folder", nargs="?", default=DEFAULT_FOLDER)
    p.add_argument("--annotator", metavar="NAME",
                   help="annotator of rows that name none (CSV default: the file's stem; "
                        "Label Studio default: ls-<user id>)")
    p.set_defaults(func=_import)


def _register_agreement(cmds: argparse._SubParsersAction) -> None:
    p = cmds.add_parser(
        "agreement", help="agreement between annotators on items labelled twice",
        description="Krippendorff's alpha (nominal) over all annotators and Cohen's kappa per "
                    "pair of annotators, on the refusal label (3 classes), the binary refusal "
                    "and the safe label, each with a 95%% bootstrap interval over items "
                    "(fixed seed).")
    p.add_argument("labels", nargs="?", default=DEFAULT_FOLDER,
                   help="an annotation folder or a labels CSV")
    p.add_argument("--resamples", type=int, default=None, metavar="N",
                   help="bootstrap resamples (default 2000)")
    p.add_argument("--seed", type=int, default=None, metavar="S", help="bootstrap seed")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.set_defaults(func=_agreement)


# ------------------------------------------------------------------------------- handlers

def _sides(args: argparse.Namespace) -> dict[str, str]:
    if args.run and (args.before or args.after):
        raise ValueError("give --run, or --before with --after, not both")
    if args.run:
        return {"before": args.run}
    if not (args.before and args.after):
        raise ValueError("give --run DIR, or --before DIR and --after DIR")
    return {"before": args.before, "after": args.after}


def _answers(sides: dict[str, str], judge: str | None) -> list:
    """Every answer of each side's run, with the chosen judge's verdicts."""
    from mseed_multilingual.evaluate.run_folder import load_run
    from mseed_multilingual.judges.judge_id import JudgeId
    from mseed_multilingual.judges.store import scan
    from mseed_multilingual.labels.sample import answers_of_run

    chosen = JudgeId.of(judge)
    out = []
    for side, path in sides.items():
        run = load_run(path)
        found = scan(run.model_dir)
        judges = found.judges()
        name = chosen
        if name is None and len(judges) == 1:
            name = judges[0]
        elif name is None and len(judges) > 1:
            raise ValueError(f"{path}: verdicts of several judges "
                             f"({', '.join(map(str, judges))}): choose one with --judge")
        verdicts = None
        if name is not None:
            verdicts = {(r["task"], int(r["doc_id"])): r for r in found.get(name).rows()}
        out += answers_of_run(run, side, path, verdicts, None if name is None else name.text)
    return out


def _draw(args: argparse.Namespace) -> int:
    from pathlib import Path

    from mseed_multilingual.core.stats import DEFAULT_SEED
    from mseed_multilingual.labels import sample

    sides = _sides(args)
    answers = _answers(sides, args.judge)
    if args.plan:
        return _plan(args, answers, list(sides))
    options = sample.DrawOptions(
        per_cell=args.per_cell, fraction=args.fraction,
        seed=DEFAULT_SEED if args.seed is None else args.seed,
        langs=tuple(args.langs or ()), unsure=args.unsure,
        annotators=tuple(args.annotators or ()), overlap=args.overlap)
    if options.annotators:
        from mseed_multilingual.labels.store import check_annotator

        for name in options.annotators:
            check_annotator(name, "--annotators")
    items, summary = sample.draw(answers, list(sides), options)
    path = sample.write_sample(Path(args.output), items, summary)
    for cell in summary["cells"]:
        print(f"{cell['lang']:<4} {cell['kind']:<8} {cell['drawn']:>5} of "
              f"{cell['population']:>5} prompts per side"
              + (f" (+{cell['unsure']} unsure)" if cell["unsure"] else ""))
    print(f"{len(items)} items to label: {path}; next: mseed annotate serve {args.output}")
    return 0


def _plan(args: argparse.Namespace, answers: list, sides: list[str]) -> int:
    from pathlib import Path

    from mseed_multilingual.labels import sample
    from mseed_multilingual.labels.store import LABELS_DIR, read_labels

    labels = None
    if args.labels:
        labels = read_labels(args.labels)
    elif any((Path(args.output) / LABELS_DIR).glob("*.jsonl")):
        labels = read_labels(args.output)
    half = sample.DEFAULT_HALF_WIDTH if args.half_width is None else args.half_width
    error = sample.DEFAULT_ASSUMED_ERROR if args.assume_error is None else args.assume_error
    rows = sample.plan(answers, sides, labels, half, args.field, error)
    print(sample.plan_text(rows, sides, half))
    return 0


def _serve(args: argparse.Namespace) -> int:
    from mseed_multilingual.annotate_page import start_page

    key = None
    if args.api_key_env:
        key = os.environ.get(args.api_key_env)
        if not key:
            raise ValueError(f"--api-key-env {args.api_key_env}: that variable is not set")
    handle = start_page(args.folder, host=args.host, port=args.port, key=key,
                        hosts=args.allow_host)
    print(f"labelling {args.folder} at {handle.url}#annotator=NAME (Ctrl-C to stop)",
          file=sys.stderr, flush=True)
    try:
        while True:
            time.sleep(3600)
    finally:
        handle.stop()


def _export(args: argparse.Namespace) -> int:
    from mseed_multilingual.labels import interop

    written = interop.export(args.folder, args.format, args.output, pool=args.pool)
    print("wrote " + ", ".join(str(p) for p in written))
    return 0


def _import(args: argparse.Namespace) -> int:
    from mseed_multilingual.labels import interop

    counts = interop.import_labels(args.file, args.folder, annotator=args.annotator)
    for name, n in sorted(counts.items()):
        print(f"{name}: {n} labels")
    return 0


def _agreement(args: argparse.Namespace) -> int:
    from mseed_multilingual.core import stats
    from mseed_multilingual.core.io import json_text
    from mseed_multilingual.labels import agreement
    from mseed_multilingual.labels.store import read_labels

    labels = read_labels(args.labels)
    report = agreement.agreement(
        labels, resamples=stats.DEFAULT_RESAMPLES if args.resamples is None else args.resamples,
        seed=stats.DEFAULT_SEED if args.seed is None else args.seed)
    if args.json:
        sys.stdout.write(json_text(report))
    else:
        print(agreement.report_text(report))
    return 0
