// Command fileio does file I/O in the directory given as its argument for
// bpfguard's derive tests: create, write, fsync, rename, read, seek, stat,
// chmod, truncate, symlink, readdir, remove. It leaves the directory as it
// found it. Exit 0 when every step saw what it wrote.
package main

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
)

func check(err error) {
	if err != nil {
		fmt.Fprintln(os.Stderr, "fileio:", err)
		os.Exit(1)
	}
}

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: fileio DIR")
		os.Exit(2)
	}
	dir, err := os.MkdirTemp(os.Args[1], "fileio")
	check(err)
	data := bytes.Repeat([]byte("0123456789abcdef"), 4096)

	f, err := os.Create(filepath.Join(dir, "a.tmp"))
	check(err)
	_, err = f.Write(data)
	check(err)
	check(f.Sync())
	check(f.Close())
	check(os.Rename(filepath.Join(dir, "a.tmp"), filepath.Join(dir, "a")))

	got, err := os.ReadFile(filepath.Join(dir, "a"))
	check(err)
	if !bytes.Equal(got, data) {
		check(fmt.Errorf("read back %d bytes, not the %d written", len(got), len(data)))
	}
	f, err = os.OpenFile(filepath.Join(dir, "a"), os.O_RDWR|os.O_APPEND, 0)
	check(err)
	_, err = f.WriteString("tail")
	check(err)
	_, err = f.Seek(-4, io.SeekEnd)
	check(err)
	tail := make([]byte, 4)
	_, err = io.ReadFull(f, tail)
	check(err)
	st, err := f.Stat()
	check(err)
	check(f.Close())
	if string(tail) != "tail" || st.Size() != int64(len(data)+4) {
		check(fmt.Errorf("append: %q, size %d", tail, st.Size()))
	}

	check(os.Chmod(filepath.Join(dir, "a"), 0600))
	check(os.Truncate(filepath.Join(dir, "a"), 100))
	check(os.Mkdir(filepath.Join(dir, "sub"), 0700))
	check(os.WriteFile(filepath.Join(dir, "sub", "b"), []byte("b\n"), 0644))
	check(os.Symlink("a", filepath.Join(dir, "link")))
	if t, err := os.Readlink(filepath.Join(dir, "link")); err != nil || t != "a" {
		check(fmt.Errorf("readlink: %q %v", t, err))
	}
	st, err = os.Stat(filepath.Join(dir, "link"))
	check(err)
	if st.Size() != 100 || st.Mode().Perm() != 0600 {
		check(fmt.Errorf("stat: size %d mode %v", st.Size(), st.Mode()))
	}
	ents, err := os.ReadDir(dir)
	check(err)
	if len(ents) != 3 {
		check(fmt.Errorf("readdir: %d entries, not 3", len(ents)))
	}
	n := 0
	check(filepath.Walk(dir, func(string, os.FileInfo, error) error { n++; return nil }))
	check(os.Remove(filepath.Join(dir, "link")))
	check(os.RemoveAll(dir))
	if _, err := os.Lstat(dir); !os.IsNotExist(err) {
		check(fmt.Errorf("%s still there: %v", dir, err))
	}
	fmt.Println("fileio: walked", n, "entries, removed them")
}
