// Command goroutines keeps Go's scheduler busy for bpfguard's derive tests:
// thousands of goroutines on GOMAXPROCS 4, a contended sync.Mutex, channels,
// runtime.Gosched, short sleeps, a sync.Cond broadcast and forced GCs -- the
// paths where the runtime parks threads (futex), yields (sched_yield),
// starts new Ms (clone) and returns memory (madvise). Deterministic result;
// exit 0 when it is right.
package main

import (
	"fmt"
	"os"
	"runtime"
	"sync"
	"time"
)

func main() {
	runtime.GOMAXPROCS(4)
	const workers, rounds = 4000, 20
	var (
		mu    sync.Mutex
		total int
		wg    sync.WaitGroup
	)
	results := make(chan int, 64)
	start := make(chan struct{})
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			<-start
			sum := 0
			for r := 0; r < rounds; r++ {
				mu.Lock()
				total++
				mu.Unlock()
				sum += w % 7
				if r%5 == 0 {
					runtime.Gosched()
				}
				if w%100 == 0 && r%10 == 0 {
					time.Sleep(time.Millisecond)
				}
			}
			results <- sum
		}(w)
	}
	var got int
	done := make(chan struct{})
	go func() {
		for s := range results {
			got += s
		}
		close(done)
	}()
	close(start)
	wg.Wait()
	close(results)
	<-done

	// a pipeline of unbuffered channels, and a Cond all wait on
	stage := make(chan int)
	in := stage
	for i := 0; i < 500; i++ {
		out := make(chan int)
		go func(in <-chan int, out chan<- int) {
			for v := range in {
				out <- v + 1
			}
			close(out)
		}(in, out)
		in = out
	}
	go func() {
		for i := 0; i < 100; i++ {
			stage <- i
		}
		close(stage)
	}()
	piped := 0
	for v := range in {
		piped += v
	}
	var cmu sync.Mutex
	cond := sync.NewCond(&cmu)
	ready, woken := false, 0
	var cwg sync.WaitGroup
	for i := 0; i < 200; i++ {
		cwg.Add(1)
		go func() {
			defer cwg.Done()
			cmu.Lock()
			for !ready {
				cond.Wait()
			}
			woken++
			cmu.Unlock()
		}()
	}
	time.Sleep(5 * time.Millisecond)
	cmu.Lock()
	ready = true
	cond.Broadcast()
	cmu.Unlock()
	cwg.Wait()
	garbage := make([][]byte, 0, 256)
	for i := 0; i < 256; i++ {
		garbage = append(garbage, make([]byte, 64<<10))
	}
	garbage = nil
	runtime.GC()
	runtime.GC()

	want := 0
	for w := 0; w < workers; w++ {
		want += rounds * (w % 7)
	}
	if total != workers*rounds || got != want || piped != 100*99/2+100*500 || woken != 200 || garbage != nil {
		fmt.Fprintln(os.Stderr, "goroutines: wrong result", total, got, want, piped, woken)
		os.Exit(1)
	}
	fmt.Println("goroutines:", workers, "workers,", total, "locked increments")
}
