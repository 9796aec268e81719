"""Sync: pull each partner's collection, verify, store with provenance.

Each page is written in one transaction together with the cursor that follows
it, so a crash or network fault loses nothing and duplicates nothing: the next
run resumes from the last committed page (storing a version twice is a no-op).
"""

from __future__ import annotations

import dataclasses
import logging
import multiprocessing
import os
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import orjson

from liaison.audit import journal, witness
from liaison.crypto import RootCache
from liaison.exchange._client import Page, TaxiiClient, TaxiiClientError
from liaison.exchange._partners import PartnerError, load_credential, load_tls
from liaison.exchange._verify import Opened, Refused, Verdicts, check_page, open_page
from liaison.ingest import CheckedBatch, ingest_checked
from liaison.ingest._check import _die_with_parent
from liaison.store import Query, Store
from liaison.store.exchange import Cursor, PartnerRow

if TYPE_CHECKING:
    from liaison.node import Node

log = logging.getLogger("liaison.sync")

PAGE = 1000
#: Pages are committed together up to about this many objects…
COMMIT_OBJECTS = 20000
#: …or once this many seconds have passed since the transaction began.
COMMIT_SECONDS = 5.0
#: A sync whose first page has at least this many objects and says there is more
#: opens the pages that follow in a worker process.
WORKER_MIN_PAGE = 500
_MAX_REFUSALS_AUDITED = 100


@dataclass
class SyncReport:
    """What one sync of one partner did."""

    partner: str
    pages: int = 0
    accepted: int = 0
    unchanged: int = 0
    refused: int = 0
    not_entitled: int = 0  # of the refused: the partner may not assert them
    error: str | None = None

    def __str__(self) -> str:
        why = f", {self.not_entitled} not entitled" if self.not_entitled else ""
        text = (
            f"{self.partner}: {self.accepted} accepted, {self.unchanged} unchanged, "
            f"{self.refused} refused{why} ({self.pages} page(s))"
        )
        return text + (f"; stopped: {self.error}" if self.error else "")


def received_label(partner: PartnerRow) -> str:
    """What ``received_from`` says for objects from this partner."""
    return partner.name if not partner.unsigned else f"{partner.name} (unverified)"


def collection_url(client: TaxiiClient, partner: PartnerRow) -> str:
    """The partner's collection for this node: given in its URL, or its only one."""
    if "/collections/" in partner.url:
        return partner.url
    found = [c for c in client.collections() if c.get("can_read", True)]
    if len(found) != 1:
        raise TaxiiClientError(
            f"{partner.name} offers {len(found)} readable collections; give the collection "
            "URL (…/collections/ID/) as the partner's --url"
        )
    return f"{client.api_root}collections/{found[0]['id']}/"


