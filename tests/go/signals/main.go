// Command signals handles signals for bpfguard's derive tests: Notify for
// SIGUSR1 and SIGHUP, each sent to itself (syscall.Kill and os.Process.Signal)
// and received; SIGUSR2 ignored, sent, survived; a busy goroutine the
// runtime preempts (SIGURG) while main sleeps; Stop and Reset. Exit 0
// when every signal arrived where it should.
package main

import (
	"fmt"
	"os"
	"os/signal"
	"syscall"
	"time"
)

func fail(format string, a ...interface{}) {
	fmt.Fprintf(os.Stderr, "signals: "+format+"\n", a...)
	os.Exit(1)
}

func expect(c chan os.Signal, want os.Signal) {
	select {
	case s := <-c:
		if s != want {
			fail("got %v, want %v", s, want)
		}
	case <-time.After(5 * time.Second):
		fail("no %v within 5s", want)
	}
}

func main() {
	c := make(chan os.Signal, 4)
	signal.Notify(c, syscall.SIGUSR1, syscall.SIGHUP)
	signal.Ignore(syscall.SIGUSR2)
	if !signal.Ignored(syscall.SIGUSR2) {
		fail("SIGUSR2 not ignored")
	}
	for i := 0; i < 3; i++ {
		if err := syscall.Kill(os.Getpid(), syscall.SIGUSR1); err != nil {
			fail("kill: %v", err)
		}
		expect(c, syscall.SIGUSR1)
		p, _ := os.FindProcess(os.Getpid())
		if err := p.Signal(syscall.SIGHUP); err != nil {
			fail("signal: %v", err)
		}
		expect(c, syscall.SIGHUP)
		syscall.Kill(os.Getpid(), syscall.SIGUSR2) // ignored: nothing happens
	}
	// a busy goroutine the runtime preempts with signals while main sleeps
	stop := make(chan struct{})
	go func() {
		n := 0
		for {
			select {
			case <-stop:
				return
			default:
				n++
			}
		}
	}()
	time.Sleep(30 * time.Millisecond)
	close(stop)
	signal.Stop(c)
	signal.Reset(syscall.SIGUSR2)
	signal.Notify(c, syscall.SIGHUP)
	syscall.Kill(os.Getpid(), syscall.SIGHUP)
	expect(c, syscall.SIGHUP)
	signal.Reset()
	fmt.Println("signals: 7 signals received, SIGUSR2 ignored")
}
