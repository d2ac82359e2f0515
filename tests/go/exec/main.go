// Command exec runs other programs with os/exec for bpfguard's derive
// tests: /bin/true, then `echo hello` found through $PATH with its output
// read back, then `cat` fed through a pipe. With -self it runs itself
// (-child true, -child echo, -child cat) instead, so that a policy derived
// from this binary covers every process of the run. Exit 0 on success.
package main

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
)

func fail(format string, a ...interface{}) {
	fmt.Fprintf(os.Stderr, "exec: "+format+"\n", a...)
	os.Exit(1)
}

func child(args []string) {
	switch args[0] {
	case "true":
	case "echo":
		fmt.Println(strings.Join(args[1:], " "))
	case "cat":
		io.Copy(os.Stdout, os.Stdin)
	default:
		os.Exit(2)
	}
	os.Exit(0)
}

func main() {
	if len(os.Args) > 2 && os.Args[1] == "-child" {
		child(os.Args[2:])
	}
	cmd := func(name string, args ...string) *exec.Cmd {
		if len(os.Args) > 1 && os.Args[1] == "-self" {
			self, err := os.Executable()
			if err != nil {
				fail("%v", err)
			}
			return exec.Command(self, append([]string{"-child", name}, args...)...)
		}
		if name == "true" {
			name = "/bin/true"
		}
		return exec.Command(name, args...)
	}
	if err := cmd("true").Run(); err != nil {
		fail("true: %v", err)
	}
	out, err := cmd("echo", "hello").Output()
	if err != nil || string(out) != "hello\n" {
		fail("echo: %q %v", out, err)
	}
	c := cmd("cat")
	c.Stdin = strings.NewReader("through a pipe\n")
	var buf bytes.Buffer
	c.Stdout = &buf
	if err := c.Start(); err != nil {
		fail("cat: %v", err)
	}
	if err := c.Wait(); err != nil || buf.String() != "through a pipe\n" {
		fail("cat: %q %v", buf.String(), err)
	}
	fmt.Println("exec: 3 commands ran")
}
