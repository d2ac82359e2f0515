// Command forbidden tries the things a sandboxed program must not be able
// to do and reports each outcome on stdout, one line per action:
// "ACTION: ok" or "ACTION: errno N".  A call the policy kills prints
// nothing after "ACTION: trying" (the process is gone).  Used by
// tests/integration/test_run*.sh under `bpfguard run`.
//
//	forbidden ACTION [ARG] ...
//
//	mkdir PATH        os.Mkdir (mkdirat)
//	write PATH        create and write a file
//	exec PATH         execve PATH (replaces this process on success)
//	socket            socket(AF_INET, SOCK_STREAM)
//	connect IP:PORT   a TCP connect
//	ptrace            ptrace(PTRACE_TRACEME)
//	mount             mount a tmpfs on /mnt
//	io_uring_setup    io_uring_setup(4, &params)
//	int80             getpid through int $0x80 (the ia32 table)
//	spawn N           start N sleeping copies of itself; prints how many started
//	hog MB            allocate and touch MB mebibytes, 1 MiB at a time
//	sleep SECONDS
package main

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"strconv"
	"syscall"
	"time"
	"unsafe"
)

func int80(nr uintptr) uintptr // main_amd64.s

func report(what string, err error) {
	if err == nil {
		fmt.Printf("%s: ok\n", what)
		return
	}
	if e, ok := err.(syscall.Errno); ok {
		fmt.Printf("%s: errno %d\n", what, int(e))
		return
	}
	if pe, ok := err.(*os.PathError); ok {
		report(what, pe.Err)
		return
	}
	if se, ok := err.(*os.SyscallError); ok {
		report(what, se.Err)
		return
	}
	fmt.Printf("%s: error %v\n", what, err)
}

func errno(e syscall.Errno) error {
	if e == 0 {
		return nil
	}
	return e
}

func main() {
	args := os.Args[1:]
	for len(args) > 0 {
		a := args[0]
		args = args[1:]
		arg := func() string {
			if len(args) == 0 {
				fmt.Fprintf(os.Stderr, "forbidden: %s needs an argument\n", a)
				os.Exit(2)
			}
			v := args[0]
			args = args[1:]
			return v
		}
		switch a {
		case "mkdir":
			report(a, os.Mkdir(arg(), 0755))
		case "write":
			report(a, os.WriteFile(arg(), []byte("x\n"), 0644))
		case "exec":
			p := arg()
			report(a, syscall.Exec(p, []string{p}, os.Environ()))
		case "socket":
			fd, err := syscall.Socket(syscall.AF_INET, syscall.SOCK_STREAM, 0)
			if err == nil {
				syscall.Close(fd)
			}
			report(a, err)
		case "connect":
			addr, err := net.ResolveTCPAddr("tcp4", arg())
			if err != nil {
				report(a, err)
				break
			}
			fd, err := syscall.Socket(syscall.AF_INET, syscall.SOCK_STREAM, 0)
			if err != nil {
				report(a+" (socket)", err)
				break
			}
			sa := &syscall.SockaddrInet4{Port: addr.Port}
			copy(sa.Addr[:], addr.IP.To4())
			report(a, syscall.Connect(fd, sa))
			syscall.Close(fd)
		case "ptrace":
			fmt.Println("ptrace: trying")
			_, _, e := syscall.RawSyscall(syscall.SYS_PTRACE, syscall.PTRACE_TRACEME, 0, 0)
			report(a, errno(e))
		case "mount":
			report(a, syscall.Mount("none", "/mnt", "tmpfs", 0, ""))
		case "io_uring_setup":
			fmt.Println("io_uring_setup: trying")
			var params [120]byte
			_, _, e := syscall.RawSyscall(425, 4, uintptr(unsafe.Pointer(&params[0])), 0)
			report(a, errno(e))
		case "int80":
			fmt.Println("int80: trying")
			r := int80(20) // ia32 20 = getpid
			fmt.Printf("int80: returned %d\n", int(int32(r)))
		case "spawn":
			n, _ := strconv.Atoi(arg())
			started := 0
			var first error
			var cmds []*exec.Cmd
			for i := 0; i < n; i++ {
				c := exec.Command("/proc/self/exe", "sleep", "30")
				if err := c.Start(); err != nil {
					if first == nil {
						first = err
					}
					continue
				}
				started++
				cmds = append(cmds, c)
			}
			fmt.Printf("spawn: started %d of %d\n", started, n)
			report("spawn", first)
			for _, c := range cmds {
				c.Process.Kill()
				c.Wait()
			}
		case "hog":
			mb, _ := strconv.Atoi(arg())
			var keep [][]byte
			for i := 0; i < mb; i++ {
				b := make([]byte, 1<<20)
				for j := 0; j < len(b); j += 4096 {
					b[j] = 1
				}
				keep = append(keep, b)
				if i%16 == 0 {
					fmt.Printf("hog: %d MiB\n", i)
				}
			}
			fmt.Printf("hog: done %d MiB\n", len(keep))
		case "sleep":
			s, _ := strconv.ParseFloat(arg(), 64)
			time.Sleep(time.Duration(s * float64(time.Second)))
			fmt.Println("sleep: ok")
		default:
			fmt.Fprintf(os.Stderr, "forbidden: unknown action %q\n", a)
			os.Exit(2)
		}
	}
}
