"""The analyst's desk: server-rendered pages, a JSON API under /api/, curation forms.

``create_app(db)`` returns the ASGI app; ``watchdesk serve`` runs it with uvicorn on 127.0.0.1.
One SQLite connection per worker thread (reads run in FastAPI's thread pool); curation writes
go through ``watchdesk.resolve.run.judge`` / ``undo`` under one lock, like the CLI.
"""
from __future__ import annotations

import os
import re
import threading
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import quote, urlencode

import jinja2
from fastapi import FastAPI, Form, HTTPException, Query, Request
from fastapi import Path as PathParam
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

from ..store import entity_page as entity_queries
from ..store import network, search, shared, views
from ..store.db import Store
from . import models, security
from .render import (OTHER_COLOUR, TYPE_COLOURS, TYPE_NAMES, article_html, entity_url, event_date, snippet_html,
                     type_class)

HERE = Path(__file__).parent
DATE = r"^\d{4}(-\d{2}(-\d{2})?)?$"
CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; object-src 'none';"
       " base-uri 'none'; frame-ancestors 'none'; form-action 'self'; connect-src 'self'")

Limit = Annotated[int, Query(ge=1, le=200, description="page size")]
Offset = Annotated[int, Query(ge=0, le=1_000_000, description="items to skip")]
DateFrom = Annotated[str | None, Query(alias="from", pattern=DATE, description="published on or after")]
DateTo = Annotated[str | None, Query(alias="to", pattern=DATE, description="published on or before")]


class _Stores(threading.local):
    store: Store | None = None


