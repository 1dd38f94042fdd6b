"""What the scan looks for: the rule table, one finding (Flag), and the names, calls, magics and
paths each rule covers.  Data, plus the two lookups the checker asks of it (use_rule, outside)."""

import dataclasses
import re

REVIEW, INFO = "review", "info"

RULES = {  # rule id -> (severity, what a finding means)
    "patch-module": (REVIEW, "changes an attribute of an imported module or helper"),
    "sys-modules": (REVIEW, "writes to sys.modules (swaps a module the tests use)"),
    "globals-write": (REVIEW, "writes to the notebook's globals() by name"),
    "rebind-builtin": (REVIEW, "rebinds a builtin at notebook level, where the test cells see it"),
    "rebind-test-name": (REVIEW, "rebinds a name the test cells use (np, the checks helpers)"),
    "always-equal": (REVIEW, "makes == always true"),
    "ipython-hook": (REVIEW, "reaches into the IPython shell"),
    "sys-hook": (REVIEW, "replaces an interpreter hook or standard stream"),
    "kernel-exit": (REVIEW, "leaves or kills the kernel"),
    "process": (REVIEW, "low-level or process access"),
    "shell": (REVIEW, "runs a shell command"),
    "network": (REVIEW, "uses the network"),
    "file-access": (REVIEW, "touches files outside the submission or grading files"),
    "introspection": (REVIEW, "inspects frames or the heap (a way to reach the tests)"),
    "dynamic-code": (REVIEW, "dynamic code: review"),
    "extra-file": (REVIEW, "ships an importable Python file beside the notebooks"),
    "oversized-cell": (REVIEW, "too much code to scan: review by hand"),
    "scan-error": (REVIEW, "the scanner failed on this cell: review by hand"),
    "unreadable": (REVIEW, "unreadable notebook"),
    "syntax-error": (INFO, "does not parse: fails when graded"),
    # The grader runs the gradebook's own setup and test cells whatever the notebook holds
    # (coursekit/grading/split/instructor.py); a notebook whose locked cells were changed is still read by a human.
    "locked-cell-edited": (REVIEW, "test or locked cell edited (the grader runs the gradebook's copy)"),
    "locked-cell-deleted": (REVIEW, "test or locked cell deleted or unmarked (the grader runs the gradebook's copy)"),
    "locked-cell-moved": (REVIEW, "test or locked cell moved (the grader runs the setup first, each test in its "
                                  "place)"),
    "grade-metadata-changed": (INFO, "grade cell metadata changed"),
    "cell-deleted": (INFO, "cell deleted"),
    "duplicate-grade-id": (INFO, "duplicate grade_id"),
    "unknown-grade-id": (INFO, "nbgrader metadata with an id the release lacks"),
}


@dataclasses.dataclass(frozen=True)
class Flag:
    rule: str
    message: str  # one line, for a human
    line: int | None = None  # 1-based, in the cell's source
    code: str = ""  # the offending source line, trimmed
    notebook: str = ""
    cell: int | None = None  # index in the notebook's cells
    grade_id: str | None = None

    @property
    def severity(self):
        return RULES[self.rule][0]


# Honest solution cells are under 1 kB, a whole notebook's under 10 kB; scanning costs about
# 5 s per MB of dense code.  These limits bound what one hostile notebook costs (about 1 s), and
# what they skip is flagged, never passed as clean.
MAX_CELL_CHARS = 50_000
MAX_NOTEBOOK_CODE = 200_000
MAX_NOTEBOOK_BYTES = 50_000_000


# Qualified names (after alias resolution) whose mere use is a finding; a key covers its
# attributes too ("subprocess" covers subprocess.run).  "os.exec*" style keys match a prefix.
USES = {
    **dict.fromkeys(["os._exit", "os.abort", "os.kill", "os.killpg", "sys.exit", "exit", "quit",
                     "signal", "faulthandler", "atexit", "_thread.interrupt_main"], "kernel-exit"),
    **dict.fromkeys(["ctypes", "cffi", "mmap", "subprocess", "_posixsubprocess", "pty", "posix",
                     "multiprocessing", "resource", "os.system", "os.popen", "os.fork", "os.forkpty",
                     "os.dup2", "os.exec*", "os.spawn*", "os.posix_spawn*",
                     "concurrent.futures.ProcessPoolExecutor", "asyncio.create_subprocess_exec",
                     "asyncio.create_subprocess_shell"], "process"),
    **dict.fromkeys(["socket", "ssl", "urllib", "urllib3", "http.client", "http.server", "requests",
                     "httpx", "aiohttp", "ftplib", "smtplib", "poplib", "imaplib", "telnetlib",
                     "xmlrpc", "websocket", "websockets"], "network"),
    **dict.fromkeys(["sys._getframe", "sys._current_frames", "inspect.stack", "inspect.currentframe",
                     "inspect.getouterframes", "inspect.getinnerframes", "inspect.trace",
                     "inspect.getframeinfo", "gc.get_objects", "gc.get_referrers", "gc.get_referents",
                     "traceback.extract_stack", "traceback.walk_stack"], "introspection"),
    **dict.fromkeys(["sys.settrace", "sys.setprofile", "sys.addaudithook", "threading.settrace",
                     "threading.setprofile"], "sys-hook"),
    **dict.fromkeys(["exec", "eval", "compile", "__import__", "importlib", "runpy", "code", "codeop",
                     "marshal", "pickle", "types.CodeType", "types.FunctionType"], "dynamic-code"),
    # Deleting or moving the working directory is never part of an answer, wherever it points.
    **dict.fromkeys(["os.chdir", "os.fchdir", "shutil.rmtree", "os.remove", "os.unlink", "os.rmdir",
                     "os.removedirs", "pathlib.Path.unlink", "pathlib.Path.rmdir", "pathlib.Path.home",
                     "os.path.expanduser", "sqlite3"], "file-access"),
}
USE_PREFIXES = [(key[:-1], rule) for key, rule in USES.items() if key.endswith("*")]

