// Command client is a net/http client for bpfguard's derive tests: with no
// argument it starts a server on 127.0.0.1 itself and GETs from it; with
// ADDR N it GETs http://ADDR/ N times (tests/go/server answers "ok\n").
// Every response must be "ok\n"; exit 0 when all are. No DNS, no proxy,
// no internet: the address is a literal.
package main

import (
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"strconv"
	"time"
)

func get(c *http.Client, url string) error {
	resp, err := c.Get(url)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return err
	}
	if resp.StatusCode != http.StatusOK || string(b) != "ok\n" {
		return fmt.Errorf("GET %s: %d %q", url, resp.StatusCode, b)
	}
	return nil
}

func main() {
	addr, n := "", 5
	switch len(os.Args) {
	case 1:
		// our own server: keep-alive and new connections both exercised
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			fmt.Fprintln(os.Stderr, "client:", err)
			os.Exit(1)
		}
		addr = ln.Addr().String()
		go http.Serve(ln, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			fmt.Fprint(w, "ok\n")
		}))
	case 3:
		addr = os.Args[1]
		var err error
		if n, err = strconv.Atoi(os.Args[2]); err != nil || n < 1 {
			fmt.Fprintln(os.Stderr, "client: N must be a positive number")
			os.Exit(2)
		}
	default:
		fmt.Fprintln(os.Stderr, "usage: client [ADDR N]")
		os.Exit(2)
	}
	c := &http.Client{
		Timeout:   10 * time.Second,
		Transport: &http.Transport{Proxy: nil, MaxIdleConnsPerHost: 1},
	}
	for i := 0; i < n; i++ {
		if err := get(c, "http://"+addr+"/"); err != nil {
			fmt.Fprintln(os.Stderr, "client:", err)
			os.Exit(1)
		}
		if i == n/2 {
			c.CloseIdleConnections() // the rest on a new connection
		}
	}
	fmt.Println("client: got", n, "responses")
}
