"""The headers every REST answer carries, whichever web stack serves it.

The API answers programs, with JSON: nothing it sends may be sniffed as another content type,
framed by a page, leak its URL as a referrer, or be kept by a browser or a shared cache (answers
carry tokens and personal data). The interactive docs page loads its scripts, so the strict
content policy and `no-store` apply to the API paths only. HSTS belongs to whatever terminates
TLS in front of the service, not to the plain-HTTP process behind it.
"""

SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Cross-Origin-Resource-Policy": "same-origin",
}
API_HEADERS = {
    "Cache-Control": "no-store",
    "Content-Security-Policy": "default-src 'none'; frame-ancestors 'none'",
}
API_PREFIX = "/api/"