def create_app(db: str | os.PathLike, *, token: str | None = None,
               allowed_hosts: list[str] | None = None) -> FastAPI:
    """The desk over the store at ``db``. ``token``: the curation token (default: $WATCHDESK_TOKEN).

    ``allowed_hosts``: when given, requests naming another Host are refused (DNS rebinding).
    """
    db = str(db)
    if not Path(db).exists():
        raise FileNotFoundError(f"no database at {db}")
    token = token if token is not None else (os.environ.get("WATCHDESK_TOKEN") or None)
    local = _Stores()
    write_lock = threading.Lock()

    def store() -> Store:
        if local.store is None:
            local.store = Store(db)
            local.store.use_read_cache()
        return local.store

    app = FastAPI(title="Watchdesk", version="1", docs_url=None, redoc_url=None, description=(
        "The analyst's desk over a Watchdesk store: articles, entities (global ids), search, the entity "
        "graph, the claims ledger and story clusters. Every list is paginated with limit/offset."))
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(HERE / "templates"), autoescape=True,
                             undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    env.globals.update(entity_url=entity_url, type_class=type_class, TYPE_NAMES=TYPE_NAMES,
                       TYPE_COLOURS=TYPE_COLOURS, OTHER_COLOUR=OTHER_COLOUR, snippet_html=snippet_html)
    env.filters["q"] = lambda value: quote(str(value), safe="")
    env.filters["when"] = event_date

    @app.middleware("http")
    async def headers(request: Request, call_next):
        if allowed_hosts is not None:
            host = request.headers.get("host", "").rsplit(":", 1)[0].strip("[]").lower()
            if host not in allowed_hosts:
                return Response("unknown host", status_code=421)
        response = await call_next(request)
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Referrer-Policy"] = "same-origin"
        if response.headers.get("content-type", "").startswith("text/html"):
            response.headers["Content-Security-Policy"] = CSP
            response.headers["X-Frame-Options"] = "DENY"
        new = getattr(request.state, "new_csrf", None)
        if new:
            response.set_cookie(security.CSRF_COOKIE, new, httponly=True, samesite="strict", path="/")
        return response

    def page(request: Request, template: str, status: int = 200, **context: Any) -> HTMLResponse:
        context.setdefault("title", "Watchdesk")
        html = env.get_template(template).render(
            request=request, csrf=security.csrf_token(request), may_curate=security.may_curate(request, token),
            path=request.url.path, labels=views.labels(store()), message=request.query_params.get("done"),
            error=request.query_params.get("error"), **context)
        return HTMLResponse(html, status_code=status)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException):
        if request.url.path.startswith("/api/") or request.url.path.startswith("/static/"):
            return JSONResponse({"detail": exc.detail}, status_code=exc.status_code, headers=exc.headers)
        return page(request, "error.html", status=exc.status_code, title=f"{exc.status_code}",
                    status_code=exc.status_code, detail=str(exc.detail))

    # ---- pages -------------------------------------------------------------------------------
    @app.get("/", response_class=HTMLResponse, include_in_schema=False)
    def home(request: Request):
        s = store()
        return page(request, "home.html", counts=s.counts(), top=s.top_entities(8),
                    stories=views.stories(s, limit=8)["items"])

    @app.get("/search", response_class=HTMLResponse, include_in_schema=False)
    def search_page(request: Request, q: str = "", date_from: Annotated[str, Query(alias="from")] = "",
                    date_to: Annotated[str, Query(alias="to")] = "", source: str = "",
                    type: str = "", page_no: Annotated[int, Query(alias="page", ge=1, le=1000)] = 1):
        s = store()
        for value in (date_from, date_to):
            if value and not re.match(DATE, value):
                raise HTTPException(400, "dates are YYYY, YYYY-MM or YYYY-MM-DD")
        per_page = 20
        found = search.search_articles(s, q, date_from=date_from or None, date_to=date_to or None,
                                      source=source or None, label=type or None, limit=per_page,
                                      offset=(page_no - 1) * per_page)
        entities = search.search_entities(s, q, label=type or None, limit=12) if q.strip() else []
        params = {"q": q, "from": date_from, "to": date_to, "source": source, "type": type}
        more = page_no * per_page < found["total"]
        return page(request, "search.html", title=f"{q} — search" if q else "Search", q=q, date_from=date_from,
                    date_to=date_to, source=source, type=type, found=found, entities=entities, page_no=page_no,
                    prev_url=f"/search?{urlencode({**params, 'page': page_no - 1})}" if page_no > 1 else None,
                    next_url=f"/search?{urlencode({**params, 'page': page_no + 1})}" if more else None,
                    sources=views.sources(s))

    @app.get("/article/{doc_id}", response_class=HTMLResponse, include_in_schema=False)
    def article_page(request: Request, doc_id: int):
        a = views.article(store(), doc_id)
        if a is None:
            raise HTTPException(404, f"no article {doc_id}")
        body = article_html(a["text"], a["sentences"], a["mentions"], a["attributions"], a["entity_names"])
        present = sorted({m["label"] for m in a["mentions"]})
        return page(request, "article.html", title=a["title"] or f"Article {doc_id}", a=a, body=body,
                    present=present)

    @app.get("/entity/{entity_id:path}", response_class=HTMLResponse, include_in_schema=False)
    def entity_page(request: Request, entity_id: str):
        s = store()
        gid = entity_queries.resolve_entity_id(s, entity_id)
        if gid is None:
            raise HTTPException(404, f"no entity {entity_id}")
        if gid != entity_id:
            return RedirectResponse(entity_url(gid), status_code=302)
        e = entity_queries.entity(s, gid)
        if e is None:
            raise HTTPException(404, f"no entity {entity_id}")
        return page(request, "entity.html", title=e["name"], e=e)

    @app.get("/network", response_class=HTMLResponse, include_in_schema=False)
    def network_page(request: Request, type: str = "", min_weight: str = "",
                     date_from: Annotated[str, Query(alias="from")] = "",
                     date_to: Annotated[str, Query(alias="to")] = "", center: str = "",
                     max_nodes: Annotated[int, Query(ge=2, le=500)] = 80):
        # an empty minimum weight (the default) lets the desk choose one that keeps the drawing readable
        if min_weight.strip() and not (min_weight.strip().isdigit() and 1 <= int(min_weight) <= 1000):
            raise HTTPException(400, "the minimum weight is a whole number from 1 to 1000")
        center_name = None
        if center:
            center_name = store().conn.execute("SELECT name FROM global_entities WHERE id = ?",
                                               (center,)).fetchone()
            center_name = center_name[0] if center_name else None
        everything = {k: v for k, v in {"type": type, "from": date_from, "to": date_to, "center": center}.items() if v}
        return page(request, "network.html", title="Network", type=type, min_weight=min_weight.strip(),
                    date_from=date_from, date_to=date_to, center=center, center_name=center_name,
                    max_nodes=max_nodes, show_all_url="/network?" + urlencode({**everything, "min_weight": 1,
                                                                               "max_nodes": 500}))

    @app.get("/claims", response_class=HTMLResponse, include_in_schema=False)
    def claims_page(request: Request, about: str = "", by: str = ""):
        ledger = views.claims_ledger(store(), about=about or None, by=by or None)
        return page(request, "claims.html", title="Claims ledger", ledger=ledger, about=about, by=by)

    @app.get("/stories", response_class=HTMLResponse, include_in_schema=False)
    def stories_page(request: Request, page_no: Annotated[int, Query(alias="page", ge=1, le=10000)] = 1):
        found = views.stories(store(), limit=30, offset=(page_no - 1) * 30)
        return page(request, "stories.html", title="Stories", found=found, page_no=page_no,
                    more=page_no * 30 < found["total"])

    @app.get("/curation", response_class=HTMLResponse, include_in_schema=False)
    def curation_page(request: Request):
        return page(request, "curation.html", title="Curation", judgements=views.judgements(store()),
                    has_token=bool(token))

    @app.get("/login", response_class=HTMLResponse, include_in_schema=False)
    def login_page(request: Request):
        return page(request, "login.html", title="Desk token", has_token=bool(token))

    @app.post("/login", include_in_schema=False)
    def login(request: Request, desk_token: Annotated[str, Form()], csrf: Annotated[str, Form()] = ""):
        if not security.same_origin(request):
            raise HTTPException(403, "cross-origin request refused")
        cookie = request.cookies.get(security.CSRF_COOKIE) or ""
        if not token or not cookie or cookie != csrf or desk_token != token:
            raise HTTPException(403, "wrong token")
        response = RedirectResponse("/curation?done=" + quote("Signed in with the desk token"), status_code=303)
        response.set_cookie(security.TOKEN_COOKIE, token, httponly=True, samesite="strict", path="/")
        return response

    # ---- curation (POST, CSRF-checked) -------------------------------------------------------
    def back(request: Request, fallback: str, **params: str) -> RedirectResponse:
        target = request.headers.get("referer") or fallback
        path = _local_path(target, fallback)
        path = re.sub(r"[?&](done|error)=[^&#]*", "", path.split("#", 1)[0])
        sep = "&" if "?" in path else "?"
        return RedirectResponse(f"{path}{sep}{urlencode(params)}", status_code=303)

    def judge_and_redirect(request: Request, kind: str, a: str, b: str | None, note: str | None,
                           done: str, target: str) -> RedirectResponse:
        from ..resolve.run import judge

        with write_lock:
            try:
                judge(store(), kind, a, b, note or None)
            except ValueError as exc:
                return back(request, target, error=str(exc))
        return RedirectResponse(f"{target}{'&' if '?' in target else '?'}{urlencode({'done': done})}",
                                status_code=303)

    def member_for(name: str) -> tuple[str, str]:
        """(member id, global id) for what the analyst named: a global id, member id, name or alias."""
        s = store()
        gid = entity_queries.resolve_entity_id(s, name)
        if gid is None:
            raise HTTPException(404, f"no entity named {name!r}")
        if "#" in gid and not s.conn.execute("SELECT 1 FROM global_entities WHERE id = ?", (gid,)).fetchone():
            return gid, gid
        found = s.global_ids_for(name.strip())
        if len(found) > 1 and gid not in found[:1] and name.strip() != gid:
            raise HTTPException(409, f"{name!r} names several entities ({', '.join(found)}): give a global id")
        return s.members_of(gid)[0], gid

    @app.post("/curate/merge", include_in_schema=False)
    def curate_merge(request: Request, a: Annotated[str, Form()], b: Annotated[str, Form()],
                     csrf: Annotated[str, Form()] = "", note: Annotated[str, Form()] = ""):
        security.check_post(request, csrf, token)
        (ma, ga), (mb, gb) = member_for(a), member_for(b)
        if ga == gb:
            return back(request, entity_url(ga), error="these are already one entity")
        return judge_and_redirect(request, "merge", ma, mb, note, "Merged. Undo it on the Curation page.",
                                  entity_url(ga))

    @app.post("/curate/separate", include_in_schema=False)
    def curate_separate(request: Request, a: Annotated[str, Form()], b: Annotated[str, Form()],
                        csrf: Annotated[str, Form()] = "", note: Annotated[str, Form()] = ""):
        security.check_post(request, csrf, token)
        (ma, ga), (mb, _) = member_for(a), member_for(b)
        return judge_and_redirect(request, "separate", ma, mb, note, "Recorded: different entities.",
                                  entity_url(ga))

    @app.post("/curate/split", include_in_schema=False)
    def curate_split(request: Request, entity: Annotated[str, Form()], alias: Annotated[str, Form()],
                     csrf: Annotated[str, Form()] = "", note: Annotated[str, Form()] = ""):
        security.check_post(request, csrf, token)
        s = store()
        gid = entity_queries.resolve_entity_id(s, entity)
        if gid is None or not s.members_of(gid):
            raise HTTPException(404, f"no resolved entity {entity!r}")
        members = s.members_of(gid)
        keep = next((m for m in members if s.entity_name(m).lower() != alias.lower()), members[0])
        return judge_and_redirect(request, "split", keep, alias, note, f"Split {alias!r} off.", entity_url(gid))

    @app.post("/curate/reject", include_in_schema=False)
    def curate_reject(request: Request, csrf: Annotated[str, Form()] = "", doc_id: Annotated[int, Form()] = 0,
                      start: Annotated[int, Form()] = 0, end: Annotated[int, Form()] = 0,
                      name: Annotated[str, Form()] = "", note: Annotated[str, Form()] = ""):
        security.check_post(request, csrf, token)
        s = store()
        if name.strip():
            target, where = name.strip(), "/curation"
        else:
            target = s.member_at(doc_id, start, end)
            if target is None:
                raise HTTPException(404, f"no entity mention at {doc_id}:{start}-{end}")
            where = f"/article/{doc_id}"
        return judge_and_redirect(request, "reject", target, None, note, "Marked as not an entity.", where)

    @app.post("/curate/undo", include_in_schema=False)
    def curate_undo(request: Request, csrf: Annotated[str, Form()] = ""):
        security.check_post(request, csrf, token)
        from ..resolve.run import undo

        with write_lock:
            undone = undo(store())
        if undone is None:
            return RedirectResponse("/curation?error=" + quote("no judgement to undo"), status_code=303)
        return RedirectResponse("/curation?" + urlencode({"done": f"Undid #{undone['id']} {undone['kind']}."}),
                                status_code=303)

    # ---- JSON API ----------------------------------------------------------------------------
    @app.get("/api/articles", response_model=models.ArticlePage, tags=["articles"])
    def api_articles(limit: Limit = 50, offset: Offset = 0, date_from: DateFrom = None, date_to: DateTo = None,
                     source: str | None = None, type: str | None = None):
        """Stored articles in ingest order (metadata only)."""
        found = views.list_articles(store(), limit=limit, offset=offset, date_from=date_from, date_to=date_to,
                                    source=source, label=type)
        return {"total": found["total"], "limit": limit, "offset": offset, "items": found["items"]}

    @app.get("/api/articles/{doc_id}", response_model=models.Article, tags=["articles"],
             responses={404: {"model": models.Error}})
    def api_article(doc_id: Annotated[int, PathParam(ge=1, le=2**63 - 1)]):
        """One article: clean text, mentions with global entity ids, quotes and claims, sentences,
        removed lines, raw input and the other copies of its story."""
        a = views.article(store(), doc_id)
        if a is None:
            raise HTTPException(404, f"no article {doc_id}")
        a = dict(a)
        a.pop("entity_names")
        a["sentences"] = [{"start": s, "end": e} for s, e in a["sentences"]]
        return a

    @app.get("/api/entities", response_model=models.EntityPage, tags=["entities"])
    def api_entities(limit: Limit = 50, offset: Offset = 0, type: str | None = None):
        """Global entities, most mentioned first."""
        found = views.list_entities(store(), label=type, limit=limit, offset=offset)
        return {"total": found["total"], "limit": limit, "offset": offset, "items": found["items"]}

    @app.get("/api/entities/{entity_id}", response_model=models.Entity, tags=["entities"],
             responses={404: {"model": models.Error}})
    def api_entity(entity_id: str):
        """One entity (global id, member id "DOC#LOCAL", name or alias) with aliases, articles,
        evidence, quotes and claims, relations, events and co-mentioned entities."""
        s = store()
        gid = entity_queries.resolve_entity_id(s, entity_id)
        e = entity_queries.entity(s, gid) if gid else None
        if e is None:
            raise HTTPException(404, f"no entity {entity_id}")
        return e

    @app.get("/api/search", response_model=models.SearchResult, tags=["search"])
    def api_search(q: Annotated[str, Query(max_length=500)], limit: Limit = 20, offset: Offset = 0,
                   date_from: DateFrom = None, date_to: DateTo = None, source: str | None = None,
                   type: str | None = None):
        """Full-text search over articles (ranked, snippets with the terms between « and »)
        and entities by any of their names."""
        s = store()
        found = search.search_articles(s, q, date_from=date_from, date_to=date_to, source=source, label=type,
                                      limit=limit, offset=offset)
        for hit in found["hits"]:
            hit["snippet"] = hit["snippet"].replace(shared.HL_START, "«").replace(shared.HL_END, "»")
        return {"total": found["total"], "total_exact": found["total_exact"], "matches": found["matches"],
                "ranked_among": found["ranked_among"], "limit": limit, "offset": offset, "articles": found["hits"],
                "entities": search.search_entities(s, q, label=type, limit=limit) if offset == 0 else []}

    @app.get("/api/graph", response_model=models.Graph, tags=["graph"])
    def api_graph(type: str | None = None, min_weight: Annotated[int | None, Query(ge=1, le=100000)] = None,
                  date_from: DateFrom = None, date_to: DateTo = None, center: str | None = None,
                  max_nodes: Annotated[int, Query(ge=1, le=500)] = 150,
                  max_edges: Annotated[int | None, Query(ge=1, le=100000)] = None):
        """The entity graph: nodes are global entities, edges co-mentions (weight = stories naming
        both) and relations. With ``center``, that entity's neighbourhood. Without ``min_weight``
        the lowest minimum weight that keeps at most ``max_edges`` links (default 3 × ``max_nodes``)
        is chosen, and said in the answer (``min_weight``, ``auto``); ``min_weight=1`` draws every
        link. ``total`` and ``shown`` count what matched and what is drawn."""
        return network.graph(store(), label=type, min_weight=min_weight, date_from=date_from, date_to=date_to,
                           center=center or None, max_nodes=max_nodes, max_edges=max_edges)

    @app.get("/api/claims", response_model=list[models.ClaimGroup], tags=["claims"])
    def api_claims(about: str | None = None, by: str | None = None):
        """The claims ledger: figures grouped by what they count, differing figures flagged."""
        return views.claims_ledger(store(), about=about, by=by)

    @app.get("/api/stories", response_model=models.StoryPage, tags=["stories"])
    def api_stories(limit: Limit = 50, offset: Offset = 0,
                    min_copies: Annotated[int, Query(ge=1, le=1000)] = 2):
        """Copies of the same story, largest clusters first."""
        found = views.stories(store(), min_copies=min_copies, limit=limit, offset=offset)
        return {"total": found["total"], "limit": limit, "offset": offset, "items": found["items"]}

    return app


def _local_path(url: str, fallback: str) -> str:
    """The path+query of a same-site URL (never redirect elsewhere)."""
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    path = parts.path or fallback
    if not path.startswith("/") or path.startswith("//"):
        return fallback
    return path + (f"?{parts.query}" if parts.query else "")
