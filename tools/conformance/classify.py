# Turns the output of a failed pfcomp or pfvm run into a short, stable failure reason
# ("unsupported op: Resize", "check FAIL: wrong values", ...) that expected_failures.txt records.
# Reasons carry no paths, node names or numbers, so they do not change from one run to the next.
import re
import signal

ERROR_LINE = re.compile(r"^(?P<tool>[\w.-]+): error: \[(?P<code>E\d+)\] (?P<msg>.*)$")
BAD_NODE = re.compile(r"(\S*) \((\w+)\)")
INT_USE = re.compile(r"(\S*) \[")
NODE_LIMIT = re.compile(r"^node '[^']*' \((\w+)\): (.*)$")
CRASH_LINE = re.compile(r"FATAL|Check failed|CHECK failed|Assertion|terminate called|Segmentation|Aborted")
MAX_ERR = re.compile(r"max abs err (\S+), max rel err (\S+), (\d+) mismatches\s+FAIL")

# Codes whose messages name the case (paths, input names, sizes): the reason is the code's meaning.
GENERIC = {
    "E101": "model not found",
    "E102": "malformed model",
    "E103": "model check failed",
    "E107": "shape inference failed",
    "E401": "wrong input count",
    "E402": "wrong input shape",
    "E403": "wrong input dtype",
    "E404": "bad input file",
}


def _signal_name(code):
    try:
        return signal.Signals(-code).name
    except ValueError:
        return "signal %d" % -code


def _unsupported(msg):
    """"[E104] unsupported ops in M: n1 (A), n2 (B); the device computes float tensors only ...:
    n1 [x:u8 ...]" -> ("unsupported op: B; integer tensors: A", ["B"], ["A"])."""
    head, _, ints = msg.partition("; the device computes float tensors only")
    head = head.split(": ", 1)[1] if ": " in head else head
    int_nodes = set(INT_USE.findall(ints))
    ops, int_ops = set(), set()
    for node, op in BAD_NODE.findall(head):
        (int_ops if node in int_nodes else ops).add(op)
    parts = []
    if ops:
        parts.append("unsupported op: " + ", ".join(sorted(ops)))
    if int_ops:
        parts.append("integer tensors: " + ", ".join(sorted(int_ops)))
    return "; ".join(parts) or "unsupported op", sorted(ops), sorted(int_ops)


def _strip(msg, paths):
    for p in paths:
        msg = msg.replace(p, "")
    return re.sub(r"\s+", " ", msg).strip()[:100]


def classify_error(stderr, returncode, phase, paths=()):
    """Reason for a failed phase ("compile" or "run"); returns (reason, details dict)."""
    first = None
    for line in stderr.splitlines():
        m = ERROR_LINE.match(line.strip())
        if m:
            first = m
            break
    crash = [l.strip()[:300] for l in stderr.splitlines() if CRASH_LINE.search(l)]
    if first is None:
        if returncode < 0:
            return "%s crash (%s)" % (phase, _signal_name(returncode)), {"crash_line": crash[:1]}
        return "%s failed without an error code (exit %d)" % (phase, returncode), {}
    code, msg = first.group("code"), first.group("msg")
    details = {"error_line": first.group(0)[:300]}
    if code == "E104" and NODE_LIMIT.match(msg):
        # A known op in a form the device does not run: "node 'n' (Op): why".
        op, why = NODE_LIMIT.match(msg).groups()
        details.update(limited_ops=[op])
        return "unsupported use of %s: %s" % (op, _strip(why, paths)), details
    if code == "E104":
        reason, ops, int_ops = _unsupported(msg)
        details.update(unsupported_ops=ops, integer_ops=int_ops)
        return reason, details
    if code == "E105":
        kind = "unknown rank" if "unknown rank" in msg else "dynamic dimension"
        return "[E105] dynamic shape: input with %s" % kind, details
    if code in GENERIC:
        return "[%s] %s" % (code, GENERIC[code]), details
    if code == "E303" and first.group("tool") == "pfcomp":
        # The driver's summary with no stage error before it: the stage died.
        m = re.search(r"phase '([\w-]+)' failed \(([^)]*)\)", msg)
        if crash:
            details["crash_line"] = crash[0]
        if m:
            return "%s crash: %s (%s)" % (phase, m.group(1), m.group(2)), details
    return "[%s] %s: %s" % (code, first.group("tool"), _strip(msg, paths)), details


def classify_check(stdout):
    """Reason for a pfvm --check that ran but found differences; returns (reason, details)."""
    details = {}
    m = MAX_ERR.search(stdout)
    if m:
        details = {"max_abs_err": float(m.group(1)), "max_rel_err": float(m.group(2)),
                   "mismatches": int(m.group(3))}
    if "FAIL (shape" in stdout:
        return "check FAIL: output shape differs", details
    if "FAIL (cannot compare" in stdout:
        return "check FAIL: output dtype differs", details
    return "check FAIL: wrong values", details
