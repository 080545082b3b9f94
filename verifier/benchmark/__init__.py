"""`verifier bench`: throughput against an in-process floor and a naive harness.

Kept out of the service: nothing here is used when scoring, and the two
baselines in `baselines.py` are deliberately not sandboxes.
"""
