"""The parse worker: pages are parsed in a second process, beside the crawl.

Scrapy runs a crawl in one thread, and the parse and the near-duplicate sketch hold the GIL
for most of their ~2 ms a page (threads gained nothing when measured): in the crawl's own
process they halve what a fast site can deliver (benchmarks/bench_crawl.py). So
`ArticlePipeline` hands each page to one child process (`python -m crawler.pipelines.parse_worker`)
over a pipe and awaits the outcome while the crawl goes on fetching; a second core then does
the parsing. Both ends run the same `outcome()`, which is also what the crawl runs in process
when the worker is switched off (PARSE_WORKER_ENABLED = False) or has given up.

The worker answers in the order it was asked. If it dies (a crash in lxml, the OOM killer, a
stray kill), a new one is started and the unanswered pages are sent again; a page the worker
died on twice is dropped, counted as `parse_error` (its raw record is kept). After MAX_RESTARTS
restarts in one crawl, or an answer that cannot be read, the rest is parsed in process, except a
page a worker died on (it could crash or hang the crawl itself). A worker that cannot start
blames no page. A worker that leaves pages waiting PARSE_WORKER_TIMEOUT seconds is killed, so a
page that sends the parser into an endless loop costs that page, not the crawl. Before that,
each page's parse has its own time limit (PARSE_PAGE_TIMEOUT, `crawler.pipelines.time_limit`): a page
past it is dropped as `parse_timeout` and the worker goes on with the next. A crawl that is
stopped (SIGTERM, Ctrl-C) does not wait for the pages still in the worker: they are left
unparsed (`ABANDONED`), not staged and not seen, so the next crawl fetches them again.
"""

from __future__ import annotations

import asyncio
import contextlib
import ctypes
import logging
import os
import pickle
import signal
import struct
import sys
import traceback
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field, fields
from operator import attrgetter
from typing import TYPE_CHECKING, BinaryIO

import numpy as np

from crawler.pipelines.time_limit import PageTimeout, page_time_limit
from extract.article import Article
from extract.parse import NotAnArticle, ParseResult, parse_page
from extract.sites.profile import SiteProfile
from pipeline.dedup.boilerplate import paragraph_hashes
from pipeline.dedup.neardup import band_keys, sketch
from pipeline.items import FetchedPage
from pipeline.store.warc import warc_record

if TYPE_CHECKING:
    from scrapy.statscollectors import StatsCollector

logger = logging.getLogger(__name__)

MAX_RESTARTS = 3
_SIZE = struct.Struct("!I")
# The worker's first bytes: anything else (a library printing on import, a worker of another
# version of the frames, started from code upgraded under a running crawl) means the stream
# cannot be trusted. Answers are far below MAX_FRAME; a larger length is garbage too.
HELLO = b"warta parse worker 3\n"  # 2: pages and answers as tuples of plain values; 3: Task.time_limit
MAX_FRAME = 256 * 1024 * 1024
# A worker stopped from outside (before it ignores SIGINT and SIGTERM) blames no page.
_STOPPED = {-signal.SIGINT, -signal.SIGTERM, -signal.SIGHUP}
PR_SET_PDEATHSIG = 1  # linux/prctl.h
PARENT_ENV = "WARTA_PARSE_WORKER_PARENT"
# The reason of a page left unparsed because the crawl is stopping: not a drop.
ABANDONED = "abandoned"


@dataclass(slots=True)
class Outcome:
    """What became of one page: parsed (with the body's sketch), or a reason it is not an article."""

    result: ParseResult | None = None
    signature: np.ndarray | None = None
    reason: str | None = None
    """NotAnArticle's reason, or `parse_error` for a parser bug or a page that killed the worker."""
    message: str = ""
    trace: str | None = None
    """A parser bug's traceback, logged by the crawl (the worker's own stderr is not the crawl's log)."""
    record: bytes | None = None
    """The page's raw-archive record (`pipeline.store.warc.warc_record`), when the archive is on."""
    keys: list[int] | None = None
    """The sketch's band keys."""
    paragraph_hashes: list[int | None] | None = None
    """The body's paragraph hashes, when the task asks for them (`Task.max_words`)."""


