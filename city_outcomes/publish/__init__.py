"""Publishing: altair charts and the static, offline dashboard site."""
