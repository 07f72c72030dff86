"""The built book checked in a real browser: Debian's chromium driven by Playwright, fully offline.

Every page of ``_build/html`` is served on 127.0.0.1 and opened at 1280 x 900; every request to
anywhere else is blocked and reported. On each page:

* it loads (HTTP 200) and raises no console error or uncaught exception, except those of
  :data:`ALLOWED_CONSOLE_ERRORS`, each with its reason;
* the maths is typeset: every ``.math`` element holds MathJax output and no raw ``\\(``,
  ``\\[`` or ``$$`` is left in the text outside code;
* every image loads;
* every link into the book resolves, to a page or file that exists and, with a ``#fragment``, to
  an element with that id on the target page;
* no table, figure or image is wider than the content column;
* every results table of a chapter (a table in a cell's output) is followed by a ``CSV`` download
  link before the next table or heading (tables of consecutive cells share one link; a cell
  tagged ``no-csv`` shows a table that is not a result, such as a legend of a CSV's columns),
  and every CSV link downloads;
* a screenshot of the page goes to ``_build/screenshots/``.

``python -m helpers.build.browser`` prints one line per problem and exits 1 if there is any;
``make check-browser`` builds the book first. Chromium comes from Debian (``apt-get install
chromium``, which ``make`` does when it is missing); ``playwright install`` is never used.
"""

from __future__ import annotations

import argparse
import asyncio
import functools
import http.server
import re
import shutil
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urldefrag, urlsplit

from helpers.paths import ROOT

HTML = ROOT / "_build" / "html"
SCREENSHOTS = ROOT / "_build" / "screenshots"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
VIEWPORT = {"width": 1280, "height": 900}
#: console errors that are known and harmless, each with the reason it is allowed
ALLOWED_CONSOLE_ERRORS: dict[str, str] = {
    "Identifier 'THEBE_JS_URL' has already been declared":
        "sphinx-book-theme declares THEBE_JS_URL in an inline script on every page and once more "
        "in its bundle; the second declaration fails, the variable already holds the same value, "
        "and the book uses no Thebe",
    "Got invalid theme mode":
        "the pydata theme reads the light/dark mode from localStorage before it is set on a "
        "first visit and falls back to the default mode, which is what is wanted",
}
_REFRESH = re.compile(r'<meta http-equiv="refresh" content="\d+; *url=([^"]+)"', re.I)
#: pages that are not the book's content: the theme's generated index and search pages
SKIP_CONTENT_CHECKS = ("genindex.html", "search.html")

_PAGE_SCRIPT = """
async () => {
  const article = document.querySelector('article.bd-article') || document.body;
  // images: load the lazy ones too, then wait for each to finish
  const imgs = Array.from(document.images);
  imgs.forEach(img => { img.loading = 'eager'; });
  await Promise.all(imgs.map(img => img.complete ? null :
    new Promise(done => { img.addEventListener('load', done); img.addEventListener('error', done); })));
  const broken = imgs.filter(img => !(img.complete && img.naturalWidth > 0))
                     .map(img => img.getAttribute('src'));
  // maths: MathJax has finished, every .math element holds its output, no raw delimiters left
  if (window.MathJax && MathJax.startup && MathJax.startup.promise) { await MathJax.startup.promise; }
  const maths = Array.from(article.querySelectorAll('.math'));
  const untypeset = maths.filter(m => !m.querySelector('mjx-container')).map(m => m.textContent.slice(0, 60));
  const clone = article.cloneNode(true);
  clone.querySelectorAll('pre, code, script, style, mjx-container, .highlight').forEach(e => e.remove());
  const text = clone.textContent;
  const raw = ['\\\\(', '\\\\[', '$$'].filter(d => text.includes(d));
  // widths at this viewport: nothing wider than the content column
  const column = article.getBoundingClientRect().width;
  const wide = Array.from(article.querySelectorAll('table, figure, img')).map(e => {
    const w = Math.max(e.getBoundingClientRect().width, e.scrollWidth || 0);
    return [e.tagName.toLowerCase(), Math.round(w), (e.closest('section[id]') || {}).id || ''];
  }).filter(([, w]) => w > column + 1);
  // results tables: each table a cell displays is followed by a CSV link before the next table or
  // heading; tables of cells displayed one after the other share the link under the last one; a
  // cell tagged no-csv shows a table that is not a result (a legend of the CSV's columns); a table in
  // an exercise's solution is the reader's own computation, not a result of the book
  const stops = 'table, h1, h2, h3, h4, h5, a[href$=".csv"]';
  const all = Array.from(article.querySelectorAll(stops)).filter(e => !e.parentElement.closest('table'));
  const cell = e => e.closest('.cell');
  const unlinked = [];
  all.forEach((e, i) => {
    if (e.tagName !== 'TABLE' || !cell(e) || cell(e).classList.contains('tag_no-csv')
        || e.closest('.solution')) return;
    let j = i + 1, last = e;
    while (j < all.length && all[j].tagName === 'TABLE' && cell(all[j])
           && (cell(all[j]) === cell(last) || cell(last).nextElementSibling === cell(all[j]))) {
      last = all[j]; j += 1;
    }
    const next = all[j];
    if (!(next && next.tagName === 'A')) unlinked.push((e.closest('section[id]') || {}).id || '');
  });
  const links = Array.from(document.querySelectorAll('a[href]')).map(a => a.href);
  const csv = Array.from(article.querySelectorAll('a[href$=".csv"]')).map(a => a.href);
  const ids = Array.from(document.querySelectorAll('[id]')).map(e => e.id)
                .concat(Array.from(document.querySelectorAll('a[name]')).map(a => a.name));
  return {broken, untypeset, raw, column: Math.round(column), wide, unlinked, links, csv, ids,
          maths: maths.length, tables: article.querySelectorAll('table').length};
}
"""


