"""The official Judge0 Python SDK's usual flow, unchanged, against the server named by
JUDGE0_CE_ENDPOINT (and JUDGE0_CE_AUTH_HEADERS). Prints one JSON object for sdk.test.ts."""
import json

import judge0


def view(s):
    return {
        "token": str(s.token),
        "status": int(s.status) if s.status is not None else None,
        "stdout": s.stdout,
        "stderr": s.stderr,
        "compile_output": s.compile_output,
        "time": s.time,
        "wall_time": s.wall_time,
        "memory": s.memory,
        "exit_code": s.exit_code,
        "language": s.language,
        "created_at": s.created_at.isoformat() if s.created_at else None,
        "finished_at": s.finished_at.isoformat() if s.finished_at else None,
    }


C_SOURCE = '#include <stdio.h>\nint main(void) { int a, b; scanf("%d %d", &a, &b); printf("%d\\n", a + b); return 0; }\n'

out = {}
client = judge0.get_client()
out["version"] = client.version
out["max_batch"] = client.config.max_submission_batch_size
out["python_id"] = client.get_language_id(judge0.PYTHON)
out["c_id"] = client.get_language_id(judge0.C)

out["python"] = view(judge0.run(source_code="print(input()[::-1])", stdin="hello", language=judge0.PYTHON))
out["c"] = view(judge0.run(source_code=C_SOURCE, stdin="40 2", language=judge0.C))

pending = judge0.async_execute(source_code="print(6 * 7)", language=judge0.PYTHON)
out["async_token"] = str(pending.token)
out["async"] = view(judge0.wait(submissions=pending))

cases = [("1", "2"), ("2", "4"), ("3", "7")]
batch = judge0.run(source_code="print(int(input()) * 2)", language=judge0.PYTHON, test_cases=cases)
out["batch"] = [view(s) for s in batch]

out["compile_error"] = view(judge0.run(source_code="int main( {", language=judge0.CPP))
out["wrong_answer"] = view(judge0.run(source_code="print(41)", language=judge0.PYTHON, expected_output="42"))

files = judge0.Filesystem(content=[judge0.File(name="helper.py", content="ANSWER = 42\n")])
out["additional_files"] = view(
    judge0.run(source_code="import helper\nprint(helper.ANSWER)", language=judge0.PYTHON, additional_files=files)
)

print(json.dumps(out))
