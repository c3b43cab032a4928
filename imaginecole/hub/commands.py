"""`imaginecole up` and `imaginecole hub …`."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ..i18n import _


def add_commands(sub: argparse._SubParsersAction) -> None:
    up = sub.add_parser("up", help=_("Start the whole workshop on this machine."))
    up.add_argument("workshop", nargs="?", type=Path, help=_("workshop.yaml (default: the demo)"))
    up.add_argument(
        "--ip", default="127.0.0.1", help=_("address to listen on; 0.0.0.0 opens it to the LAN")
    )
    up.add_argument("--port", type=int, default=8000, help=_("port of the hub (default 8000)"))
    up.add_argument("--data", type=Path, help=_("folder for the hub database, secrets and homes"))
    up.add_argument(
        "--isolated", action="store_true", help=_("one OS account per participant (root)")
    )
    up.add_argument(
        "--prespawn", action="store_true", help=_("start every participant's server at once")
    )
    up.add_argument(
        "--https",
        choices=("auto", "on", "off"),
        help=_(
            "HTTPS, needed to record with the microphone on the network; auto (default): "
            "on unless the hub listens on 127.0.0.1 only"
        ),
    )
    up.add_argument(
        "--https-name",
        action="append",
        default=[],
        metavar="NAME",
        help=_("another host name or address for the workshop certificate (repeatable)"),
    )
    up.add_argument(
        "--https-cert", type=Path, help=_("your own certificate (PEM) instead of the workshop's")
    )
    up.add_argument("--https-key", type=Path, help=_("the private key (PEM) of --https-cert"))
    up.add_argument(
        "--redirect-port",
        type=int,
        default=0,
        help=_("with HTTPS, a port where plain http:// is sent on to https:// (e.g. 80)"),
    )
    up.set_defaults(func=run_up)

    hub = sub.add_parser("hub", help=_("Workshop file tools."))
    hub_sub = hub.add_subparsers(dest="hub_command", required=True)
    validate = hub_sub.add_parser("validate", help=_("Check a workshop file and its roster."))
    validate.add_argument("workshop", type=Path)
    validate.set_defaults(func=run_validate)
    helm = hub_sub.add_parser(
        "helm-values", help=_("Write Zero to JupyterHub values for a workshop.")
    )
    helm.add_argument("workshop", type=Path)
    helm.add_argument("-o", "--output", type=Path, help=_("file to write (default: print)"))
    helm.set_defaults(func=run_helm_values)
    pre = hub_sub.add_parser(
        "prespawn", help=_("Start every participant's server of a running workshop.")
    )
    pre.add_argument("workshop", nargs="?", type=Path, help=_("workshop.yaml (default: the demo)"))
    pre.add_argument("--port", type=int, default=8000, help=_("port of the hub (default 8000)"))
    pre.add_argument("--data", type=Path, help=_("folder for the hub database, secrets and homes"))
    pre.set_defaults(func=run_prespawn)


def run_up(args: argparse.Namespace) -> int:
    from .up import up

    return up(
        args.workshop,
        data_dir=args.data,
        ip=args.ip,
        port=args.port,
        isolated=args.isolated,
        prespawn=args.prespawn,
        https=args.https,
        https_names=args.https_name,
        https_cert=args.https_cert,
        https_key=args.https_key,
        redirect_port=args.redirect_port,
    )


def run_validate(args: argparse.Namespace) -> int:
    from ..workshop import load_workshop

    workshop = load_workshop(args.workshop)
    for change in workshop.roster_changes:
        print(change)
    print(
        _("{file}: valid, {n} participant(s), {t} trainer(s).").format(
            file=args.workshop, n=len(workshop.participants), t=len(workshop.trainer_names)
        )
    )
    return 0


def run_helm_values(args: argparse.Namespace) -> int:
    from ..workshop import load_workshop
    from .helm import write_helm_values

    text = write_helm_values(load_workshop(args.workshop), args.output)
    if args.output is None:
        sys.stdout.write(text)
    return 0


def run_prespawn(args: argparse.Namespace) -> int:
    from ..workshop import load_workshop
    from . import up as up_module

    workshop = load_workshop(args.workshop or up_module.default_workshop())
    data = args.data or up_module.default_data_dir(workshop)
    results = up_module.run_prespawn(
        up_module.supervisor_api(data, args.port), workshop, workshop.language
    )
    return 1 if any(isinstance(v, str) for v in results.values()) else 0
