// execattr: os/exec with SysProcAttr, so the child between fork and exec
// makes the calls whose arguments `bpfguard policy derive` turns into
// conditions (prctl(PR_SET_PDEATHSIG), setpgid).  It runs itself again as
// the child ("child" argument) so that everything runs under one derived
// policy: a dynamic /bin/true would need libc's calls.
package main

import (
	"fmt"
	"os"
	"os/exec"
	"syscall"
)

func main() {
	if len(os.Args) > 1 && os.Args[1] == "child" {
		fmt.Println("child ok")
		return
	}
	n := 3
	for i := 0; i < n; i++ {
		cmd := exec.Command("/proc/self/exe", "child")
		cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL, Setpgid: true}
		out, err := cmd.Output()
		if err != nil || string(out) != "child ok\n" {
			fmt.Fprintln(os.Stderr, "child:", err, string(out))
			os.Exit(1)
		}
	}
	fmt.Println("ok", n)
}
