"""Commands for exchange: partners, release, serve, sync, policy explain/check."""

from __future__ import annotations

from pathlib import Path

import click

from liaison.cli._common import (
    EXIT_NOT_FOUND,
    EXIT_REFUSED,
    EXIT_USAGE,
    fail,
    node_option,
    opened,
    require_record,
)
from liaison.crypto import PublicKey
from liaison.exchange import (
    DEFAULT_MAX_BODY,
    HttpLimits,
    PartnerError,
    TlsFiles,
    issue_token,
    list_partners,
)
from liaison.node import CONFIG_NAME, read_config
from liaison.policy import PolicyError, check
from liaison.release import (
    REGISTRY_KEYS,
    ReleaseReport,
    explain_release,
    materialise_releases,
    withheld,
)


def _release_summary(report: ReleaseReport) -> str:
    per = ", ".join(f"{n} {c}" for n, c in sorted(report.released.items())) or "nothing new"
    extra = []
    if report.revoked:
        extra.append(f"{report.revoked} revocation(s)")
    if report.delayed:
        extra.append(f"{report.delayed} delayed")
    if report.withdrawn:
        extra.append(f"{report.withdrawn} withdrawn")
    if report.rerendered:
        extra.append(f"{report.rerendered} re-rendered")
    if report.policy_changed:
        extra.append("policy changed: every served version decided again")
    return f"released: {per}" + (f" ({'; '.join(extra)})" if extra else "")


@click.group()
def partner() -> None:
    """Partner nodes: pinned keys, URLs, tokens."""


@partner.command("add")
@click.argument("name")
@click.option("--url", required=True, help="The partner's TAXII API root (or collection) URL.")
@click.option("--public-key", "key_file", type=click.Path(dir_okay=False, path_type=Path),
              help="File holding the partner's public key ('liaison key show' there).")  # fmt: skip
@click.option("--unsigned", is_flag=True, help="A partner without signatures (stored unverified).")
@click.option("--credential-file", type=click.Path(dir_okay=False, path_type=Path),
              help="The token (or USER:PASSWORD) the partner issued to this node.")  # fmt: skip
@click.option("--ca-file", type=click.Path(dir_okay=False, path_type=Path),
              help="CA certificate (PEM) that signs the partner's server certificate.")  # fmt: skip
@click.option("--client-cert", type=click.Path(dir_okay=False, path_type=Path),
              help="This node's client certificate for the partner (mutual TLS).")  # fmt: skip
@click.option("--client-key", type=click.Path(dir_okay=False, path_type=Path),
              help="The key of that client certificate.")  # fmt: skip
@node_option
def partner_add(
    name: str,
    url: str,
    key_file: Path | None,
    unsigned: bool,
    credential_file: Path | None,
    ca_file: Path | None,
    client_cert: Path | None,
    client_key: Path | None,
    node_dir: Path,
) -> None:
    """Register partner NAME and pin its public key."""
    key = None
    if key_file is not None:
        try:
            key = key_file.read_text(encoding="utf-8").strip()
        except OSError as exc:
            fail(f"--public-key: {exc}", EXIT_USAGE)
    from liaison.workflows import PartnerTls, connect_partner

    credential = None
    if credential_file is not None:
        try:
            credential = credential_file.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            fail(f"--credential-file {credential_file}: {exc}", EXIT_USAGE)
    tls = PartnerTls(ca_file, client_cert, client_key)
    with opened(node_dir) as node:
        try:
            done = connect_partner(
                node, name, url, public_key=key, unsigned=unsigned, credential=credential, tls=tls
            )
        except PartnerError as exc:
            fail(str(exc), EXIT_USAGE)
        row = done.row
        key_id = PublicKey.from_b64(row.public_key).key_id if row.public_key else "none"
        click.echo(f"partner {name}: {row.url} (key {key_id}{', unsigned' if unsigned else ''})")
        click.echo(f"collection for {name} on this node: {row.collection_id}")
        click.echo(_release_summary(done.release))


@partner.command("token")
@click.argument("name")
@node_option
def partner_token(name: str, node_dir: Path) -> None:
    """Issue a new bearer token for NAME (printed once; only its hash is kept)."""
    with opened(node_dir) as node:
        try:
            click.echo(issue_token(node, name))
        except PartnerError as exc:
            fail(str(exc), EXIT_NOT_FOUND)


@partner.command("list")
@node_option
def partner_list(node_dir: Path) -> None:
    """List partners, their keys and what is released to and pulled from each."""
    with opened(node_dir) as node:
        for p in list_partners(node):
            key_id = PublicKey.from_b64(p.public_key).key_id if p.public_key else "unsigned"
            cur = node.store.exchange.cursor(p.name)
            pulled = 0 if cur is None else cur.objects
            click.echo(
                f"{p.name}\t{p.url}\tkey {key_id}\tparty {p.party_id or '?'}\t"
                f"token {'set' if p.token_hash else 'none'}\t"
                f"released {node.store.exchange.release_count(p.name)}\tpulled {pulled}"
            )


@click.command("release")
@node_option
def release(node_dir: Path) -> None:
    """Bring every partner's release table up to date (new records, due delays, policy)."""
    with opened(node_dir) as node:
        try:
            click.echo(_release_summary(materialise_releases(node)))
        except PolicyError as exc:
            fail(str(exc), EXIT_REFUSED)


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=click.IntRange(0, 65535))
@click.option("--certfile", type=click.Path(dir_okay=False), help="TLS certificate (PEM).")
@click.option("--keyfile", type=click.Path(dir_okay=False), help="TLS private key (PEM).")
@click.option("--client-ca", type=click.Path(dir_okay=False),
              help="Require client certificates signed by this CA (mutual TLS).")  # fmt: skip
