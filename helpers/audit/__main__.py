"""``python -m helpers.audit PAPER_FOLDER --out verdicts.csv``: audit one paper folder from the shell.

Prints one line per verdict class; a folder that cannot be audited gives one line naming the file
and the field (exit status 2). The folder format is described in :mod:`helpers.audit.spec`.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from helpers.audit.runner import run_audit, verdict_lines, write_verdicts
from helpers.audit.spec import SpecError, load_spec


def main(argv: Sequence[str] | None = None) -> int:
    """Run the audit on a folder; return the exit status (0 done, 2 bad spec)."""
    parser = argparse.ArgumentParser(prog="python -m helpers.audit", description=__doc__.splitlines()[0])
    parser.add_argument(
        "folder", help="paper folder with summary.csv, coefficients.csv, spec.yml (quotes.csv)"
    )
    parser.add_argument("--out", help="write the verdicts to this CSV file")
    parser.add_argument(
        "--no-rounding",
        action="store_true",
        help="take printed numbers at face value (no benefit of rounding)",
    )
    parser.add_argument("--clusters", type=int, help="G for the t(G-1) reference, overriding spec.yml")
    args = parser.parse_args(argv)
    try:
        spec = load_spec(args.folder)
    except SpecError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    audit = run_audit(spec, allow_rounding=not args.no_rounding, clusters=args.clusters)
    if args.out:
        write_verdicts(audit, args.out)
    print("\n".join(verdict_lines(audit)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
