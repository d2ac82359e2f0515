// dirhash-oracle prints the h1: hashes golang.org/x/mod/sumdb/dirhash
// computes, for tests/integration/test_go_hash.sh to compare bpfguard with:
//
//	dirhash-oracle zip FILE            dirhash.HashZip
//	dirhash-oracle dir DIR PREFIX      dirhash.HashDir
//	dirhash-oracle gomod FILE          Hash1 over the one file "go.mod"
//
// Built offline against the Debian copy of x/mod:
// GO111MODULE=off GOPATH=/usr/share/gocode go build -o oracle main.go
package main

import (
	"fmt"
	"io"
	"os"

	"golang.org/x/mod/sumdb/dirhash"
)

func main() {
	var h string
	var err error
	switch {
	case len(os.Args) == 3 && os.Args[1] == "zip":
		h, err = dirhash.HashZip(os.Args[2], dirhash.Hash1)
	case len(os.Args) == 4 && os.Args[1] == "dir":
		h, err = dirhash.HashDir(os.Args[2], os.Args[3], dirhash.Hash1)
	case len(os.Args) == 3 && os.Args[1] == "gomod":
		// what cmd/go's modfetch does for the go.sum "/go.mod" line
		file := os.Args[2]
		h, err = dirhash.Hash1([]string{"go.mod"}, func(string) (io.ReadCloser, error) {
			return os.Open(file)
		})
	default:
		fmt.Fprintln(os.Stderr, "usage: dirhash-oracle zip FILE | dir DIR PREFIX | gomod FILE")
		os.Exit(2)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "dirhash-oracle:", err)
		os.Exit(1)
	}
	fmt.Println(h)
}
