"""Pure extraction: `(url, html) -> article`, site profiles, URLs, dates, discovery documents."""
