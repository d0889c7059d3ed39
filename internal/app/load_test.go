package app_test

import (
	"fmt"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/gmailsend/gmailsend/dev/fixture"
)

// TestConcurrentLoad ensures 1,000 sends from 50 goroutines through one handler deliver exactly once and return goroutines, connections and heap to baseline.
func TestConcurrentLoad(t *testing.T) {
	sends, workers := 1000, 50
	if testing.Short() {
		sends = 200
	}
	runtime.GC()
	baseGoroutines, baseFDs := runtime.NumGoroutine(), openFDs()
	var before runtime.MemStats
	runtime.ReadMemStats(&before)

	h := newHarness(t, setup{})
	start := time.Now()
	jobs := make(chan int)
	errs := make(chan error, sends)
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range jobs {
				user := fixture.User
				if i%2 == 1 {
					user = fixture.User2
				}
				if _, err := h.invoke(t, []byte(fixture.SendRequest(user, "kim@example.com", fmt.Sprintf("load-%04d", i)))); err != nil {
					errs <- fmt.Errorf("send %d: %w", i, err)
				}
			}
		}()
	}
	for i := 0; i < sends; i++ {
		jobs <- i
	}
	close(jobs)
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	elapsed := time.Since(start)

	got := subjects(h.srv)
	if len(got) != sends {
		t.Fatalf("%d distinct messages delivered, want %d", len(got), sends)
	}
	for s, n := range got {
		if n != 1 {
			t.Fatalf("%s delivered %d times", s, n)
		}
	}
	st := h.srv.Stats()
	var after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&after)
	t.Logf("%d sends from %d goroutines in %v (%.0f/s); %d SMTP connections; heap in use %d KiB before, %d KiB after (server keeps %d messages)",
		sends, workers, elapsed.Round(time.Millisecond), float64(sends)/elapsed.Seconds(), st.Connections,
		before.HeapInuse>>10, after.HeapInuse>>10, st.Messages)
	// The test server keeps every message in memory (~2 KB each); beyond
	// that the heap must not grow with the number of sends.
	if grow := int64(after.HeapInuse) - int64(before.HeapInuse); grow > 32<<20 {
		t.Fatalf("heap grew by %d MiB", grow>>20)
	}
	h.app.Close()
	h.srv.Close()
	h.secrets.Close()
	waitForBaseline(t, baseGoroutines, baseFDs)
}
