"""Everything that touches untrusted code.

What this package guarantees, on every platform:

* A program runs in a fresh child forked from a clean zygote that never held a
  secret or an expected value, with an empty environment, in its own
  temporary folder (removed after), under resource limits whose hard values
  equal the soft ones (CPU seconds, address space, file size, processes).
* Wall-clock deadlines per test and per sample are enforced from outside the
  child, by killing its whole process group; after each job every process it
  left behind is killed (the zygote is a child subreaper where the kernel
  allows, and a root service runs children as a separate uid per worker).
* Standard output is captured up to a byte cap; results come back as
  size-capped JSON frames, never pickle, in strict order, checked on the
  trusted side. Expected values never enter the sandbox.
* The child cannot open new files, sockets or pipes: its open-file limit is
  zero (when `no_new_files` is on, the default), so nothing can be opened even
  after closing one of the descriptors it holds; where the kernel allows,
  seccomp also refuses sockets, exec, filesystem changes and new
  processes. The same holds for a compiled C++ program; Node.js, which
  must open its own libraries, may open existing files for reading only
  (and, with Landlock, only system files). A native program is exec'd
  exactly once; every exec after that fails.
* The Docker backend runs the same zygote inside a container per worker
  (no network, read-only root, no capabilities, memory and pids limits).

What it does not guarantee: a program in the default runtime shares its
process with the assert snippets it is tested by, so assert-kind tests can
be gamed (an object whose __eq__ always answers True passes them); call and
stdin/stdout tests cannot, because the comparison happens outside. See
SECURITY.md for the threat model per platform.

This package never imports scoring logic; `runner/` imports only the
standard library, because it runs alone inside the sandbox.
"""

from .base import Job, ReportBuilder, RunReport, Sandbox, TestInput, TestRecord

__all__ = ["Job", "ReportBuilder", "RunReport", "Sandbox", "TestInput", "TestRecord"]
