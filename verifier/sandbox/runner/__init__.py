"""Code that runs INSIDE the sandbox: the zygote, the per-sample child, the codec.

Every module in this package imports only the standard library and its
siblings (relative imports), because the zygote loads this folder as a
top-level package in a bare interpreter (`python -S`), with nothing of
`verifier` importable. The trusted side imports `codec` and `wire` from here
too, so both ends speak the same format.
"""
