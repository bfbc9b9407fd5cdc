"""PDF rendering with WeasyPrint, loading nothing but the project's own static and media files."""

from __future__ import annotations

import logging
import mimetypes
from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.exceptions import SuspiciousFileOperation
from django.http import FileResponse
from weasyprint import HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse

logger = logging.getLogger(__name__)

# Documents are rendered against this made-up origin, so every relative URL in a template resolves
# to it and nothing else can: the fetcher answers it from disk and refuses all other addresses.
BASE_URL = "https://case-audit.invalid/"

# Every PDF is tagged, as the Public Sector Bodies Accessibility Regulations ask of documents:
# PDF/UA-1 gives a structure tree (headings, lists, tables with their header cells, figures with
# their alt text) in reading order, the document language from <html lang> and its title from
# <title>, shown in place of the file name. Pass these to both render() and write_pdf().
PDF_OPTIONS = {"pdf_variant": "pdf/ua-1"}


class ProjectFilesFetcher(URLFetcher):
    """Serves /static/ and /media/ paths from disk; refuses the network and any other file."""

    def __init__(self) -> None:
        super().__init__(allowed_protocols={"https", "data"}, allow_redirects=False)

    def fetch(self, url: str, headers=None) -> URLFetcherResponse:
        if url.startswith("data:"):
            return super().fetch(url, headers)
        path = self._local_path(url)
        if path is None:
            logger.warning("PDF rendering refused to fetch a resource outside the project")
            raise ValueError("Only the project's own static and media files may be loaded.")
        content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        return URLFetcherResponse(url, path.read_bytes(), {"Content-Type": content_type})

    @staticmethod
    def _local_path(url: str) -> Path | None:
        if not url.startswith(BASE_URL):
            return None
        relative = url[len(BASE_URL) :].split("?", 1)[0].split("#", 1)[0]
        static_prefix = settings.STATIC_URL.lstrip("/")
        media_prefix = settings.MEDIA_URL.lstrip("/")
        if relative.startswith(static_prefix):
            name = relative[len(static_prefix) :]
            try:
                found = finders.find(name)
            except SuspiciousFileOperation:
                return None
            candidates = [Path(found)] if found else [Path(settings.STATIC_ROOT) / name]
            roots = [Path(d) for d in settings.STATICFILES_DIRS] + [Path(settings.STATIC_ROOT)]
        elif relative.startswith(media_prefix):
            candidates = [Path(settings.MEDIA_ROOT) / relative[len(media_prefix) :]]
            roots = [Path(settings.MEDIA_ROOT)]
        else:
            return None
        for candidate in candidates:
            resolved = candidate.resolve()
            inside = any(resolved.is_relative_to(root.resolve()) for root in roots)
            if inside and resolved.is_file():
                return resolved
        return None


def render_pdf(html: str) -> bytes:
    """A tagged (PDF/UA-1) PDF of the HTML, loading only the project's own files."""
    return HTML(string=html, base_url=BASE_URL, url_fetcher=ProjectFilesFetcher()).write_pdf(
        **PDF_OPTIONS
    )


def pdf_download_response(handle, filename: str) -> FileResponse:
    """A stored PDF as an attachment that no cache keeps (page and API alike)."""
    response = FileResponse(
        handle, as_attachment=True, filename=filename, content_type="application/pdf"
    )
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response
