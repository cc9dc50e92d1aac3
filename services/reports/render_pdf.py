"""PDF from the report's HTML (WeasyPrint: pango for text, its own SVG renderer for the
charts). Fonts are the system's (DejaVu on Debian), so no web font is ever fetched."""

from __future__ import annotations


def html_to_pdf(html: str) -> bytes:
    from weasyprint import HTML  # ~1-4 s to import: only when a PDF is made

    # No base_url and only data: URIs in the document: WeasyPrint fetches nothing.
    pdf: bytes = HTML(string=html).write_pdf()
    return pdf