@dataclass(frozen=True, slots=True)
class Task:
    """What the worker is told once: the site's profile, the crawl's mirror, whether to archive,
    whether to hash paragraphs."""

    profile: SiteProfile
    mirror: str | None
    archive: bool
    max_words: int | None = None
    """Learned boilerplate's BOILERPLATE_MAX_WORDS when that pipeline is on: the worker hashes
    the body's paragraphs for it."""
    time_limit: float | None = None
    """PARSE_PAGE_TIMEOUT: seconds one page's parse may take (None: no limit)."""

    def record(self, page: FetchedPage) -> bytes | None:
        """The page's raw-archive record, when the archive is on."""
        return warc_record(page, self.mirror) if self.archive else None


def outcome(task: Task, page: FetchedPage) -> Outcome:
    record = task.record(page)
    try:
        with page_time_limit(task.time_limit):
            result = parse_page(
                page.body, page.canonical or page.url, task.profile, mirror=task.mirror, crawled_at=page.fetched_at
            )
            # What the crawl's later stages compute from the body is computed here too, off its thread.
            body = result.article.body
            signature = sketch(body)
            hashes = paragraph_hashes(body.split("\n\n"), task.max_words) if task.max_words is not None else None
    except NotAnArticle as exc:
        return Outcome(reason=exc.reason, message=str(exc), record=record)
    except PageTimeout:
        message = f"the parse of {page.url} took over {task.time_limit:g} s"
        return Outcome(reason="parse_timeout", message=message, record=record)
    except Exception as exc:  # noqa: BLE001 (a parser bug must cost one page, not the crawl)
        trace = traceback.format_exc()
        return Outcome(reason="parse_error", message=f"{type(exc).__name__} on {page.url}", trace=trace, record=record)
    return Outcome(result, signature, record=record, keys=band_keys(signature).tolist(), paragraph_hashes=hashes)


def abandoned(page: FetchedPage) -> Outcome:
    """A page left unparsed because the crawl is stopping."""
    return Outcome(reason=ABANDONED, message=f"the crawl stopped before {page.url} was parsed")


def _frame(obj) -> bytes:
    data = pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL)
    return _SIZE.pack(len(data)) + data


# Pages and answers cross the pipe as tuples of plain values: pickling the dataclasses
# themselves (their reduce and setstate run as Python code) cost the crawl's thread twice as
# much per page, measured at ~0.13 ms of its ~4 ms an article.
_PAGE = attrgetter(*(f.name for f in fields(FetchedPage)))
_ARTICLE = attrgetter(*(f.name for f in fields(Article)))


def _page_wire(page: FetchedPage) -> tuple:
    return _PAGE(page)


def _outcome_wire(done: Outcome) -> tuple:
    r = done.result
    parsed = None if r is None else (_ARTICLE(r.article), r.removed, r.sources, r.generic, r.route)
    signature = None if done.signature is None else done.signature.tobytes()
    return (parsed, signature, done.reason, done.message, done.trace, done.record, done.keys, done.paragraph_hashes)


def _outcome_from_wire(wire: tuple) -> Outcome:
    parsed, signature, reason, message, trace, record, keys, hashes = wire
    result = None
    if parsed is not None:
        values, removed, sources, generic, route = parsed
        result = ParseResult(Article(*values), removed, sources, generic, route)
    sketched = None if signature is None else np.frombuffer(signature, dtype=np.uint32)
    return Outcome(result, sketched, reason, message, trace, record, keys, hashes)


def _read_frame(stream: BinaryIO):
    head = stream.read(_SIZE.size)
    if len(head) < _SIZE.size:
        return None
    return pickle.loads(stream.read(_SIZE.unpack(head)[0]))


def main(work: Callable[[Task, FetchedPage], Outcome] = outcome) -> None:
    # Ctrl-C, or a SIGTERM to the process group (systemd, timeout), stops the crawl gracefully:
    # it finishes its pages, which needs the worker, and then closes the worker's input, which
    # is how the worker stops (a killed crawl closes it too).
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    _die_with_parent()
    frames_out = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)  # a stray print from a library must not land among the frames
    frames_in = sys.stdin.buffer
    task = _read_frame(frames_in)
    frames_out.write(HELLO)  # started: from here on, a death is blamed on the page
    frames_out.flush()
    while (wire := _read_frame(frames_in)) is not None:
        frames_out.write(_frame(_outcome_wire(work(task, FetchedPage(*wire)))))
        frames_out.flush()
    # Every answer is out. The crawl awaits this exit at its close, and an interpreter's
    # teardown (lxml, numpy and the rest unloaded one by one) took ~80 ms of it.
    sys.stdout.flush()  # a library's stray prints, sent to stderr above
    sys.stderr.flush()
    os._exit(0)