def sync_partner(
    node: Node,
    name: str,
    *,
    limit: int = PAGE,
    on_page: Callable[[SyncReport], None] | None = None,
    client: TaxiiClient | None = None,
    commit_objects: int = COMMIT_OBJECTS,
) -> SyncReport:
    """Pull everything new from one partner (until its collection has no more).

    Pages are stored in transactions of about ``commit_objects`` objects (at most
    ``COMMIT_SECONDS`` apart), each with the cursor after its last page; while one
    page is checked and stored, the next is already being fetched. ``on_page`` is
    called for each page once it has committed, with the report as of that page.
    """
    partner = node.store.exchange.partner(name)
    if partner is None:
        raise PartnerError(f"no partner {name!r} in this node")
    report = SyncReport(name)
    own = client is None
    if client is None:
        verify, cert = load_tls(node, name)
        client = TaxiiClient(partner.url, load_credential(node, name), verify=verify, cert=cert)
    cache = RootCache()
    progress = _Progress(name)
    pager: _Pager | None = None
    try:
        pager = _Pager(client, collection_url(client, partner), limit, partner.public_key)
        more = True
        while more:
            # Waiting for the network happens outside a transaction: the store's
            # write lock is only held while pages that have arrived are stored.
            cur = node.store.exchange.cursor(name) or Cursor(None, None, 0)
            page, opening = pager.page(cur)
            progress.check(page)
            if page.more and len(page.objects) >= WORKER_MIN_PAGE:
                pager.use_worker()
            done: list[SyncReport] = []
            stop: TaxiiClientError | None = None
            started, objects = time.monotonic(), 0
            with node.store.transaction():  # several pages, one commit
                while True:
                    if page.more:
                        pager.prefetch(_following(page, cur))
                    partner = node.store.exchange.partner(name) or partner
                    _store_page(node, partner, page, cur, cache, report, _opened(opening))
                    report.pages += 1
                    done.append(dataclasses.replace(report))
                    objects += len(page.objects)
                    more = page.more
                    if not more or objects >= commit_objects:
                        break
                    cur = node.store.exchange.cursor(name) or cur
                    if not pager.ready(cur) or time.monotonic() - started >= COMMIT_SECONDS:
                        break
                    try:
                        page, opening = pager.page(cur)
                        progress.check(page)
                    except TaxiiClientError as exc:  # the pages before it are kept
                        stop = exc
                        break
            if on_page is not None:
                for snapshot in done:
                    on_page(snapshot)
            if stop is not None:
                raise stop
        return report
    except TaxiiClientError as exc:
        report.error = _short(str(exc), 1000)
        with node.store.transaction() as tx:
            journal.append(node.store, tx, node.key,
                           [("sync-error", name, {"error": report.error})], node.now())  # fmt: skip
        log.warning("sync from %s stopped: %s", name, report.error)
        return report
    finally:
        if pager is not None:
            pager.close()
        if own:
            client.close()


class _Pager:
    """Fetches pages, the next one in a background thread while the caller stores
    the one before (the HTTP wait and the server's work overlap the checking).
    Once `use_worker` is called, each page fetched is also opened (verified,
    parsed, indexed: `open_page`) in a worker process, on the other core."""

    def __init__(self, client: TaxiiClient, url: str, limit: int, key_b64: str | None) -> None:
        self._client, self._url, self._limit, self._key = client, url, limit, key_b64
        self._ahead: tuple[Cursor, Future[_Fetched]] | None = None
        self._pool: ProcessPoolExecutor | None = None

    def use_worker(self) -> None:
        """Open the pages fetched from now on in a worker process (signed partners)."""
        if self._pool is not None or self._key is None:
            return
        pool = ProcessPoolExecutor(
            1,
            mp_context=multiprocessing.get_context("spawn"),
            initializer=_die_with_parent,
            initargs=(os.getpid(),),
        )
        try:
            # Started from this thread, which outlives the sync (the worker dies with
            # the thread that started it), not from the prefetch thread.
            pool.submit(int)
        except (OSError, RuntimeError) as exc:
            log.warning("no sync worker (%s); checking in this process", exc)
            pool.shutdown(wait=False)
            return
        self._pool = pool

    def page(self, cur: Cursor) -> _Fetched:
        """The page after ``cur`` (and its opening, if a worker has it): the one
        fetched ahead if it was for ``cur``."""
        ahead, self._ahead = self._ahead, None
        if ahead is not None and ahead[0] == cur:
            return ahead[1].result()
        return self._fetch(cur)

    def ready(self, cur: Cursor) -> bool:
        """Whether the page after ``cur`` has arrived (or failed) already."""
        return self._ahead is not None and self._ahead[0] == cur and self._ahead[1].done()

    def prefetch(self, cur: Cursor) -> None:
        """Start fetching the page after ``cur`` (a daemon thread: a partner that
        trickles its answer never holds up the end of this process)."""
        future: Future[_Fetched] = Future()

        def run() -> None:
            try:
                future.set_result(self._fetch(cur))
            except BaseException as exc:  # reaches the caller through the future
                future.set_exception(exc)

        threading.Thread(target=run, name="liaison-sync-prefetch", daemon=True).start()
        self._ahead = (cur, future)

    def _fetch(self, cur: Cursor) -> _Fetched:
        page = _fetch(self._client, self._url, cur, self._limit)
        pool, key = self._pool, self._key
        if pool is None or key is None or not page.raw or not page.objects:
            return page, None
        try:
            return page, pool.submit(open_page, page.raw, key)
        except RuntimeError:  # the pool was shut down or broke: open it here
            return page, None

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=False, cancel_futures=True)