# Calls that take a path: flagged when a string in their arguments leaves the submission folder.
FILE_CALLS = {"open", "io.open", "os.open", "codecs.open", "io.FileIO", "pathlib.Path",
              "pathlib.PurePath", "pathlib.PosixPath", "os.listdir", "os.scandir", "os.walk", "os.stat",
              "os.rename", "os.replace", "os.makedirs", "os.mkdir", "os.chmod", "os.symlink", "os.link",
              "glob.glob", "glob.iglob", "numpy.load", "numpy.loadtxt", "numpy.genfromtxt",
              "numpy.fromfile", "numpy.save", "numpy.savez", "numpy.savetxt", "numpy.memmap",
              "zipfile.ZipFile", "tarfile.open", "linecache.getline", "fileinput.input"}
PATH_KEYWORDS = {"file", "path", "fname", "filename", "name", "src", "dst", "top", "pathname", "root_dir"}
GRADING_FILES = {"source", "autograded", "submitted", "release", "feedback", "checks.py",
                 "nbgrader_config.py"}

SHELL_MAGICS = {"system", "sx", "sc", "bash", "sh", "script", "perl", "ruby", "python", "python2",
                "python3", "pypy", "alias", "rehashx"}
DYNAMIC_MAGICS = {"run", "load", "load_ext", "reload_ext", "macro", "config", "autoreload", "aimport",
                  "edit", "recall", "rerun"}
FILE_MAGICS = {"writefile", "file", "cd", "pushd", "popd", "bookmark", "save", "logstart", "store"}
CODE_MAGICS = {"time", "timeit", "prun", "capture", "debug"}  # their argument is Python: scanned too
IPYTHON_SAFE = {"run_line_magic", "run_cell_magic", "system", "getoutput"}  # judged by the magic rules
IPYTHON_HOOKS = {"set_custom_exc", "showtraceback", "_showtraceback", "showsyntaxerror", "events",
                 "input_transformers_cleanup", "input_transformers_post", "input_transformer_manager",
                 "ast_transformers", "run_cell", "run_cell_async", "run_ast_nodes", "run_code",
                 "user_ns", "user_global_ns", "CustomTB", "InteractiveTB", "SyntaxTB", "excepthook",
                 "displayhook", "display_pub", "prefilter_manager", "register_magic_function",
                 "magics_manager", "ex", "ev"}
SYS_HOOKS = {"excepthook", "displayhook", "breakpointhook", "unraisablehook", "stdout", "stderr",
             "stdin", "__excepthook__", "__displayhook__", "__stdout__", "__stderr__", "__stdin__"}
FRAME_ATTRS = {"f_back", "f_globals", "f_locals", "f_builtins", "tb_frame", "gi_frame", "cr_frame",
               "ag_frame", "__globals__", "__subclasses__"}
# Special attributes whose replacement changes what an object is or runs (not __name__ or __doc__).
SPECIAL_WRITES = {"__class__", "__code__", "__globals__", "__dict__", "__bases__", "__defaults__",
                  "__kwdefaults__", "__closure__", "__builtins__", "__instancecheck__", "__subclasscheck__"}
MUTATORS = {"update", "pop", "popitem", "setdefault", "clear", "__setitem__", "__delitem__"}


def use_rule(qualified):
    """The rule a used name falls under, or None."""
    if qualified.startswith("get_ipython()."):
        attr = qualified.split(".")[1].removesuffix("()")
        return None if attr in IPYTHON_SAFE else "ipython-hook"
    parts = [p.removesuffix("()") for p in qualified.split(".")]
    if parts[0] in ("IPython", "ipykernel") and IPYTHON_HOOKS.intersection(parts[1:]):
        return "ipython-hook"
    for i in range(1, len(parts) + 1):
        rule = USES.get(".".join(parts[:i]))
        if rule:
            return rule
    dotted = ".".join(parts)
    return next((rule for prefix, rule in USE_PREFIXES if dotted.startswith(prefix)), None)


def outside(text, leading=True):
    """Why a path string leaves the submission folder or names a grading file, else None.

    leading: the string starts the path, so a leading / or ~ makes it absolute; the '/out.txt'
    of f'{folder}/out.txt' or folder + '/out.txt' does not.
    """
    if len(text) > 4096:
        return None
    path = text.strip().replace("\\", "/")
    if leading and (path.startswith(("/", "~", "$")) or re.match(r"[A-Za-z]:/", path)):
        return "absolute path"
    parts = [p.lower() for p in path.split("/")]
    if ".." in parts:
        return "parent directory"
    if any(p in GRADING_FILES or "gradebook" in p or p.endswith((".db", ".ipynb", ".sqlite"))
           for p in parts):
        return "grading file"
    return None
