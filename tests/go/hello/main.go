// Command hello is the smallest Go program bpfguard's go-static policy must
// run: build it with CGO_ENABLED=0 and trace it to check @go-runtime.
package main

import (
	"fmt"
	"os"
)

func main() {
	fmt.Println("hello, world")
	if len(os.Args) > 1 {
		fmt.Println("args:", os.Args[1:])
	}
}
