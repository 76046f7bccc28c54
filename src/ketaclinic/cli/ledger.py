"""``ketaclinic ledger``: verify the controlled-substance ledger; balances; DEA deadlines.

``verify`` and ``balances`` read the database (Django is set up only when they run);
``deadlines`` is pure arithmetic on the clinical core and needs no database.
"""

from __future__ import annotations

import argparse
import datetime as dt

from ketaclinic.clinical.exceptions import InvalidValue

__all__ = ["register"]


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date (YYYY-MM-DD)") from None


def register(subcommands: argparse._SubParsersAction) -> None:
    ledger = subcommands.add_parser("ledger", help="the controlled-substance ledger")
    actions = ledger.add_subparsers(dest="ledger_command", required=True, metavar="ACTION")

    verify = actions.add_parser("verify", help="check every site's hash chain and balance")
    verify.add_argument("--json", action="store_true")
    verify.add_argument(
        "--since-checkpoint",
        action="store_true",
        help="only the entries since the last clean run (nightly); the full run is the default",
    )
    verify.set_defaults(handler=_verify)

    balances = actions.add_parser("balances", help="stock on hand by site and product")
    balances.add_argument("--site", default="", help="a site's slug (default: all sites)")
    balances.add_argument("--json", action="store_true")
    balances.set_defaults(handler=_balances)

    deadlines = actions.add_parser(
        "deadlines", help="DEA deadlines after discovering a theft or loss (no database)"
    )
    deadlines.add_argument("--discovered", type=_date, required=True, help="YYYY-MM-DD")
    deadlines.add_argument(
        "--holiday", type=_date, action="append", default=[], help="a closed day (repeatable)"
    )
    deadlines.add_argument("--json", action="store_true")
    deadlines.set_defaults(handler=_deadlines)


def _verify(args: argparse.Namespace) -> int:
    from ketaclinic.cli.database import _setup_django

    _setup_django()
    from ketaclinic.apps.ledger.verification import verify_ledger, verify_ledger_since_checkpoint
    from ketaclinic.cli.output import print_json

    report = verify_ledger_since_checkpoint() if args.since_checkpoint else verify_ledger()
    if args.json:
        print_json(report.as_dict())
    else:
        print(report.summary())
    return 0 if report.ok else 1


def _balances(args: argparse.Namespace) -> int:
    from ketaclinic.cli.database import _setup_django

    _setup_django()
    from ketaclinic.apps.accounts.models import Site
    from ketaclinic.apps.ledger.balances import stock_by_product
    from ketaclinic.cli.output import print_json, print_table

    sites = Site.objects.order_by("name")
    if args.site:
        sites = sites.filter(slug=args.site)
        if not sites:
            raise InvalidValue("--site", f"no site with slug {args.site!r}")
    rows = [
        {
            "site": site.slug,
            "product": line.product.name,
            "ndc": line.product.ndc,
            "containers": line.containers,
            "on_hand": line.on_hand,
            "on_hand_text": line.on_hand_text,
            "on_hand_mg": line.on_hand_mg.normalize(),
        }
        for site in sites
        for line in stock_by_product(site.pk)
    ]
    if args.json:
        print_json(rows)
    else:
        print_table(
            ["site", "product", "NDC", "containers", "on hand", "mg"],
            [
                [
                    r["site"],
                    r["product"],
                    r["ndc"],
                    r["containers"],
                    r["on_hand_text"],
                    f"{r['on_hand_mg']:f}",
                ]
                for r in rows
            ],
        )
    return 0


def _deadlines(args: argparse.Namespace) -> int:
    from ketaclinic.cli.output import print_json, print_table
    from ketaclinic.clinical.controlled_substances import loss_report_deadlines

    deadlines = loss_report_deadlines(args.discovered, holidays=args.holiday)
    if args.json:
        print_json(deadlines)
    else:
        print_table(
            ["step", "due by"],
            [
                [
                    "written notice to the DEA Field Division Office",
                    deadlines.notify_field_office_by,
                ],
                ["DEA Form 106 submitted", deadlines.form_106_by],
            ],
        )
    return 0
