"""``mseed languages``: the languages the suite knows and what model families declare."""

from __future__ import annotations

import argparse
import json
from dataclasses import asdict


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser(
        "languages", help="list known languages and model families' languages",
        description="Prints the languages the suite knows (code, names, script, resource tier) "
                    "and, with --model, the languages a model family's card declares. Reads "
                    "the package's languages.json; writes nothing.")
    parser.add_argument("--model", metavar="FAMILY",
                        help="a model family (llama3, qwen2.5, qwen3, gemma2, gemma3, mistral, "
                             "aya-expanse, glm4, smollm2)")
    parser.add_argument("--json", action="store_true", help="print JSON")
    parser.set_defaults(func=_run)


def _run(args: argparse.Namespace) -> int:
    from mseed_multilingual.core.languages import families, languages, resolve

    known = languages()
    codes = resolve(family=args.model) if args.model else list(known)
    rows = [asdict(known[c]) for c in codes]
    if args.json:
        out: dict = {"languages": rows}
        if args.model:
            fam = families()[args.model]
            out["family"] = {"name": fam.name, "models": fam.models, "source": fam.source}
        else:
            out["families"] = {f.name: list(f.languages) for f in families().values()}
        print(json.dumps(out, ensure_ascii=False, indent=2))
        return 0
    if args.model:
        fam = families()[args.model]
        print(f"{fam.models}: {len(codes)} languages (source: {fam.source})")
    print(f"{'code':<5} {'name':<12} {'native':<18} {'script':<6} {'tier':<5} sample")
    for r in rows:
        print(f"{r['code']:<5} {r['name']:<12} {r['native']:<18} {r['script']:<6} "
              f"{r['tier']:<5} {'yes' if r['sample'] else ''}")
    if not args.model:
        print("\nmodel families (--model):")
        for f in families().values():
            print(f"  {f.name:<12} {','.join(f.languages)}")
    return 0