_Fetched = tuple[Page, "Future[list[Opened]] | None"]


def _opened(future: Future[list[Opened]] | None) -> list[Opened] | None:
    """The worker's opening of a page; None (the page is opened here) if it failed."""
    if future is None:
        return None
    try:
        return future.result()
    except Exception as exc:  # a worker that died or failed: this process does the work
        log.warning("sync worker failed (%s: %s); checking in this process",
                    type(exc).__name__, exc)  # fmt: skip
        return None


_MAX_STALLS = 2  # pages in a row that say "more" yet repeat the page before


@dataclass
class _Progress:
    """Guards a sync run against a partner that says "more" for ever without progress."""

    name: str
    before: tuple[str, ...] = ()
    stalls: int = 0

    def check(self, page: Page) -> None:
        ids = tuple(str(o.get("id")) if isinstance(o, dict) else "" for o in page.objects)
        if page.more and not ids:
            raise TaxiiClientError(f"{self.name} says there is more but sent an empty page")
        self.stalls = self.stalls + 1 if page.more and ids == self.before else 0
        if self.stalls > _MAX_STALLS:  # one repeat is normal after a refused `next`
            raise TaxiiClientError(f"{self.name} keeps serving the same page; sync stopped")
        self.before = ids


def _short(text: str, limit: int = 300) -> str:
    """``text`` cut to ``limit`` characters (what a partner sends lands in the audit)."""
    return text if len(text) <= limit else text[:limit] + f"… ({len(text)} characters)"


def _fetch(client: TaxiiClient, url: str, cur: Cursor, limit: int) -> Page:
    try:
        return client.objects(
            url, added_after=cur.added_after, next_token=cur.next_token, limit=limit
        )
    except TaxiiClientError as exc:
        if cur.next_token is None or exc.status not in (400, 404, 410):
            raise
        log.info("next token refused (%s); resuming from added_after", exc)
        return client.objects(url, added_after=cur.added_after, limit=limit)


def _store_page(
    node: Node,
    partner: PartnerRow,
    page: Page,
    cur: Cursor,
    cache: RootCache,
    report: SyncReport,
    opened: list[Opened] | None = None,
) -> None:
    store = node.store
    ids = [str(o.get("id")) for o in page.objects if isinstance(o, dict)]
    digests, latest = store.stored_versions_of(ids)
    others = {p.party_id: p.name for p in store.exchange.partners()
              if p.party_id is not None and p.name != partner.name}  # fmt: skip
    verdicts = check_page(
        partner,
        page.objects,
        latest=latest,
        stored=digests,
        cache=cache,
        received=node.now(),
        own_party=node.party_id,
        creators=creators_of(store, list(latest)),
        other_partners=others,
        opened=opened,
    )
    following = _following(page, cur)
    with store.transaction() as tx:
        if verdicts.party_id is not None and verdicts.party_id != partner.party_id:
            store.exchange.set_party_id(partner.name, verdicts.party_id)
        accepted = unchanged = 0
        if verdicts.accepted:
            batch = CheckedBatch(len(verdicts.accepted), verdicts.accepted, [])
            ingested = ingest_checked(
                node,
                iter([batch]),
                source=f"sync {partner.name}",
                skip_invalid=True,
                received_from=received_label(partner),
            )
            accepted, unchanged = ingested.accepted, ingested.unchanged
            for message in ingested.errors:
                verdicts.refused.append(Refused("", "", message))
        store.exchange.add_receipts(verdicts.receipts)
        store.exchange.set_cursor(partner.name, following, node.now())
        kept = witness.observe(store, tx, partner.name, partner.public_key, page.audit_head,
                               node.now())  # fmt: skip
        journal.append(store, tx, node.key, kept + _audit_items(partner, page, verdicts,
                        accepted, unchanged, following), node.now())  # fmt: skip
    report.accepted += accepted
    report.unchanged += unchanged
    report.refused += len(verdicts.refused)
    report.not_entitled += sum(1 for r in verdicts.refused if r.entitlement)


