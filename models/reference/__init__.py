"""Static Swedish reference data (counties and municipalities) shipped with the package."""
