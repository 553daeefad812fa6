package nfq

import (
	"os"
	goruntime "runtime"
	"sync/atomic"
	"testing"
	"time"
)

// A worker waiting for packets sits in a raw receive syscall that the scheduler does not see.
// The garbage collector must still be able to stop the world: its preemption signal interrupts
// the wait, and the queue has to return to a point where the goroutine can be stopped. This
// hung smcd's shutdown once (every stop after a collection waited forever).
func TestIdleQueueLetsTheCollectorRun(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("binds a real NFQUEUE queue: needs root (make test runs as root)")
	}
	// A queue number no rule points at: nothing is ever queued to it.
	q, err := OpenQueue(QueueConfig{Num: 32000 + uint16(os.Getpid()%1000), Poll: 2 * time.Second})
	if err != nil {
		t.Skipf("cannot bind a queue here: %v", err)
	}
	defer q.Close()
	goruntime.GOMAXPROCS(max(goruntime.GOMAXPROCS(0), 2))
	var stop atomic.Bool
	done := make(chan struct{})
	go func() {
		defer close(done)
		goruntime.LockOSThread()
		var p Queued
		for !stop.Load() {
			q.Next(&p)
		}
	}()
	time.Sleep(50 * time.Millisecond) // the worker is in its wait
	collected := make(chan struct{})
	go func() { goruntime.GC(); close(collected) }()
	select {
	case <-collected:
	case <-time.After(1500 * time.Millisecond): // under the 2 s poll interval
		t.Fatal("the collector could not stop the world while the queue waited for packets")
	}
	stop.Store(true)
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("the waiting worker did not stop within the poll interval")
	}
}
