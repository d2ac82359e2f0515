// Command server is a minimal net/http server used to check bpfguard's
// @go-net group: it listens on argv[1] (e.g. 127.0.0.1:18080), answers
// GET / with "ok\n", and exits after serving argv[2] requests.
package main

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"strconv"
	"sync"
)

func main() {
	if len(os.Args) != 3 {
		fmt.Fprintln(os.Stderr, "usage: server ADDR NREQUESTS")
		os.Exit(2)
	}
	limit, err := strconv.Atoi(os.Args[2])
	if err != nil || limit < 1 {
		fmt.Fprintln(os.Stderr, "server: NREQUESTS must be a positive number")
		os.Exit(2)
	}
	ln, err := net.Listen("tcp", os.Args[1])
	if err != nil {
		fmt.Fprintln(os.Stderr, "server:", err)
		os.Exit(1)
	}

	var mu sync.Mutex
	served := 0
	done := make(chan struct{})
	srv := &http.Server{}
	srv.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/" || r.Method != http.MethodGet {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Connection", "close")
		fmt.Fprint(w, "ok\n")
		mu.Lock()
		served++
		if served == limit {
			close(done)
		}
		mu.Unlock()
	})
	go func() {
		<-done
		srv.Shutdown(context.Background())
	}()
	if err := srv.Serve(ln); err != nil && err != http.ErrServerClosed {
		fmt.Fprintln(os.Stderr, "server:", err)
		os.Exit(1)
	}
}