@dataclass
class Report:
    """What the check found: problems (one line each) and what it looked at."""

    problems: list[str] = field(default_factory=list)
    pages: int = 0
    links: int = 0
    images: int = 0
    maths: int = 0
    tables: int = 0
    csv: int = 0
    blocked: list[str] = field(default_factory=list)
    allowed: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0

    def summary(self) -> str:
        """One line: what was checked and how long it took."""
        allowed = ", ".join(f"{n} x {msg!r}" for msg, n in self.allowed.items()) or "none"
        return (f"browser check: {self.pages} pages, {self.links} internal links, {self.images} images, "
                f"{self.maths} formulas, {self.tables} tables, {self.csv} CSV links; "
                f"{len(self.blocked)} requests off the machine blocked; allowed console errors: {allowed}; "
                f"{len(self.problems)} problem(s) in {self.seconds:.1f} s")


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - the base class's name
        pass


@contextmanager
def serve(folder: Path) -> Iterator[str]:
    """Serve ``folder`` on 127.0.0.1 (a free port) in a thread; yield the base URL."""
    handler = functools.partial(_QuietHandler, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


def pages(html: Path) -> list[Path]:
    """Every HTML page of the book (not the theme's assets or the copied sources)."""
    skip = ("_static", "_sources", "_images", "_sphinx_design_static", "_panels_static")
    return sorted(p for p in html.rglob("*.html") if p.relative_to(html).parts[0] not in skip)


def _allowed(message: str) -> str | None:
    return next((key for key in ALLOWED_CONSOLE_ERRORS if key in message), None)


def _target(html: Path, base: str, url: str) -> tuple[Path, str] | None:
    """(file, fragment) that an internal ``url`` points to, or None for a link off the book."""
    if not url.startswith(base):
        return None
    path, fragment = urldefrag(url)
    rel = unquote(urlsplit(path).path)[len(urlsplit(base).path):]
    target = html / rel
    if rel == "" or rel.endswith("/"):
        target = target / "index.html"
    return target, fragment


#: pages open at once: chromium renders each in its own process, so two keep both cores busy
CONCURRENT_PAGES = 2


@dataclass
class _Visit:
    """What one page showed: its HTTP status, console errors, the page script's findings, images."""

    status: int | None = None
    errors: list[str] = field(default_factory=list)
    info: dict | None = None
    images: int = 0


async def _visit(context: object, url: str, shot: Path | None) -> _Visit:
    """Open ``url`` in a new page of ``context``, run the page script, take the screenshot."""
    visit = _Visit()
    page = await context.new_page()  # type: ignore[attr-defined]
    page.on("console", lambda m: visit.errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: visit.errors.append(str(e)))
    try:
        response = await page.goto(url, wait_until="load")
        visit.status = response.status if response else None
        if visit.status != 200:
            return visit
        visit.info = await page.evaluate(_PAGE_SCRIPT)
        await page.wait_for_timeout(100)  # late console messages
        visit.images = len(await page.query_selector_all("article img"))
        if shot is not None:
            await page.screenshot(path=str(shot), full_page=True)
        return visit
    finally:
        await page.close()


def check(html: Path = HTML, screenshots: Path | None = SCREENSHOTS, chromium: str = CHROMIUM) -> Report:
    """Open every page of ``html`` in chromium and check it (see the module docstring).

    Parameters
    ----------
    html : Path
        The built book (``_build/html``).
    screenshots : Path or None
        Where to write one full-page PNG per page (emptied first); None for no screenshots.
    chromium : str
        The browser executable (Debian's ``chromium``).

    Returns
    -------
    Report
        The problems found, one line each, in page order, and counts of what was checked.
    """
    start = time.perf_counter()
    report = Report()
    if not (html / "index.html").is_file():
        report.problems.append(f"{html}: no built book (run `make book`)")
        return report
    if not Path(chromium).is_file():
        report.problems.append(f"{chromium} is missing: `apt-get install chromium` (make does this)")
        return report
    if screenshots is not None:
        shutil.rmtree(screenshots, ignore_errors=True)
        screenshots.mkdir(parents=True)
    with serve(html) as base:
        asyncio.run(_check(html, base, screenshots, chromium, report))
    for url in sorted(set(report.blocked)):
        report.problems.append(f"request off the machine (blocked): {url}")
    report.seconds = time.perf_counter() - start
    return report


async def _check(html: Path, base: str, screenshots: Path | None, chromium: str, report: Report) -> None:
    """The body of :func:`check`: every page, :data:`CONCURRENT_PAGES` at a time, then the links."""
    from playwright.async_api import async_playwright

    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=chromium, args=["--no-sandbox"])
        context = await browser.new_context(viewport=VIEWPORT, service_workers="block")

        async def route(r: object) -> None:
            url = r.request.url  # type: ignore[attr-defined]
            if url.startswith(base) or url.startswith(("data:", "blob:", "about:")):
                await r.continue_()  # type: ignore[attr-defined]
            else:
                report.blocked.append(url)
                await r.abort()  # type: ignore[attr-defined]

        await context.route("**/*", route)
        slots = asyncio.Semaphore(CONCURRENT_PAGES)

        async def visit(rel: str) -> _Visit:
            shot = (screenshots / (rel.replace("/", "__").removesuffix(".html") + ".png")
                    if screenshots is not None else None)
            async with slots:
                return await _visit(context, base + rel, shot)

        todo: dict[Path, str] = {}
        for path in pages(html):
            rel = path.relative_to(html).as_posix()
            refresh = _REFRESH.search(path.read_text(encoding="utf-8", errors="replace")[:2000])
            if refresh:  # a redirect page (index.html): its target must exist; it has nothing else
                report.pages += 1
                target = (path.parent / refresh.group(1)).resolve()
                if not target.is_file():
                    report.problems.append(f"{rel}: redirects to a missing page {refresh.group(1)}")
            else:
                todo[path] = rel
        visits = dict(zip(todo, await asyncio.gather(*(visit(rel) for rel in todo.values())), strict=True))
        found: dict[Path, dict] = {}
        for path, rel in todo.items():  # page order, whichever finished first
            v = visits[path]
            if v.info is None:
                report.problems.append(f"{rel}: did not load (HTTP {v.status or '-'})")
                continue
            info = found[path] = v.info
            report.pages += 1
            for message in v.errors:
                key = _allowed(message)
                if key:
                    report.allowed[key] = report.allowed.get(key, 0) + 1
                else:
                    report.problems.append(f"{rel}: console error: {message.splitlines()[0][:200]}")
            report.images += v.images
            for src in info["broken"]:
                report.problems.append(f"{rel}: image does not load: {src}")
            if path.name not in SKIP_CONTENT_CHECKS:
                report.maths += info["maths"]
                report.tables += info["tables"]
                for snippet in info["untypeset"]:
                    report.problems.append(f"{rel}: formula not typeset: {snippet!r}")
                for delim in info["raw"]:
                    report.problems.append(f"{rel}: raw {delim} left in the text (maths not typeset)")
                for tag, width, section in info["wide"]:
                    report.problems.append(f"{rel}#{section}: {tag} {width} px wide, wider than the "
                                           f"{info['column']} px content column at {VIEWPORT['width']} px")
                for section in info["unlinked"]:
                    report.problems.append(f"{rel}#{section}: results table without a CSV link under it")
        # links, once every page's ids are known
        csv: set[str] = set()
        for path, info in found.items():
            rel = path.relative_to(html).as_posix()
            for url in info["links"]:
                target = _target(html, base, url)
                if target is None:
                    continue
                report.links += 1
                file, fragment = target
                if not file.is_file():
                    report.problems.append(f"{rel}: broken link to {file.relative_to(html).as_posix()}")
                elif fragment and file.suffix == ".html":
                    ids = found[file]["ids"] if file in found else None
                    if ids is not None and unquote(fragment) not in ids:
                        report.problems.append(f"{rel}: link to a missing anchor "
                                               f"{file.relative_to(html).as_posix()}#{fragment}")
            csv.update(info["csv"])
        for url in sorted(csv):
            report.csv += 1
            response = await context.request.get(url)
            body = await response.body() if response.ok else b""
            if not response.ok or not body.strip() or b"," not in body.split(b"\n", 1)[0]:
                report.problems.append(f"CSV link does not download a CSV: {url.removeprefix(base)} "
                                       f"(HTTP {response.status}, {len(body)} bytes)")
        await context.close()
        await browser.close()


def main(argv: list[str] | None = None) -> int:
    """``python -m helpers.build.browser [--html DIR] [--no-screenshots]``: print problems, exit 1 if any."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--html", type=Path, default=HTML, help="the built book (default: _build/html)")
    ap.add_argument("--no-screenshots", action="store_true", help="do not write _build/screenshots/")
    args = ap.parse_args(argv)
    report = check(args.html, None if args.no_screenshots else SCREENSHOTS)
    for line in report.problems:
        print(f"error: {line}", file=sys.stderr)
    print(report.summary())
    return 1 if report.problems else 0


if __name__ == "__main__":
    sys.exit(main())