def creators_of(store: Store, ids: list[str]) -> dict[str, frozenset[str]]:
    """The ``created_by_ref`` of every stored version of each id held (``""`` if none)."""
    found: dict[str, set[str]] = {}
    if ids:
        for v in store.query(Query(ids=tuple(ids), latest_only=False)):
            creator = orjson.loads(v.body).get("created_by_ref")
            found.setdefault(v.index.id, set()).add(str(creator or ""))
    return {i: frozenset(c) for i, c in found.items()}


def _following(page: Page, cur: Cursor) -> Cursor:
    """The cursor after this page: its ``next`` token while there is more, else the
    last date added (a liaison node gives every later batch a later date)."""
    count = cur.objects + len(page.objects)
    if page.more and page.next:
        return Cursor(page.next, cur.added_after, count)
    last = page.date_added_last or cur.added_after
    if cur.added_after and last and last < cur.added_after:
        last = cur.added_after
    return Cursor(None, last, count)


def _audit_items(
    partner: PartnerRow,
    page: Page,
    v: Verdicts,
    accepted: int,
    unchanged: int,
    following: Cursor,
) -> list[tuple[str, str, dict[str, Any]]]:
    items: list[tuple[str, str, dict[str, Any]]] = []
    for r in v.refused[:_MAX_REFUSALS_AUDITED]:
        log.warning("refused from %s: %s %s: %s", partner.name, _short(r.id), _short(r.modified),
                    _short(r.reason))  # fmt: skip
        one = {"id": _short(r.id), "modified": _short(r.modified), "reason": _short(r.reason)}
        items.append(("refuse", partner.name, one | ({"field": r.field} if r.field else {})))
    if len(v.refused) > _MAX_REFUSALS_AUDITED:  # a flood is summed up, not listed
        rest = v.refused[_MAX_REFUSALS_AUDITED:]
        why = (
            f"{len(rest)} more objects of this page refused (not listed one by one); "
            f"{sum(1 for r in rest if r.entitlement)} of them not entitled"
        )
        summary = {"id": "", "modified": "", "count": len(rest), "reason": why}
        items.append(("refuse", partner.name, summary))
    detail: dict[str, Any] = {
        "objects": len(page.objects),
        "accepted": accepted,
        "unchanged": unchanged,
        "refused": len(v.refused),
        "verified": not partner.unsigned,
        "cursor": {"next": following.next_token, "added_after": following.added_after},
    }
    items.append(("sync", partner.name, detail))
    return items


def sync_all(
    node: Node,
    names: list[str] | None = None,
    *,
    limit: int = PAGE,
    commit_objects: int = COMMIT_OBJECTS,
) -> list[SyncReport]:
    """Sync every partner (or the named ones), one after the other."""
    targets = names or [p.name for p in node.store.exchange.partners()]
    return [sync_partner(node, n, limit=limit, commit_objects=commit_objects) for n in targets]


def watch(
    node: Node,
    names: list[str] | None,
    *,
    interval_s: float,
    rounds: int | None = None,
    report: Callable[[SyncReport], None] | None = None,
    after_round: Callable[[], None] | None = None,
    commit_objects: int = COMMIT_OBJECTS,
) -> None:
    """Sync repeatedly, every ``interval_s`` seconds (``rounds`` times, or forever)."""
    done = 0
    while rounds is None or done < rounds:
        for r in sync_all(node, names, commit_objects=commit_objects):
            if report is not None:
                report(r)
        if after_round is not None:
            after_round()
        done += 1
        if rounds is None or done < rounds:
            time.sleep(interval_s)