@click.option("--max-body-bytes", default=DEFAULT_MAX_BODY, show_default=True, type=int)
@click.option("--release-interval", default=60.0, show_default=True, type=float,
              help="Seconds between release runs (new records, delays that ended).")  # fmt: skip
@click.option("--header-timeout", default=10.0, show_default=True, type=click.FloatRange(min=0.1),
              help="Seconds a client has to send a request's head (then 408).")  # fmt: skip
@click.option("--body-timeout", default=30.0, show_default=True, type=click.FloatRange(min=0.1),
              help="Seconds a client has to send a request's body.")  # fmt: skip
@click.option("--max-connections", default=100, show_default=True, type=click.IntRange(1),
              help="Open connections at most; more are refused at once (503).")  # fmt: skip
@node_option
def serve(
    host: str,
    port: int,
    certfile: str | None,
    keyfile: str | None,
    client_ca: str | None,
    max_body_bytes: int,
    release_interval: float,
    header_timeout: float,
    body_timeout: float,
    max_connections: int,
    node_dir: Path,
) -> None:
    """Serve this node's release tables over TAXII 2.1."""
    from liaison.workflows import serve_node

    if (certfile is None) != (keyfile is None):
        fail("--certfile and --keyfile go together", EXIT_USAGE)
    if client_ca is not None and certfile is None:
        fail("--client-ca needs --certfile and --keyfile", EXIT_USAGE)
    tls = TlsFiles(certfile, keyfile, client_ca) if certfile and keyfile else None
    with opened(node_dir):
        pass  # a clean error now if the directory is not a node
    scheme = "https" if tls else "http"
    click.echo(f"serving TAXII 2.1 on {scheme}://{host}:{port}/taxii2/", err=True)
    serve_node(
        node_dir,
        host=host,
        port=port,
        tls=tls,
        max_body_bytes=max_body_bytes,
        release_interval_s=release_interval,
        limits=HttpLimits(
            header_timeout_s=header_timeout,
            body_timeout_s=body_timeout,
            max_connections=max_connections,
        ),
        on_release=lambda r: click.echo(_release_summary(r)),
        on_error=lambda exc: click.echo(f"release: {exc}", err=True),
    )


@click.command("sync")
@click.argument("partner_name", required=False)
@click.option("--watch", "watching", is_flag=True, help="Keep syncing.")
@click.option("--interval", default=30.0, show_default=True, type=float)
@click.option(
    "--commit-objects",
    type=click.IntRange(1),
    default=None,
    help="Objects per transaction at most (default 20,000): smaller commits "
    "make progress visible sooner, larger ones sync faster.",
)
@node_option
def sync(
    partner_name: str | None,
    watching: bool,
    interval: float,
    commit_objects: int | None,
    node_dir: Path,
) -> None:
    """Pull, verify and store what partners released to this node."""
    from liaison.workflows import sync_and_release, watch_and_release

    names = [partner_name] if partner_name else None
    with opened(node_dir) as node:
        try:
            if watching:
                watch_and_release(
                    node,
                    names,
                    interval_s=interval,
                    report=lambda r: click.echo(str(r)),
                    commit_objects=commit_objects,
                )
                return
            done = sync_and_release(node, names, commit_objects=commit_objects)
        except PartnerError as exc:
            fail(str(exc), EXIT_NOT_FOUND)
        for r in done.reports:
            click.echo(str(r))
        click.echo(_release_summary(done.release))
    if not done.ok:
        raise SystemExit(EXIT_REFUSED)


@click.group()
def policy() -> None:
    """Release policies ([partners.NAME] in liaison.toml)."""


@policy.command("check")
@node_option
def policy_check(node_dir: Path) -> None:
    """Validate the release policies of the node's configuration."""
    with opened(node_dir) as node:
        raw = read_config(node.root).raw
        known = {p.name for p in list_partners(node)}
    problems = check(raw, source=str(node_dir / CONFIG_NAME), extra_partner_keys=REGISTRY_KEYS)
    for problem in problems:
        click.echo(f"error: {problem}", err=True)
    if problems:
        raise SystemExit(EXIT_REFUSED)
    configured = sorted(raw.get("partners", {}))
    for name in configured:
        if name not in known:
            click.echo(f"warning: partners.{name} has rules but is not a registered partner")
    click.echo(f"policies valid: {len(configured)} partner(s)")


@policy.command("explain")
@click.argument("record_id")
@click.option("--to", "to", required=True, help="The partner.")
@node_option
def policy_explain(record_id: str, to: str, node_dir: Path) -> None:
    """Say which rule releases RECORD_ID to a partner (and the object as released), or why none."""
    with opened(node_dir) as node:
        version = require_record(node, record_id)
        try:
            result = explain_release(node, version, to)
        except PolicyError as exc:
            fail(str(exc), EXIT_REFUSED)
    click.echo(str(result.explanation))
    if result.served is not None:
        row = result.served
        click.echo(f"in {to}'s release table: version {row.modified} (row {row.pseq})")
    else:
        click.echo(f"version {version.index.modified} is not in {to}'s release table")


@policy.command("withheld")
@click.option("--to", "to", required=True, help="The partner.")
@node_option
def policy_withheld(to: str, node_dir: Path) -> None:
    """Count what this node does not release to a partner, by kind and reason."""
    with opened(node_dir) as node:
        try:
            lines = withheld(node, to)
        except PolicyError as exc:
            fail(str(exc), EXIT_REFUSED)
    for line in lines:
        click.echo(f"{line.count:>9,}  {line.kind:<16} {line.reason}")
    click.echo(f"{sum(line.count for line in lines):,} record(s) withheld from {to}")


COMMANDS = (partner, release, serve, sync, policy)