def _die_with_parent() -> None:
    """A worker stuck in an endless parse never reads the end of its input: on Linux the
    kernel kills it when the crawl dies, however it dies (SIGKILL, the OOM killer)."""
    if not sys.platform.startswith("linux"):
        return
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != int(os.environ.get(PARENT_ENV, os.getppid())):
        os._exit(0)  # the crawl died before the line above took effect


@dataclass(slots=True)
class _Pending:
    page: FetchedPage
    future: asyncio.Future
    deaths: int = 0


@dataclass
class ParseWorker:
    """The crawl's end of the worker: `parse()` one page at a time, in order; `close()` at the end."""

    task: Task
    stats: "StatsCollector"
    timeout: float = 60.0
    """Seconds the worker may leave pages waiting without an answer before it is killed (its
    death blames the page: a page that hangs the parser twice is dropped)."""
    command: tuple[str, ...] = (sys.executable, "-m", "crawler.pipelines.parse_worker")
    stopping: Callable[[], bool] | None = None
    """Whether the crawl is stopping: then pages still waiting are abandoned (within a second)
    instead of awaited, and no new page is parsed."""
    pending: deque[_Pending] = field(default_factory=deque)
    restarts: int = 0
    _stdin: asyncio.StreamWriter | None = None
    _proc: asyncio.subprocess.Process | None = None
    _progress: float = 0.0  # loop time of the last answer (or start, or first page waiting)
    _task: asyncio.Task | None = None
    _watchdog: asyncio.Task | None = None
    _closing: bool = False
    _given_up: bool = False
    _abandoned: bool = False

    @property
    def pid(self) -> int | None:
        """The latest worker's process id."""
        return self._proc.pid if self._proc is not None else None

    async def start(self) -> None:
        try:
            proc = await self._spawn()
        except OSError as exc:
            logger.error("the parse worker could not start (%s): parsing in the crawl's process", exc)
            self._given_up = True
            return
        loop = asyncio.get_running_loop()
        self._task = loop.create_task(self._serve(proc))
        self._watchdog = loop.create_task(self._watch())

    async def parse(self, page: FetchedPage) -> Outcome:
        if self._abandoned or (self.stopping is not None and self.stopping()):
            return abandoned(page)
        if self._given_up:
            return outcome(self.task, page)
        loop = asyncio.get_running_loop()
        entry = _Pending(page, loop.create_future())
        if not self.pending:
            self._progress = loop.time()
        self.pending.append(entry)
        if self._stdin is not None:  # else a new worker is starting: it is sent everything pending
            self._stdin.write(_frame(_page_wire(page)))
        return await entry.future

    async def close(self) -> None:
        self._closing = True
        if self._stdin is not None:
            self._stdin.close()
        if self._task is not None:
            await self._task
        if self._watchdog is not None:
            self._watchdog.cancel()

    async def _watch(self) -> None:
        """Kill a worker that leaves pages waiting `timeout` seconds without an answer: a page
        that sends the parser into an endless loop must not stop the crawl."""
        loop = asyncio.get_running_loop()
        while not self._given_up:
            await asyncio.sleep(min(1.0, self.timeout / 2))
            if self.pending and self.stopping is not None and self.stopping():
                self._abandon()
                return
            proc = self._proc
            stuck = self.pending and loop.time() - self._progress > self.timeout
            if stuck and proc is not None and proc.returncode is None:
                url = self.pending[0].page.url
                logger.error("the parse worker gave no answer for %.0f s (on %s): killed", self.timeout, url)
                self.stats.inc_value("warta/parse_worker/timeouts")
                with contextlib.suppress(ProcessLookupError):
                    proc.kill()
                self._progress = loop.time()

    async def _spawn(self) -> asyncio.subprocess.Process:
        # The child imports what this process imports, from where this process found it.
        path = os.pathsep.join(p or os.getcwd() for p in sys.path)
        proc = await asyncio.create_subprocess_exec(
            *self.command,
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            env={**os.environ, "PYTHONPATH": path, PARENT_ENV: str(os.getpid())},
        )
        proc.stdin.write(_frame(self.task))
        for entry in self.pending:
            proc.stdin.write(_frame(_page_wire(entry.page)))
        self._proc = proc
        self._progress = asyncio.get_running_loop().time()
        if self._closing:  # it answers what is pending, then stops
            proc.stdin.close()
        else:
            self._stdin = proc.stdin
        return proc

    async def _serve(self, proc: asyncio.subprocess.Process | None) -> None:
        try:
            while proc is not None:
                started = await self._answer(proc.stdout)
                self._stdin = None
                code = await proc.wait()
                if self._abandoned or (self._closing and not self.pending):
                    return
                proc = await self._restart(code, blame=started and code not in _STOPPED)
        except (OSError, ValueError, pickle.UnpicklingError) as exc:  # cannot be started again, or trusted
            logger.error("the parse worker failed (%s): parsing in the crawl's process", exc)
            self._stop(proc)
        except Exception:  # whatever it is, the crawl must not hang on pages nobody will answer
            logger.exception("the parse worker failed: parsing in the crawl's process")
            self._stop(proc)

    def _stop(self, proc: asyncio.subprocess.Process | None) -> None:
        if proc is not None and proc.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                proc.kill()  # reaped by asyncio's child watcher
        self._give_up()

    async def _answer(self, stdout: asyncio.StreamReader) -> bool:
        """Resolve pending pages with the worker's answers until it ends; whether it had started."""
        loop = asyncio.get_running_loop()
        started = False
        try:
            if await stdout.readexactly(len(HELLO)) != HELLO:
                raise ValueError("the parse worker wrote something else than its greeting")
            started = True
            self._progress = loop.time()  # its start-up (imports) does not count against a page
            while True:
                size = _SIZE.unpack(await stdout.readexactly(_SIZE.size))[0]
                if size > MAX_FRAME:
                    raise ValueError(f"the parse worker announced an answer of {size} bytes")
                answer = _outcome_from_wire(pickle.loads(await stdout.readexactly(size)))
                if not self.pending:  # abandoned while the answer was on its way
                    return started
                entry = self.pending.popleft()
                if not entry.future.done():  # a crawl that is shut down cancels its items
                    entry.future.set_result(answer)
                self._progress = loop.time()
        except asyncio.IncompleteReadError:
            return started

    async def _restart(self, code: int, blame: bool) -> asyncio.subprocess.Process | None:
        """After a death: the page it was parsing is blamed (dropped at its second death),
        unless the worker died before it started; a new worker gets everything unanswered."""
        self.stats.inc_value("warta/parse_worker/died")
        how = f"killed by signal {-code}" if code < 0 else f"exit {code}"
        if self.pending and blame:
            self.pending[0].deaths += 1
            if self.pending[0].deaths >= 2:
                self._drop_head(how)
        self.restarts += 1
        if self.restarts > MAX_RESTARTS:
            logger.error("the parse worker died %d times (%s): parsing in the crawl's process", self.restarts, how)
            self._give_up()
            return None
        logger.warning("the parse worker died (%s); starting another, %d pages to parse again", how, len(self.pending))
        return await self._spawn()

    def _drop_head(self, how: str) -> None:
        """The page the worker died on, dropped: counted as `parse_error`, its raw record kept."""
        head = self.pending.popleft()
        url = head.page.url
        logger.error("the parse worker died on %s (%s): page dropped", url, how)
        record = self.task.record(head.page)
        if not head.future.done():
            head.future.set_result(
                Outcome(reason="parse_error", message=f"the parse worker died on {url}", record=record)
            )

    def _abandon(self) -> None:
        """The crawl is stopping: every page still waiting is left unparsed, and the worker,
        busy with one of them, is killed rather than awaited."""
        self._abandoned = True
        if self._stdin is not None:
            self._stdin.close()
            self._stdin = None
        logger.warning("the crawl is stopping: %d pages left unparsed, fetched again next crawl", len(self.pending))
        while self.pending:
            entry = self.pending.popleft()
            if not entry.future.done():
                entry.future.set_result(abandoned(entry.page))
        if self._proc is not None and self._proc.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                self._proc.kill()  # reaped by asyncio's child watcher

    def _give_up(self) -> None:
        """The rest is parsed in the crawl's process, except a page a worker died on: in this
        process it could crash or hang the crawl itself."""
        self._given_up = True
        self._stdin = None
        if self.pending and self.pending[0].deaths:
            self._drop_head("and no worker is left")
        while self.pending:
            entry = self.pending.popleft()
            if not entry.future.done():
                entry.future.set_result(outcome(self.task, entry.page))


if __name__ == "__main__":
    # Through the imported module, so that what is pickled names `crawler.pipelines.parse_worker`, not `__main__`.
    from crawler.pipelines.parse_worker import main as serve

    serve()
