// Command cgo links C code of its own (import "C"): the external linker,
// libc and runtime/cgo's C half end up in the binary.  tests/integration/
// test_go_inspect.sh checks that `bpfguard go inspect` says "cgo yes".
package main

/*
static int add(int a, int b) { return a + b; }
*/
import "C"

import "fmt"

func main() {
	fmt.Println("1 + 2 =", C.add(1, 2))
}
