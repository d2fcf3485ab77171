/**
 * One program per language and behaviour, for the end-to-end matrix. `hello` reads a word from
 * stdin and prints "hello <word>".
 */
export interface LanguagePrograms {
  hello: string;
  compileError?: string;
  runtimeError: string;
  spinCpu: string;
  sleep: string;
  allocate: string;
  flood: string;
  exit3: string;
  /** Memory limit for the `allocate` case; managed runtimes need room to start. */
  memoryKb?: number;
}

const cLike = (include: string) => ({
  spinCpu: `${include}\nint main(){ volatile unsigned long x = 0; for(;;) x++; }`,
  sleep: `#include <unistd.h>\nint main(){ sleep(10); return 0; }`,
  exit3: `int main(){ return 3; }`,
});

export const PROGRAMS: Record<string, LanguagePrograms> = {
  python: {
    hello: 'import sys\nprint("hello", sys.stdin.readline().strip())\n',
    runtimeError: 'raise ValueError("boom")\n',
    spinCpu: 'while True:\n    pass\n',
    sleep: 'import time\ntime.sleep(10)\n',
    allocate: 'b = b"x" * (512 << 20)\nprint(len(b))\n',
    flood: 'while True:\n    print("y" * 100)\n',
    exit3: 'import sys\nsys.exit(3)\n',
  },
  javascript: {
    hello: 'const s = require("fs").readFileSync(0, "utf8").trim();\nconsole.log("hello " + s);\n',
    runtimeError: 'throw new Error("boom");\n',
    spinCpu: 'for (;;) {}\n',
    sleep: 'setTimeout(() => {}, 10000);\n',
    allocate: 'const b = Buffer.alloc(512 * 1024 * 1024, 1);\nconsole.log(b.length);\n',
    flood: 'const line = "y".repeat(100) + "\\n";\nfunction w() { while (process.stdout.write(line)) {} process.stdout.once("drain", w); }\nw();\n',
    exit3: 'process.exit(3);\n',
  },
  typescript: {
    hello: 'import * as fs from "fs";\nconst s: string = fs.readFileSync(0, "utf8").trim();\nconsole.log(`hello ${s}`);\n',
    compileError: 'const x: number = "not a number";\nconsole.log(x);\n',
    runtimeError: 'const o: any = null;\nconsole.log(o.field);\n',
    spinCpu: 'let n: number = 0;\nfor (;;) { n++; }\n',
    sleep: 'setTimeout((): void => {}, 10000);\n',
    allocate: 'const b: Buffer = Buffer.alloc(512 * 1024 * 1024, 1);\nconsole.log(b.length);\n',
    flood: 'const line: string = "y".repeat(100) + "\\n";\nfunction w(): void { while (process.stdout.write(line)) {} process.stdout.once("drain", w); }\nw();\n',
    exit3: 'process.exit(3);\n',
  },
  c: {
    hello: '#include <stdio.h>\nint main(void){ char s[64]; if (scanf("%63s", s) != 1) return 1; printf("hello %s\\n", s); return 0; }\n',
    compileError: 'int main(void) { return undefined_name; }\n',
    runtimeError: 'int main(void){ volatile int *p = 0; *p = 1; return 0; }\n',
    allocate: '#include <stdlib.h>\n#include <stdio.h>\nint main(void){ size_t n = 512u << 20; volatile char *p = malloc(n); for (size_t i = 0; i < n; i += 4096) p[i] = 1; printf("%d\\n", p[n - 4096]); return 0; }\n',
    flood: '#include <stdio.h>\nint main(void){ for(;;) puts("yyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyy"); }\n',
    ...cLike('#include <stdio.h>'),
  },
  cpp: {
    hello: '#include <iostream>\n#include <string>\nint main(){ std::string s; std::cin >> s; std::cout << "hello " << s << std::endl; }\n',
    compileError: '#include <vector>\nint main(){ std::vector<int> v; v.no_such_method(); }\n',
    runtimeError: '#include <stdexcept>\nint main(){ throw std::runtime_error("boom"); }\n',
    allocate: '#include <vector>\n#include <iostream>\nint main(){ std::vector<char> v(512u << 20, 1); std::cout << (int)v.back() << std::endl; }\n',
    flood: '#include <iostream>\nint main(){ for(;;) std::cout << "yyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyy\\n"; }\n',
    ...cLike('#include <iostream>'),
  },
  java: {
    hello: 'import java.util.Scanner;\npublic class Greeter {\n  public static void main(String[] args) {\n    Scanner in = new Scanner(System.in);\n    System.out.println("hello " + in.next());\n  }\n}\n',
    compileError: 'public class Main {\n  public static void main(String[] args) {\n    int x = "text"\n  }\n}\n',
    runtimeError: 'public class Main {\n  public static void main(String[] args) {\n    throw new IllegalStateException("boom");\n  }\n}\n',
    spinCpu: 'public class Main {\n  public static void main(String[] args) {\n    long x = 0;\n    while (true) { x++; if (x == -1) break; }\n    System.out.println(x);\n  }\n}\n',
    sleep: 'public class Main {\n  public static void main(String[] args) throws Exception {\n    Thread.sleep(10000);\n  }\n}\n',
    allocate: 'public class Main {\n  public static void main(String[] args) {\n    long[][] keep = new long[64][];\n    for (int i = 0; i < keep.length; i++) keep[i] = new long[1 << 20];\n    System.out.println(keep.length);\n  }\n}\n',
    flood: 'public class Main {\n  public static void main(String[] args) {\n    while (true) System.out.println("yyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyy");\n  }\n}\n',
    exit3: 'public class Main {\n  public static void main(String[] args) {\n    System.exit(3);\n  }\n}\n',
    memoryKb: 131072,
  },
  go: {
    hello: 'package main\n\nimport "fmt"\n\nfunc main() {\n\tvar s string\n\tfmt.Scan(&s)\n\tfmt.Println("hello", s)\n}\n',
    compileError: 'package main\n\nfunc main() {\n\tundefinedName()\n}\n',
    runtimeError: 'package main\n\nfunc main() {\n\tvar m map[string]int\n\tm["x"] = 1\n}\n',
    spinCpu: 'package main\n\nfunc main() {\n\tx := 0\n\tfor {\n\t\tx++\n\t}\n}\n',
    sleep: 'package main\n\nimport "time"\n\nfunc main() {\n\ttime.Sleep(10 * time.Second)\n}\n',
    allocate: 'package main\n\nimport "fmt"\n\nfunc main() {\n\tb := make([]byte, 512<<20)\n\tfor i := range b {\n\t\tb[i] = 1\n\t}\n\tfmt.Println(len(b))\n}\n',
    flood: 'package main\n\nimport "fmt"\n\nfunc main() {\n\tfor {\n\t\tfmt.Println("yyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyy")\n\t}\n}\n',
    exit3: 'package main\n\nimport "os"\n\nfunc main() {\n\tos.Exit(3)\n}\n',
  },
  rust: {
    hello: 'use std::io::Read;\nfn main() {\n    let mut s = String::new();\n    std::io::stdin().read_to_string(&mut s).unwrap();\n    println!("hello {}", s.trim());\n}\n',
    compileError: 'fn main() {\n    let x: i32 = "text";\n}\n',
    runtimeError: 'fn main() {\n    let v: Vec<i32> = Vec::new();\n    let i = std::env::args().count() + 5;\n    println!("{}", v[i]);\n}\n',
    spinCpu: 'fn main() {\n    let mut x: u64 = 1;\n    loop {\n        x = x.wrapping_mul(6364136223846793005).wrapping_add(1);\n        if x == 42 {\n            println!("{}", x);\n        }\n    }\n}\n',
    sleep: 'fn main() {\n    std::thread::sleep(std::time::Duration::from_secs(10));\n}\n',
    allocate: 'fn main() {\n    let v = vec![1u8; 512 << 20];\n    println!("{}", v[v.len() - 1]);\n}\n',
    flood: 'fn main() {\n    loop {\n        println!("yyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyy");\n    }\n}\n',
    exit3: 'fn main() {\n    std::process::exit(3);\n}\n',
  },
  bash: {
    hello: 'read -r word\necho "hello $word"\n',
    runtimeError: 'set -e\nno_such_command_here\n',
    spinCpu: 'while :; do :; done\n',
    sleep: 'sleep 10\n',
    allocate: 'x=$(head -c 300000000 /dev/zero | tr "\\0" x)\necho ${#x}\n',
    flood: 'yes\n',
    exit3: 'exit 3\n',
  },
};
