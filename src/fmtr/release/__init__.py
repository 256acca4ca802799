"""Releases: what changed between two databases (``diff``) and a versioned, self-describing
package of one (``package``, ``describe``, ``datasette``).

A layer beside fmtr.query: it reads databases (never writes one it was given) and writes the
files of a release; only the CLI imports it.
"""
