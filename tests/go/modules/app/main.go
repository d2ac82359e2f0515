// app has real module dependencies (two from a file:// proxy, one replaced
// by a directory), so its build info carries dep lines with h1: sums and a
// => line.
package main

import (
	"fmt"

	upper "example.com/Upper"
	"example.com/greet"
	"example.com/replaced"
)

func main() {
	fmt.Println(greet.Hello(), upper.Name(), replaced.Where())
}
